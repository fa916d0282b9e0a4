"""Markdown -> the HTML the reading view shows, and the plain text it shows.

The plain text is the one coordinate system of the app: search offsets and
bookmark selectors are character offsets into it, and the reading view's
document has exactly this text (a test holds the view to it). It is computed
from the same sanitised HTML the view is given, following the block rules of
Qt's rich-text engine: every block element starts a new line, runs of white
space fold to one space outside ``<pre>``, and each line of a ``<pre>`` is a
block of its own.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import PurePosixPath
from urllib.parse import unquote

import markdown
import nh3

# Bump when this module changes what it makes of the same Markdown.
RENDERER_VERSION = "1"


@functools.cache  # the libraries do not change while the process runs
def renderer_stamp() -> str:
    """What the shown text depends on besides the Markdown: this module and its libraries.

    The catalog keeps it with each article's shown text; when it changes (an
    upgrade of Python-Markdown, nh3 or Pygments, say), the text is made again
    and bookmarks are found again in it.
    """
    libraries = ",".join(f"{name} {version(name)}" for name in ("Markdown", "nh3", "Pygments"))
    return f"{RENDERER_VERSION};{libraries}"


_EXTENSIONS = ["tables", "fenced_code", "codehilite", "toc", "sane_lists"]
_EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    "codehilite": {"noclasses": True, "guess_lang": False, "pygments_style": "friendly"},
    "toc": {"permalink": False},
}

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "span": {"style"},
    "div": {"style"},
    "pre": {"style"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "style"},
    "ol": {"start"},
}
_ALLOWED_STYLES = {"color", "background-color", "font-weight", "font-style", "text-decoration"}


@dataclass(frozen=True)
class OutlineEntry:
    level: int
    title: str
    anchor: str
    offset: int  # where the heading starts in the plain text


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str
    outline: tuple[OutlineEntry, ...]


# Raster formats only: an SVG can name other files, which Qt would load.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"})
_MAX_IMAGE_SIDE = 4000  # px, for width and height given in the HTML


def local_image(src: str) -> PurePosixPath | None:
    """The file an image ``src`` names in the article's own folder, or None.

    Only a relative path down from the article's folder, to an image file,
    is an article's own image: never a URL (``http:``, ``file:``, ``data:``),
    an absolute path, a ``..`` step, or a file of another kind.
    """
    path = unquote(src.strip())
    if not path or any(c in path for c in ":\\?#\0") or path.startswith(("/", "~")):
        return None
    parts = PurePosixPath(path).parts
    if any(part in ("..", ".") for part in parts):
        return None
    found = PurePosixPath(*parts)
    return found if found.suffix.lower() in IMAGE_SUFFIXES else None


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """Keep an attribute, or drop it (None): images load only the article's own files."""
    if element == "img" and attribute == "src":
        return value if local_image(value) is not None else None
    if element == "img" and attribute in ("width", "height"):
        size = value.strip().removesuffix("px")
        return size if size.isdigit() and 0 < int(size) <= _MAX_IMAGE_SIDE else None
    return value


def markdown_to_html(source: str) -> str:
    md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS)
    raw = md.convert(source)
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute,
        filter_style_properties=_ALLOWED_STYLES,
        url_schemes={"http", "https", "mailto"},  # links the user may follow; nothing loads
        link_rel=None,
        strip_comments=True,
    )


_BLOCK_GAP = re.compile(
    r"(</?(?:p|h[1-6]|li|pre|blockquote|div|dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|ul|ol)"
    r"\b[^>]*>|<hr\s*/?>)\s+(?=</?(?:p|h[1-6]|li|pre|blockquote|div|dl|dt|dd|table|thead|"
    r"tbody|tfoot|tr|td|th|ul|ol|hr)\b)"
)


_PRE_END = re.compile(r"\n((?:</span>|</code>)*)</pre>")


