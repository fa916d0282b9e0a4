"""Turn a user's file into Markdown the reading view renders.

One module per source format; each exposes ``convert(text) -> (title, markdown)``.
:func:`convert_file` picks the converter by file suffix, decodes the bytes and
settles the title. Saved HTML and other formats slot in by adding a module and
a line to ``CONVERTERS``. A converter's module is loaded with the first file it
converts: telling which files are articles needs none of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reader.errors import ImportFailed
from reader.library.importing.html import HTML_SUFFIXES, PageMetadata
from reader.library.importing.titles import derive_title, title_from_filename

Converter = Callable[[str], tuple[str | None, str]]


def _text_to_markdown(text: str) -> tuple[str | None, str]:
    from reader.library.importing.text import text_to_markdown

    return text_to_markdown(text)


def _markdown(text: str) -> tuple[str | None, str]:
    from reader.library.importing.markdown import convert

    return convert(text)


CONVERTERS: dict[str, Converter] = {
    ".txt": _text_to_markdown,
    ".text": _text_to_markdown,
    ".md": _markdown,
    ".markdown": _markdown,
}

SUPPORTED_SUFFIXES = frozenset(CONVERTERS) | HTML_SUFFIXES
# Bump when a converter changes its output: cached conversions are then redone.
CONVERTER_VERSION = "3"
MAX_BYTES = 20 * 1024 * 1024
METADATA_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class Converted:
    title: str
    markdown: str
    metadata: PageMetadata = field(default_factory=PageMetadata)


def is_supported(path: Path) -> bool:
    return is_article_name(path.name)


def is_article_name(name: str) -> bool:
    """Whether a file of this name is read as an article: a supported suffix, not
    hidden, not an article's metadata. On the bare name, so a folder of 20,000
    names is sorted without a Path made for each."""
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""
    return (
        suffix in SUPPORTED_SUFFIXES
        and not name.startswith(".")
        and not name.endswith(METADATA_SUFFIX)
    )


def is_page_folder_file(path: Path, root: Path) -> bool:
    """A file inside a saved page's "NAME_files" folder, with NAME.html beside that folder."""
    for folder in path.parents:
        if folder == root or root not in folder.parents:
            return False
        if folder.name.endswith("_files"):
            stem = folder.name.removesuffix("_files")
            if any((folder.parent / (stem + s)).is_file() for s in HTML_SUFFIXES):
                return True
    return False


def metadata_path(path: Path) -> Path:
    return path.with_name(path.stem + METADATA_SUFFIX)


def has_metadata(path: Path) -> bool:
    """Whether ``NAME.meta.json`` is beside the article (a name too long for it: no)."""
    try:
        return metadata_path(path).is_file()
    except OSError:
        return False


def read_metadata(path: Path) -> dict[str, str]:
    """The optional ``NAME.meta.json`` beside an article (a title, for one)."""
    if not has_metadata(path):
        return {}
    try:
        return parse_metadata(metadata_path(path).read_bytes())
    except OSError:
        return {}


def parse_metadata(data: bytes) -> dict[str, str]:
    """What a ``NAME.meta.json`` file's bytes say: its string fields; {} for anything else."""
    if not data:
        return {}
    try:
        parsed = json.loads(data.decode("utf-8"))
    except ValueError:
        return {}
    if not isinstance(parsed, dict):
        return {}
    return {k: v for k, v in parsed.items() if isinstance(k, str) and isinstance(v, str)}


def convert_bytes(data: bytes, path: Path, metadata: dict[str, str] | None = None) -> Converted:
    """Convert a file's bytes; ``path`` gives the format and a fallback title."""
    from reader.library.importing import html as html_import
    from reader.library.importing import markdown as md_import
    from reader.library.importing.decode import (
        decode_bytes,
        normal_text,
        refuse_binary,
        refuse_control_text,
    )

    suffix = path.suffix.lower()
    converter = CONVERTERS.get(suffix)
    if converter is None and suffix not in HTML_SUFFIXES:
        raise ImportFailed(f"{path.name}: unsupported file type {path.suffix or '(none)'}")
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"{path.name}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise ImportFailed(f"{path.name}: the file is empty")
    refuse_binary(data, path.name)
    page = PageMetadata()
    if converter is None:
        converted = html_import.convert_page(data, path)
        headline, markdown, page = converted.title, converted.markdown, converted.metadata
        if headline is not None and markdown.strip():
            if byline := page.byline():  # set apart, in italics, from the text under it
                markdown = f"*{byline}*\n\n{markdown}"
            markdown = md_import.with_title(markdown, headline)
    else:
        text = normal_text(decode_bytes(data, path.name))
        refuse_control_text(text, path.name)
        if not text.strip():
            raise ImportFailed(f"{path.name}: the file is empty")
        headline, markdown = converter(text)
    if not markdown.strip():
        raise ImportFailed(f"{path.name}: no readable text found")
    meta_title = (metadata or {}).get("title", "").strip()
    title = meta_title or headline or title_from_filename(path) or derive_title(markdown)
    if headline is None:
        markdown = md_import.with_title(markdown, title)
    return Converted(title=title, markdown=markdown, metadata=page)


def convert_file(path: Path) -> Converted:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    return convert_bytes(data, path, read_metadata(path))


@dataclass(frozen=True)
class Original:
    """An article's source as its file has it, and the lines its cleaning left out."""

    text: str  # a saved page's whole visible text; any other file's text as written
    removed_at: tuple[int, ...]  # which lines of ``text`` (by number) are not shown

    @property
    def removed(self) -> list[str]:
        """The lines of ``text`` that are not in the article as shown."""
        lines = self.text.splitlines()
        return [lines[k].strip() for k in self.removed_at]


_WINDOW = 20_000  # how far past the last kept line the next is looked for


def original_of(path: Path, shown: str) -> Original:
    """What ``path`` holds, and which of its lines the article shown as ``shown`` left out.

    A line is kept when its words appear in the shown text soon after those of
    the line kept before it (spacing and list markers aside). Markdown is never
    cleaned: nothing of it is left out.
    """
    from reader.library.importing import html as html_import
    from reader.library.importing import text as text_import
    from reader.library.importing.decode import decode_bytes, normal_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        text = html_import.visible_text(data, path.name)
    else:
        text = normal_text(decode_bytes(data, path.name))
    if CONVERTERS.get(suffix) is _markdown:
        return Original(text, ())
    flat = " ".join(shown.split())
    removed: list[int] = []
    at = 0
    for number, line in enumerate(text.splitlines()):
        words = " ".join(text_import.without_marker(line).split())
        if not re.search(r"\w", words):
            continue
        # Kept lines come in order, each soon after the one kept before it: a
        # bounded look keeps this linear however many lines were left out.
        found = flat.find(words, at, at + _WINDOW + len(words))
        if found < 0:
            removed.append(number)
            continue
        at = found + len(words)
    return Original(text, tuple(removed))
