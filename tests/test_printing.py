"""Articles on paper: PDF export from the command line and the window's printing module."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog

from reader.cli import main
from reader.core import ReaderCore
from reader.ui import printing
from reader.ui.printing import ExportError, article_document, write_pdf

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Backend Developer: The Unseen Architect of the Digital World"
GREEN = re.compile(rb"0\.7882\d* 0\.9411\d* 0\.7568\d* scn")  # #c9f0c1, a green bookmark


# --- reading a PDF back ----------------------------------------------------------


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    # Qt writes "stream\n", the data, "\nendstream": a data byte 0x0d before it is data
    raw = re.match(rb"\r?\n(.*?)\nendstream", rest, re.S)
    assert raw is not None
    return zlib.decompress(raw.group(1)) if b"/FlateDecode" in head else raw.group(1)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A font's glyph -> text table, from its ToUnicode CMap."""
    text = cmap.decode("latin-1")
    table: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<(\w+)>\s*<(\w+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<(\w+)>\s*<(\w+)>\s*(<\w+>|\[[^\]]*\])", block):
            start = int(lo, 16)
            if dst.startswith("["):
                for k, code in enumerate(re.findall(r"<(\w+)>", dst)):
                    table[start + k] = bytes.fromhex(code).decode("utf-16-be")
            else:
                for k in range(start, int(hi, 16) + 1):
                    table[k] = chr(int(dst[1:-1], 16) + k - start)
    return table


def pdf_pages(data: bytes) -> list[str]:
    """The text drawn on each page, without spaces (glyphs are placed one by one)."""
    objects = _objects(data)
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        resources = re.search(rb"/Resources (\d+) 0 R", body)
        assert contents is not None and resources is not None
        fonts: dict[str, dict[int, str]] = {}
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", objects[int(resources.group(1))]):
            cmap = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            fonts[name.decode()] = _to_unicode(_stream(objects[int(cmap.group(1))])) if cmap else {}
        drawn: list[str] = []
        font: dict[int, str] = {}
        content = _stream(objects[int(contents.group(1))])
        for m in re.finditer(rb"/(F\d+) [\d.]+ Tf|<([0-9a-fA-F]+)> Tj", content):
            if m.group(1):
                font = fonts[m.group(1).decode()]
            else:
                glyphs = m.group(2).decode()
                drawn += (
                    font.get(int(glyphs[i : i + 4], 16), "?") for i in range(0, len(glyphs), 4)
                )
        pages.append(re.sub(r"\s+", "", "".join(drawn)))
    return pages