def render(source: str) -> Rendered:
    # White space between two block tags is layout, not text; Qt would make a
    # stray block of it in places (after a div, before a table).
    body = _BLOCK_GAP.sub(r"\1", markdown_to_html(source))
    # A code block's closing newline is not a line of code.
    body = _PRE_END.sub(r"\1</pre>", body)
    extractor = _TextExtractor()
    extractor.feed(body)
    extractor.close()
    return Rendered(html=body, text=extractor.text(), outline=tuple(extractor.outline))


# --- plain text, block by block, as Qt's rich-text engine lays it out --------

_BLOCK_TAGS = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "pre",
        "blockquote",
        "div",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "ul",
        "ol",
    ]
)
_CELLS = frozenset({"td", "th"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACE = re.compile(r"[ \t\n\r\f]+")


class _TextExtractor(HTMLParser):
    """Collect the text blocks of an HTML fragment the way QTextDocument does.

    Empty blocks vanish, except where Qt keeps them: blank lines of a
    ``<pre>``, empty table cells, a horizontal rule, and the empty block Qt
    puts after a table (and before one that opens the document).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[str] = []
        self._current: list[str] = []
        self._keep_empty = False
        self._pre = 0
        self._pre_text: list[str] = []
        self._heading: tuple[int, str, int] | None = None
        self._heading_text: list[str] = []
        self.outline: list[OutlineEntry] = []
        self._after_table = False

    def _offset(self) -> int:
        return sum(len(b) + 1 for b in self._blocks)

    def _flush(self) -> None:
        text = "".join(self._current).strip(" ")
        if text or self._keep_empty:
            self._blocks.append(text)
        self._current = []
        self._keep_empty = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._pre and tag != "br":
            return
        self._after_table = self._after_table and tag == "hr"
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "table" and not self._blocks:
            self._blocks.append("")
        if tag in _CELLS:
            self._keep_empty = True
        elif tag == "pre":
            self._pre += 1
            self._pre_text = []
        elif tag == "hr":
            self._flush()
            if not self._after_table:  # Qt lays a rule after a table in its trailing block
                self._blocks.append("")
        elif tag in _HEADINGS:
            self._heading = (_HEADINGS[tag], dict(attrs).get("id") or "", self._offset())
            self._heading_text = []
        elif tag == "br":
            self._current.append("\n")
        elif tag == "img":
            self._current.append("\ufffc")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre:
            self._pre -= 1
            if not self._pre:
                content = "".join(self._pre_text).removesuffix("\n")
                self._blocks.extend(content.split("\n"))
            return
        if self._pre:
            return
        if tag in _HEADINGS and self._heading is not None:
            level, anchor, offset = self._heading
            title = _SPACE.sub(" ", "".join(self._heading_text)).strip()
            self.outline.append(OutlineEntry(level, title, anchor, offset))
            self._heading = None
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "table":
            self._blocks.append("")
            self._after_table = True

    def handle_data(self, data: str) -> None:
        if self._pre:
            self._pre_text.append(data)
            return
        if self._heading is not None:
            self._heading_text.append(data)
        text = _SPACE.sub(" ", data)
        if text.startswith(" ") and (not self._current or self._current[-1].endswith((" ", "\n"))):
            text = text[1:]
        if text:
            self._after_table = self._after_table and not text.strip()
            self._current.append(text)

    def text(self) -> str:
        self._flush()
        return "\n".join(self._blocks)


def original_html(text: str, removed: list[str]) -> str:
    """An article's original text as HTML: a line per paragraph, the removed ones struck.

    The lines cleaning left out are matched in order, so a line that is both
    kept once and dropped once elsewhere is struck only where it was dropped.
    """
    out = []
    pending = list(removed)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        body = html.escape(stripped)
        if pending and stripped == pending[0]:
            pending.pop(0)
            out.append(f'<p class="removed"><s>{body}</s></p>')
        else:
            out.append(f"<p>{body}</p>")
    return "\n".join(out)
