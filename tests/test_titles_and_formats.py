from __future__ import annotations

from pathlib import Path

import pytest

from reader.errors import ImportFailed
from reader.library.importing import convert_bytes, convert_file
from reader.library.importing.titles import derive_title, title_from_filename

LONG = (
    "Behind every seamless website, fast-loading application, and reliable service is a "
    "dedicated team of engineers."
)


def test_filename_titles() -> None:
    assert title_from_filename(Path("notes-on_rust.txt")) == "Notes on Rust"
    assert title_from_filename(Path("003_074a38f723fc223a.txt")) is None
    assert title_from_filename(Path("x.md")) is None


def test_derived_title_reads_like_a_headline() -> None:
    assert derive_title(LONG) == "Behind every seamless website"
    long_clause = "One two three four five six seven eight nine ten eleven twelve."
    assert derive_title(long_clause) == "One two three four five six seven eight nine…"


def test_text_without_headline_gets_a_derived_title(tmp_path: Path) -> None:
    path = tmp_path / "2f9a8c7d6e.txt"
    path.write_text(LONG + "\n" + LONG, encoding="utf-8")
    converted = convert_file(path)
    assert converted.title == "Behind every seamless website"
    assert converted.markdown.startswith("# Behind every seamless website\n")


def test_markdown_title_from_h1_and_front_matter(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text("Intro line.\n\n# Real Title\n\nBody.\n", encoding="utf-8")
    assert convert_file(md).title == "Real Title"
    fm = tmp_path / "b.md"
    fm.write_text("---\ntitle: 'From Front Matter'\n---\nBody text.\n", encoding="utf-8")
    converted = convert_file(fm)
    assert converted.title == "From Front Matter"
    assert converted.markdown.startswith("# From Front Matter")


def test_legacy_encodings_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "cafe-notes.txt"
    text = (
        "Café Crème Notes\n\n"
        "Le café était très chaud et la crème fraîche était délicieuse ce matin-là."
    )
    path.write_bytes(text.encode("cp1252"))
    converted = convert_file(path)
    assert converted.title == "Café Crème Notes"
    assert "très chaud" in converted.markdown


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\xff\xfe\x00binary" * 50, "binary"),
    ],
)
def test_bad_files_get_one_line_reasons(data: bytes, reason: str) -> None:
    with pytest.raises(ImportFailed) as info:
        convert_bytes(data, Path("bad.txt"))
    assert reason in str(info.value)
    assert "\n" not in str(info.value)