def page_contents(data: bytes) -> bytes:
    objects = _objects(data)
    return b"".join(_stream(b) for b in objects.values() if b"/Filter /FlateDecode" in b)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def import_article(core: ReaderCore, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    (outcome,) = core.import_paths([path])
    assert outcome.status == "imported" and outcome.article_id, outcome.message
    return outcome.article_id


# --- the command line ----------------------------------------------------------------


def test_export_writes_a_pdf_without_a_display(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    pdf = out / "backend.pdf"
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data_dir),
         "export", "backend-developer", "--pdf", str(pdf)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = pdf_pages(data)
    assert len(pages) >= 1
    assert result.stdout == f"wrote {pdf} ({len(pages)} page{'s' if len(pages) > 1 else ''})\n"
    assert pages[0].startswith(squeeze(TITLE))
    assert pages[-1].endswith(
        squeeze("the invisible threads that weave the fabric of our connected lives.")
    )
    assert b"/Title (\xfe\xff" + TITLE.encode("utf-16-be") + b")" in data  # the PDF's title
    assert os.listdir(out) == ["backend.pdf"]  # nothing else left behind


def test_marks_paint_the_bookmarked_passages(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    quote = "the relentless guardians of performance"
    assert main([*d, "bookmarks", "add", "backend-developer", "--quote", quote,
                 "--color", "green"]) == 0  # fmt: skip
    plain, marked = tmp_path / "plain.pdf", tmp_path / "marked.pdf"
    assert main([*d, "export", "backend-developer", "--pdf", str(plain)]) == 0
    assert main([*d, "export", "backend-developer", "--pdf", str(marked), "--marks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith(f"wrote {marked} (")
    assert not GREEN.search(page_contents(plain.read_bytes()))
    assert GREEN.search(page_contents(marked.read_bytes()))  # the passage in its colour
    assert pdf_pages(marked.read_bytes()) == pdf_pages(plain.read_bytes())  # the same text


def test_export_errors_are_one_line_and_leave_nothing(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    folder = tmp_path / "a folder.pdf"
    folder.mkdir()
    nowhere = tmp_path / "missing" / "x.pdf"
    cases = [
        (["no-such-article", "--pdf", str(tmp_path / "x.pdf")],
         "reader: error: no article with id 'no-such-article'"),
        (["backend-developer", "--pdf", str(folder)],
         f"reader: error: cannot write {folder}: it is a folder"),
        (["backend-developer", "--pdf", str(nowhere)],
         f"reader: error: cannot write {nowhere}: No such file or directory"),
    ]  # fmt: skip
    for args, said in cases:
        assert main([*d, "export", *args]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == said + "\n"
    assert sorted(os.listdir(tmp_path)) == ["a folder.pdf", "data"]
    assert os.listdir(folder) == []


def test_a_read_only_folder_is_refused(
    qapp: QApplication, core: ReaderCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes into any folder: the file system refuses instead

        def refused(*_args: object, **_kwargs: object) -> None:
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        doc = article_document(core.open_article("backend-developer"))
        target = folder / "x.pdf"
        with pytest.raises(
            ExportError, match=f"^cannot write {re.escape(str(target))}: permission denied$"
        ):
            write_pdf(doc, target, TITLE)
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o755)


def test_a_failed_write_keeps_the_earlier_pdf_whole(
    qapp: QApplication, core: ReaderCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    pdf = folder / "article.pdf"
    doc = article_document(core.open_article("backend-developer"))
    write_pdf(doc, pdf, TITLE)
    before = pdf.read_bytes()

    def disk_full(_src: object, _dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(
        ExportError, match=f"^cannot write {re.escape(str(pdf))}: the disk is full$"
    ):
        write_pdf(doc, pdf, TITLE)
    assert pdf.read_bytes() == before
    assert os.listdir(folder) == ["article.pdf"]


def test_a_new_pdf_has_the_usual_permissions_and_a_replaced_one_keeps_its_own(
    qapp: QApplication, core: ReaderCore, tmp_path: Path
) -> None:
    doc = article_document(core.open_article("backend-developer"))
    old = os.umask(0o022)
    try:
        write_pdf(doc, tmp_path / "new.pdf", TITLE)
    finally:
        os.umask(old)
    assert (tmp_path / "new.pdf").stat().st_mode & 0o777 == 0o644
    (tmp_path / "new.pdf").chmod(0o600)
    write_pdf(doc, tmp_path / "new.pdf", TITLE)
    assert (tmp_path / "new.pdf").stat().st_mode & 0o777 == 0o600


# --- the document ------------------------------------------------------------------


def test_a_long_article_takes_more_pages_and_loses_no_line(
    qapp: QApplication, core: ReaderCore, tmp_path: Path
) -> None:
    short = tmp_path / "short.pdf"
    page = core.open_article("backend-developer")
    short_pages = write_pdf(article_document(page), short, page.title)
    paragraphs = [
        f"Paragraph marker{n:03d}start of a long article. " + "Words fill the line. " * 12
        + f"It ends here marker{n:03d}end."
        for n in range(150)
    ]  # fmt: skip
    long_id = import_article(core, tmp_path / "long.md", "# Long\n\n" + "\n\n".join(paragraphs))
    long_page = core.open_article(long_id)
    pdf = tmp_path / "long.pdf"
    count = write_pdf(article_document(long_page), pdf, long_page.title)
    pages = pdf_pages(pdf.read_bytes())
    assert count == len(pages) > short_pages
    text = "".join(pages)
    for n in range(150):  # every paragraph, its first line and its last, is on paper
        assert f"marker{n:03d}start" in text and f"marker{n:03d}end" in text
    assert pages[-1].endswith("marker149end.")


def test_marks_land_on_their_words_past_characters_outside_the_bmp(
    qapp: QApplication, core: ReaderCore, tmp_path: Path
) -> None:
    article = import_article(
        core, tmp_path / "wide.md", "# Wide\n\nA 😀 smile, 𝄞 music and 🎉 a party tonight.\n"
    )
    page = core.open_article(article)
    start = page.text.index("party")
    colour = QColor("#c9f0c1")
    doc = article_document(page, marks=[(start, start + 5, colour), (-5, 0, colour)])
    painted = ""
    block = doc.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            fragment = pieces.fragment()
            if fragment.charFormat().background().color() == colour:
                painted += fragment.text()
            pieces += 1
        block = block.next()
    assert painted == "party"
    assert doc.toPlainText() == page.text


def test_the_article_prints_its_own_images_and_reads_no_other_file(
    qapp: QApplication, data_dir: Path, tmp_path: Path
) -> None:
    library = data_dir / "library"
    (library / "pics").mkdir(parents=True)
    dot = QImage(4, 4, QImage.Format.Format_RGB32)
    dot.fill(0xFF3366)
    assert dot.save(str(library / "pics" / "dot.png"))
    wide = QImage(3000, 40, QImage.Format.Format_RGB32)
    wide.fill(0x3366FF)
    assert wide.save(str(library / "pics" / "wide.png"))
    (tmp_path / "secret.png").write_bytes((library / "pics" / "dot.png").read_bytes())
    (library / "pictures.md").write_text(
        "# Pictures\n\nMine: ![a dot](pics/dot.png)\n\nA panorama: ![wide](pics/wide.png)\n\n"
        "Not mine: ![out](../../secret.png) ![gone](pics/missing.png)\n"
    )
    core = ReaderCore(data_dir, None)
    try:
        core.refresh()
        page = core.open_article("pictures")
    finally:
        core.close()
    doc = article_document(page)
    kind = QTextDocument.ResourceType.ImageResource.value
    own = doc.resource(kind, QUrl("pics/dot.png"))
    assert isinstance(own, QImage) and own.size() == dot.size()
    for src in ("../../secret.png", "pics/missing.png", "/etc/hostname", "file:///etc/hostname"):
        refused = doc.loadResource(kind, QUrl(src))
        assert isinstance(refused, QImage) and refused.width() == 1, src  # nothing to see
    pdf = tmp_path / "pictures.pdf"
    write_pdf(doc, pdf, page.title)
    assert pdf.read_bytes().count(b"/Subtype /Image") >= 2  # the dot and the panorama
    widths = []
    block = doc.begin()
    while block.isValid():
        pieces = block.begin()
        while not pieces.atEnd():
            fmt = pieces.fragment().charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name() == "pics/wide.png":
                widths.append(fmt.toImageFormat().width())
            pieces += 1
        block = block.next()
    assert widths and 0 < widths[0] <= doc.pageSize().width()  # the panorama fits the page


# --- printing ---------------------------------------------------------------------


def test_print_asks_then_prints_or_not(
    qapp: QApplication, core: ReaderCore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = tmp_path / "printed.pdf"
    answers: list[QDialog.DialogCode] = []

    def dialog_exec(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return answers.pop(0).value

    monkeypatch.setattr(QPrintDialog, "exec", dialog_exec)
    doc = article_document(core.open_article("backend-developer"))
    answers.append(QDialog.DialogCode.Rejected)
    assert printing.print_document(doc, None) is False
    assert not printed.exists()
    answers.append(QDialog.DialogCode.Accepted)
    assert printing.print_document(doc, None) is True
    pages = pdf_pages(printed.read_bytes())
    assert pages and pages[0].startswith(squeeze(TITLE))
