"""Markdown -> the HTML the reading view shows, and the plain text it shows.

The plain text is the one coordinate system of the app: search offsets and
bookmark selectors are character offsets into it, and the reading view's
document has exactly this text (a test holds the view to it). It is computed
from the same sanitised HTML the view is given, following the block rules of
Qt's rich-text engine: every block element starts a new line, runs of white
space fold to one space outside ``<pre>``, each line of a ``<pre>`` is a
block of its own, and a table (code and quotes are shown in one) keeps an
empty line after itself.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any, cast
from urllib.parse import unquote
from xml.etree import ElementTree

import markdown
import markdown.htmlparser
import nh3
from markdown import inlinepatterns
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.htmlparser import HTMLExtractor
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import INLINE_PLACEHOLDER_RE
from pygments.token import STANDARD_TYPES

# Bump when this module changes what it makes of the same Markdown.
RENDERER_VERSION = "5"


@functools.cache  # the libraries do not change while the process runs
def renderer_stamp() -> str:
    """What the shown text depends on besides the Markdown: this module and its libraries.

    The catalog keeps it with each article's shown text; when it changes (an
    upgrade of Python-Markdown, nh3 or Pygments, say), the text is made again
    and bookmarks are found again in it.
    """
    from importlib.metadata import version  # read once, and only by what compares stamps

    libraries = ",".join(f"{name} {version(name)}" for name in ("Markdown", "nh3", "Pygments"))
    return f"{RENDERER_VERSION};{libraries}"


_EXTENSIONS = ["tables", "fenced_code", "codehilite", "toc", "sane_lists"]
_EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    # Token classes, not colours: the reading theme colours code (.codehilite .k, ...).
    "codehilite": {"noclasses": False, "css_class": "codehilite", "guess_lang": False},
    "tables": {"use_align_attribute": True},  # align= on cells, which Qt's tables honour
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
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "style"},
    "ol": {"start"},
}
_ALLOWED_STYLES = {"color", "background-color", "font-weight", "font-style", "text-decoration"}
# Class names survive only where the highlighter puts them: its token classes on
# spans, and its own name on the block it wraps code in.
_ALLOWED_CLASSES = {
    "span": {name for name in STANDARD_TYPES.values() if name} | {"hll"},
    "div": {"codehilite"},
}


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


_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def image_sources(markup: str) -> list[str]:
    """The ``src`` of every image of rendered HTML, as written."""
    return [html.unescape(m.group(1) if m.group(1) is not None else m.group(2))
            for m in _IMG_SRC.finditer(markup)]  # fmt: skip


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """Keep an attribute, or drop it (None): images load only the article's own files."""
    if element == "img" and attribute == "src":
        return value if local_image(value) is not None else None
    if element == "img" and attribute in ("width", "height"):
        size = value.strip().removesuffix("px")
        return size if size.isdigit() and 0 < int(size) <= _MAX_IMAGE_SIDE else None
    return value


# --- nested lists at the writer's indent --------------------------------------

_MARKER = re.compile(r"([*+-]|\d{1,9}\.)( +|$)")
_RULE = re.compile(r"([-*_])(?: *\1){2,} *$")  # a horizontal rule, not a list item
_FENCE = re.compile(r"`{3,}|~{3,}")
# Lists and quotes nest at most this deep; an item deeper still is a sibling of
# the deepest one, and a quote mark or list marker past it is shown as written.
# However odd the text, the parser then never goes deeper than this.
MAX_NESTING = 16
# A list marker or quote mark at the start of an item's text opens a level more.
_OPENER = re.compile(r" *(?:>|(?:[*+-]|\d{1,9}\.)(?= |$))")


@dataclass
class _Item:
    marker: int  # the source column of the item's marker
    content: int  # the source column its text starts at
    out: int  # the column its text is moved to: four per level


def _escaped_at(text: str, room: int) -> str:
    """``text`` with the list marker or quote mark that would open level ``room + 1`` escaped.

    The marks at the start of a line each open a level (``- - - x``, ``>>> x``);
    the first one past the room is shown as written, and with it the rest.
    """
    at = mark = 0
    for _ in range(room + 1):
        opener = _OPENER.match(text, at)
        if opener is None:
            return text
        mark = opener.end() - len(opener.group().lstrip(" "))
        if _RULE.match(text, mark):  # a rule ends the line's levels: "- - -" is not three lists
            return text
        at = opener.end()
    return text[:mark] + "\\" + text[mark:]


class _ListIndenter:
    """Moves the lines of nested lists to Python-Markdown's four columns a level.

    A writer nests an item by indenting it past its parent's marker (two,
    three or four spaces); the item is moved to four spaces a level, and the
    lines that belong to an item (its paragraphs, a code block, a fence) move
    with it, keeping their own indent relative to it. Lines outside lists,
    and every word, stay as they are. One pass, line by line.

    Lists and quotes open at most ``room`` levels between them (see
    MAX_NESTING): a deeper item is put beside the deepest, and a quote mark
    or a marker opening one level too many is escaped.
    """

    def __init__(self, room: int = MAX_NESTING) -> None:
        self._items: list[_Item] = []
        self._blank = True  # the line before was blank (or there was none)
        self._code: tuple[int, int] | None = None  # an indented code block: (source, out) column
        # a fence inside an item: (its mark, the shift of its lines, the item's text column)
        self._fence: tuple[str, int, int] | None = None
        self._quote: _ListIndenter | None = None  # the lines of a block quote, less its ">"
        self._room = room

    def line(self, text: str) -> str:
        body = text.lstrip(" ")
        if not body:
            self._blank, self._quote = True, None
            return text
        indent = len(text) - len(body)
        moved = self._moved(indent, body)
        self._blank = False
        return text if moved is None else " " * moved[0] + moved[1]

    def _moved(self, indent: int, body: str) -> tuple[int, str] | None:
        """The new indent and text of a line, or None to keep it as it is."""
        if self._fence is not None:
            mark, shift, inside = self._fence
            if indent >= inside:
                if body.startswith(mark) and not body.strip(mark[0] + " "):
                    self._fence = None
                return max(0, indent + shift), body
            self._fence = None  # never closed: it ends with its item, at a line left of it
        if self._code is not None:
            source, out = self._code
            if indent >= source:
                return out + indent - source, body
            self._code = None
        if not body.startswith(">"):
            self._quote = None
        if self._blank:
            self._close(indent)
            if self._items and indent >= self._items[-1].content + 4:  # code in the item
                self._code = (indent, self._items[-1].out + 4)
                return self._items[-1].out + 4, body
            if not self._items and indent >= 4:  # code outside lists, as it is
                self._code = (4, 4)
                return None
        marker = None if _RULE.match(body) else _MARKER.match(body)
        if marker is not None and (self._items or self._blank):
            self._close(indent)
            if self._room < 1:  # no level left for a list: the marker is text
                return indent, _escaped_at(body, 0)
            if len(self._items) >= self._room:  # as deep as lists go: beside the deepest
                self._items.pop()
            gap = len(marker.group(2))
            content = indent + marker.end(1) + (gap if 0 < gap <= 4 else 1)
            out = self._items[-1].out if self._items else min(indent, 3)
            self._items.append(_Item(indent, content, out + 4))
            rest = body[marker.end() :]
            if _OPENER.match(rest):  # more markers or quote marks: more levels on one line
                body = body[: marker.end()] + _escaped_at(rest, self._room - len(self._items))
            return out, body
        if not self._items:
            return self._quoted(indent, body) if body.startswith(">") else None
        item = self._items[-1]  # after a text line, a line goes on with the innermost item
        if indent < item.content:
            return None  # left of the item's text: a heading, a quote, lazy text, as written
        out = item.out + indent - item.content
        fence = _FENCE.match(body)
        if fence is not None:
            self._fence = (fence.group(), out - indent, item.content)
        return self._quoted(out, body) if body.startswith(">") else (out, body)

    def _close(self, indent: int) -> None:
        """End the items a line at this indent is not inside of."""
        while self._items and indent < self._items[-1].marker + 2:
            self._items.pop()

    def _quoted(self, indent: int, body: str) -> tuple[int, str]:
        """A block quote line: its ">" at the indent, its text nested on its own."""
        room = self._room - len(self._items) - 1
        if room < 0:  # no level left for a quote: its mark is text
            return indent, "\\" + body
        if self._quote is None:
            self._quote = _ListIndenter(room)
        inner = self._quote.line(body[2:] if body.startswith("> ") else body[1:])
        return indent, ">" + (" " + inner if inner else "")


class _NestedListPreprocessor(Preprocessor):
    """The Markdown's lines with nested lists at four spaces a level."""

    def run(self, lines: list[str]) -> list[str]:
        indenter = _ListIndenter()
        return [indenter.line(line) for line in lines]


class NestedListExtension(Extension):
    """Lists nest at two, three or four spaces, as the writer indented them."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After tabs are expanded and fenced code and raw HTML are set aside.
        md.preprocessors.register(_NestedListPreprocessor(md), "nested_lists", 15)


# --- brackets: one look for a text, however many "[" it has -------------------

_BRACKET = re.compile(r"[\[\]]")


class _BracketTable:
    """Where each "[" of a text closes, found in one pass over the text.

    Python-Markdown looks for the "]" of every "[" from it to the end of the
    text, so that a run of brackets that never close costs the square of its
    length. Positions are kept as distances from the end of the text: a
    processor replaces what it matched with a placeholder, which leaves the
    text after it, and those distances, as they were.
    """

    def __init__(self) -> None:
        self._source = ""  # the text the table was made from
        self._closing: dict[int, int] = {}  # "[" -> its "]", both as distances from the end
        self._text: str | None = None  # the text last asked about
        self._valid_from = 0  # from where in it the table holds

    def closing(self, text: str, opening: int) -> int | None:
        """Where the "]" closing the "[" at ``opening`` is, or None when none closes it."""
        if text is not self._text or opening < self._valid_from:
            self._text, self._valid_from = text, opening
            tail = len(text) - opening
            if tail > len(self._source) or not self._source.endswith(text[opening:]):
                self._remake(text)
        end = len(text)
        found = self._closing.get(end - opening)
        return None if found is None else end - found

    def _remake(self, text: str) -> None:
        end = len(text)
        open_at: list[int] = []
        closing: dict[int, int] = {}
        for bracket in _BRACKET.finditer(text):
            if bracket.group() == "[":
                open_at.append(end - bracket.start())
            elif open_at:
                closing[open_at.pop()] = end - bracket.start()
        self._source, self._closing = text, closing


class _OneLookText:
    """The text between "[" and its "]" of a link, image or reference, through _BracketTable.

    Gives what the processor's own getText gives wherever the processor makes
    something of it; where it cannot (the "]" is not followed by what the
    processor needs after it), the text is left out rather than copied.
    """

    AFTER: re.Pattern[str] | None = None  # what must follow the "]", when anything must

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        table: _BracketTable | None = getattr(self, "_table", None)
        if table is None:
            table = self._table = _BracketTable()
        if index < 1 or data[index - 1] != "[":
            # not after a "[": no processor here asks this; the library's own answer
            return super().getText(data, index)  # type: ignore[misc,no-any-return]
        closing = table.closing(data, index - 1)
        if closing is None:
            return "", len(data), False
        if self.AFTER is not None and not self.AFTER.match(data, closing + 1):
            return "", closing + 1, True
        return data[index:closing], closing + 1, True


_AFTER_LINK = re.compile(r"\(")
_AFTER_REFERENCE = re.compile(r"\s?\[")

# --- the "(…)" after a link's text: where the library's scan for its end stops --

_PAREN = re.compile(r"[()]")
_QUOTE = re.compile(r"['\"]")
_QUOTED_CLOSE = re.compile(r"['\"] *\)")  # a quote, then spaces, then ")"


class _ParenTable:
    """Where Python-Markdown's reading of a link's ``(address "title")`` ends, from one pass.

    Python-Markdown reads the address character by character from the "(" on,
    until the parentheses balance, or, once a quote has opened a title, until
    a ")" right after a quote (spaces between) that closes one; when neither
    comes it reads to the end of the text, and takes the address up to the
    ")" that would have balanced the parentheses had the quote not opened a
    title, or fails. Every "[text](" that is not a link so costs the rest of
    the text. The table gives, for any "(", where that reading stops, from
    positions of parentheses and quotes found once. Kept, like _BracketTable,
    across the placeholders a match puts before the place asked about.
    """

    def __init__(self) -> None:
        self._source = ""
        self._text: str | None = None
        self._valid_from = 0
        self._partner: dict[int, int] = {}  # "(" -> its ")", balanced on their own
        self._parens: list[int] = []  # every "(" and ")", in order
        self._level: list[int] = [0]  # "(" less ")" before each of them, and after all
        self._quotes: dict[str, list[int]] = {"'": [], '"': []}
        self._any_quote: list[int] = []
        self._quoted_close: list[tuple[int, int]] = []  # (")", the quote before it)

    def _offset(self, text: str, at: int) -> int:
        """How far ``text``'s positions from ``at`` on lie from the table's."""
        if text is not self._text or at < self._valid_from:
            self._text, self._valid_from = text, at
            tail = len(text) - at
            if tail > len(self._source) or not self._source.endswith(text[at:]):
                self._remake(text)
        return len(self._source) - len(text)

    def _remake(self, text: str) -> None:
        self._source = text
        self._parens, self._level, self._partner = [], [0], {}
        open_at: list[int] = []
        for paren in _PAREN.finditer(text):
            at = paren.start()
            self._parens.append(at)
            if paren.group() == "(":
                open_at.append(at)
                self._level.append(self._level[-1] + 1)
            else:
                if open_at:
                    self._partner[open_at.pop()] = at
                self._level.append(self._level[-1] - 1)
        self._quotes = {"'": [], '"': []}
        for quote in _QUOTE.finditer(text):
            self._quotes[quote.group()].append(quote.start())
        self._any_quote = sorted(self._quotes["'"] + self._quotes['"'])
        self._quoted_close = [(m.end() - 1, m.start()) for m in _QUOTED_CLOSE.finditer(text)]

    def end(self, text: str, opening: int, start: int) -> int | None:
        """Where the reading of the "(" at ``opening``, from ``start``, stops; None if it fails.

        -1 when it reads to the end and takes nearly all of it (a title's quote,
        then a "(" where the parentheses would balance): asked of the library.
        """
        offset = self._offset(text, opening)
        source = self._source
        opening, start = opening + offset, start + offset
        first = bisect.bisect_left(self._any_quote, start)
        quote = self._any_quote[first] if first < len(self._any_quote) else None
        partner = self._partner.get(opening)
        if partner is not None and (quote is None or partner < quote):
            return partner + 1 - offset  # the parentheses balance before any quote
        if quote is None:
            return None
        # From the quote on, a ")" ends the title when the character before it
        # (spaces aside) is a later quote: of the same kind, or of the other
        # kind but not its first after the title's quote.
        other = "'" if source[quote] == '"' else '"'
        others = self._quotes[other]
        at = bisect.bisect_right(others, quote)
        first_other = others[at] if at < len(others) else None
        k = bisect.bisect_right(self._quoted_close, (quote, len(source)))
        while k < len(self._quoted_close):
            close, before = self._quoted_close[k]
            if before > quote and before != first_other:
                return close + 1 - offset
            k += 1
        # No title closes: the parentheses open when the quote came are counted
        # down by those after it, of either kind.
        before_quote = bisect.bisect_left(self._parens, quote)
        depth = 1 + self._level[before_quote] - self._level[bisect.bisect_left(self._parens, start)]
        last = before_quote + depth - 1
        if last >= len(self._parens):
            return None
        paren = self._parens[last]
        return paren + 1 - offset if source[paren] == ")" else -1


class _OneLookLink:
    """A link's or image's ``(…)`` read where Python-Markdown's own reading would stop."""

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        reader = cast(inlinepatterns.LinkInlineProcessor, super())
        m = inlinepatterns.LinkInlineProcessor.RE_LINK.match(data, pos=index)
        if m is None or m.group(1):  # no "(" or an "<address>": read where it is
            return reader.getLink(data, index)
        table: _ParenTable | None = getattr(self, "_paren_table", None)
        if table is None:
            table = self._paren_table = _ParenTable()
        stop = table.end(data, index, m.end())
        if stop is None:
            return "", None, index, False
        if stop < 0:
            return reader.getLink(data, index)
        href, title, end, handled = reader.getLink(data[index:stop], 0)
        return href, title, index + end, handled


class _Link(_OneLookText, _OneLookLink, inlinepatterns.LinkInlineProcessor):
    AFTER = _AFTER_LINK


class _Image(_OneLookText, _OneLookLink, inlinepatterns.ImageInlineProcessor):
    AFTER = _AFTER_LINK


class _Reference(_OneLookText, inlinepatterns.ReferenceInlineProcessor):
    AFTER = _AFTER_REFERENCE


class _ImageReference(_OneLookText, inlinepatterns.ImageReferenceInlineProcessor):
    AFTER = _AFTER_REFERENCE


class _ShortReference(_OneLookText, inlinepatterns.ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_OneLookText, inlinepatterns.ShortImageReferenceInlineProcessor):
    pass


# Python-Markdown's names and places for its link processors, and the ones used instead.
_LINK_PROCESSORS: dict[str, tuple[type[inlinepatterns.InlineProcessor], int]] = {
    "reference": (_Reference, 170),
    "link": (_Link, 160),
    "image_link": (_Image, 150),
    "image_reference": (_ImageReference, 140),
    "short_reference": (_ShortReference, 130),
    "short_image_ref": (_ShortImageReference, 125),
}


# --- backslash escapes: a run of them is one match --------------------------


class _Escapes(str):
    """The text of a run of escapes, which knows the escapes it is made of."""

    parts: tuple[str, ...]


class _EscapeRun(inlinepatterns.EscapeInlineProcessor):
    """Python-Markdown's backslash escapes, each run of them taken as one match.

    The inline processor puts a placeholder for each match into the text and
    makes the text again around it, so that a line of escapes (``\\\\…``)
    costs the square of its length. The library's own escape of each
    character, one after another, is the run's text.
    """

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int, int]:
        escaped, start, end = cast(tuple[str | None, int, int], super().handleMatch(m, data))
        if escaped is None:
            return escaped, start, end
        parts = [escaped]
        while (following := self.compiled_re.match(data, end)) is not None:
            more, _, after = cast(tuple[str | None, int, int], super().handleMatch(following, data))
            if more is None:
                break
            parts.append(more)
            end = after
        run = _Escapes("".join(parts))
        run.parts = tuple(parts)
        return run, start, end


class _RawHtml(inlinepatterns.HtmlInlineProcessor):
    """Python-Markdown's inline HTML, which gives an escape inside a tag back its backslash.

    The library puts back a backslash before each escape it finds in a tag;
    a run of escapes (see _EscapeRun) gets one before each of its escapes.
    """

    def unescape(self, text: str) -> str:
        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]

        def escapes(placeholder: re.Match[str]) -> str:
            value = stash.get(placeholder.group(1))
            if isinstance(value, _Escapes):
                return "".join("\\" + part for part in value.parts)
            return placeholder.group()

        return super().unescape(INLINE_PLACEHOLDER_RE.sub(escapes, text))


# --- raw HTML: a "<" that opens no tag costs no more than itself ---------------

_TAG_OPENS = re.compile(r"<[a-zA-Z]")
_NAME_ENDS = re.compile(r"[\t\n\r\f />\x00]")  # what ends a start tag's name
_BEFORE_ATTRIBUTE = re.compile(r"[\s/]*")
_SPACES = re.compile(r"\s*")


def _run_end(run: re.Pattern[str], text: str, at: int) -> int:
    """Where a pattern that may match nothing ends, matched at ``at``."""
    found = run.match(text, at)
    return at if found is None else found.end()


# The base of _UnclosedMarkup: the standard library's HTML parser, in the copy
# Python-Markdown makes of it and rebinds to its own subclass (whose base this is).
class _UnclosedMarkup(markdown.htmlparser.htmlparser.HTMLParser.__base__):  # type: ignore[misc,name-defined]
    """The standard parser's reading of markup that needs a ">", told at once when none follows.

    An end tag, a processing instruction, a declaration or a marked section
    is not whole without a ">" after it; the standard parser searches the rest
    of the text for it each time. Where the text has no ">" left, each says
    so (-1) without the search. Sits below Python-Markdown's own handling of
    these, which decides what the text of one that is not whole becomes.
    """

    def _none_closes(self, i: int) -> bool:
        """Whether no ">" follows ``i`` in the raw data."""
        rawdata = self.rawdata
        if getattr(self, "_last_close_of", None) is not rawdata:
            self._last_close_of, self._last_close = rawdata, rawdata.rfind(">")
        return bool(self._last_close < i)

    def parse_endtag(self, i: int) -> int:
        return -1 if self._none_closes(i) else super().parse_endtag(i)

    def parse_pi(self, i: int) -> int:
        return -1 if self._none_closes(i) else super().parse_pi(i)

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith("<!--", i) or not self._none_closes(i):
            return super().parse_html_declaration(i)  # type: ignore[no-any-return]
        return -1

    def parse_bogus_comment(self, i: int, report: int = 1) -> int:
        if self._none_closes(i):
            return -1
        return super().parse_bogus_comment(i, report)  # type: ignore[no-any-return]

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        if self._none_closes(i):
            return -1
        return super().parse_marked_section(i, report)  # type: ignore[no-any-return]


class _HtmlExtractor(HTMLExtractor, _UnclosedMarkup):
    """Python-Markdown's raw HTML extractor, which reads each start tag's name and attributes once.

    To tell whether a start tag is whole, the parser matches its name and
    attributes as far as they go; for a "<" that opens no tag (``<a <a <a``,
    ``<a@<a@``, ``<a b='``) it hands the "<" on as text and matches again from
    the next "<", over the same text, to the end of it. Here the end of each
    name, and where the attributes from each place an attribute starts end,
    are found once and kept; a tag found whole is then checked by the
    library itself.
    """

    def reset(self) -> None:
        self._of: str | None = None  # the raw data the places below are in
        self._name_end = (0, 0)  # (from, to): a name going on from anywhere in between ends at to
        self._attributes_end: dict[int, int] = {}  # where an attribute starts -> where they end
        super().reset()

    def check_for_whole_start_tag(self, i: int) -> int:
        rawdata = self.rawdata
        if rawdata is not self._of:
            self._of, self._name_end, self._attributes_end = rawdata, (0, 0), {}
        if _TAG_OPENS.match(rawdata, i) is None:
            return super().check_for_whole_start_tag(i)
        name_from, name_end = self._name_end
        if not name_from <= i + 2 <= name_end:
            ends = _NAME_ENDS.search(rawdata, i + 2)
            name_end = len(rawdata) if ends is None else ends.start()
            self._name_end = (i + 2, name_end)
        attributes = _run_end(_BEFORE_ATTRIBUTE, rawdata, name_end)
        end = _run_end(_SPACES, rawdata, self._attributes_from(attributes))
        after = rawdata[end : end + 1]
        if (after in ("", "/") and not rawdata.startswith("/>", end)) or after in _TAG_GOES_ON:
            return -1  # what the library says of a tag the text ends in, or that goes on
        return super().check_for_whole_start_tag(i)

    def _attributes_from(self, at: int) -> int:
        """Where the attributes starting at ``at`` end, as the library matches them."""
        known = self._attributes_end
        passed = []
        while at not in known:
            assert _ATTRIBUTE is not None  # used only with _FAST_START_TAGS
            attribute = _ATTRIBUTE.match(self.rawdata, at)
            if attribute is None or attribute.end() == at:
                known[at] = at
                break
            passed.append(at)
            at = attribute.end()
        end = known[at]
        for start in passed:
            known[start] = end
        return end


# One attribute, as the library's parser reads it. _HtmlExtractor follows how the
# standard parser of Python 3.11 to 3.13 finds a start tag's end; a parser that
# finds it another way (with "locatetagend", as later releases do) is left to
# read raw HTML blocks itself: correct, if slower on markup that never closes.
_PARSER: Any = markdown.htmlparser.htmlparser  # type: ignore[attr-defined]
_ATTRIBUTE: re.Pattern[str] | None = getattr(_PARSER, "attrfind_tolerant", None)
_FAST_START_TAGS = _ATTRIBUTE is not None and not hasattr(_PARSER, "locatetagend")
_TAG_GOES_ON = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=")


class _HtmlBlockPreprocessor(HtmlBlockPreprocessor):
    """Python-Markdown's raw HTML blocks, found by _HtmlExtractor."""

    def run(self, lines: list[str]) -> list[str]:
        extractor = _HtmlExtractor(self.md)
        extractor.feed("\n".join(lines))
        extractor.close()
        return "".join(extractor.cleandoc).split("\n")


# --- tables: a block is looked at as far as it can be a table ----------------

_SEPARATOR_CHARACTERS = frozenset("|:- \\")  # a separator row's, with escapes its border may drop


class _TableProcessor(TableProcessor):
    """Python-Markdown's tables, tested on the lines of a block that can make one.

    The library splits the whole block into rows to test whether it starts a
    table, and a block that others take one line at a time (headings, say)
    is split again for each line. Whether it is a table
    depends on its first two rows and, for a table of one column, on the
    rows down to the first without a pipe; the test is given those.
    """

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        first = block.find("\n")
        if first < 0:
            return False  # one row: no table
        second = block.find("\n", first + 1)
        second = len(block) if second < 0 else second
        if not set(block[first + 1 : second].strip(" ")) <= _SEPARATOR_CHARACTERS:
            return False  # the second row is no separator
        if not super().test(parent, block[:second]):
            return False
        if len(self.separator) > 1:
            return True
        # One column: each row down to the first without a pipe must have one.
        end = second
        while end < len(block):
            start, end = end + 1, block.find("\n", end + 1)
            end = len(block) if end < 0 else end
            row = block[start:end].strip(" ")
            if not row.startswith("|") and self.RE_END_BORDER.search(row) is None:
                break
        return bool(super().test(parent, block[:end]))


# --- inline elements nest at most MAX_NESTING deep ------------------------------


def _flattened(element: ElementTree.Element) -> None:
    """Keep the text under ``element`` and its innermost elements, without the ones between.

    What is left under it is its text, then each element that had no element
    inside it (a link's text, a code span, an image), in order, with the text
    that followed each as its tail. No recursion: a list of things to visit.
    """
    leaves: list[ElementTree.Element] = []
    texts: list[list[str]] = [[element.text or ""]]  # the text before each leaf, and at the end
    todo: list[tuple[ElementTree.Element, bool]] = [(c, False) for c in reversed(element)]
    while todo:
        node, done = todo.pop()
        if done:  # the end of an element that held others
            texts[-1].append(node.tail or "")
        elif len(node) == 0:
            leaves.append(node)
            texts.append([node.tail or ""])
        else:
            texts[-1].append(node.text or "")
            todo.append((node, True))
            todo.extend((c, False) for c in reversed(node))
    element.text = "".join(texts[0]) or None
    for leaf, after in zip(leaves, texts[1:], strict=True):
        leaf.tail = "".join(after) or None
    element[:] = leaves


def _cap_inline_depth(root: ElementTree.Element, is_block: Callable[[str], bool]) -> None:
    """Flatten the inline elements under ``root`` that are MAX_NESTING deep in others."""
    todo: list[tuple[ElementTree.Element, int]] = [(root, 0)]
    while todo:
        element, depth = todo.pop()
        for child in element:
            inline = 0 if is_block(child.tag) else depth + 1
            if inline >= MAX_NESTING - 1 and len(child):  # what is left under it is a level more
                _flattened(child)
            else:
                todo.append((child, inline))


class _ShallowEmphasis(inlinepatterns.DelimiterProcessor):
    """Emphasis as Python-Markdown reads it, nested at most MAX_NESTING deep.

    A run of marks (``***…x…***``) nests as deep as it is long; Python-Markdown's
    inline processor copies the list of an element's ancestors at each level
    below it, which costs the square of the depth, and its later processors
    and serializer recurse through it.
    """

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[ElementTree.Element | None, int | None, int | None]:
        element, start, end = super().handleMatch(m, data)
        if element is not None:
            holder = ElementTree.Element("span")  # so the element itself counts as a level
            holder.append(element)
            _cap_inline_depth(holder, lambda tag: False)
        return element, start, end


class _InlineDepthTreeprocessor(Treeprocessor):
    """Flatten inline elements nested more than MAX_NESTING deep, whatever made them."""

    def run(self, root: ElementTree.Element) -> None:
        _cap_inline_depth(root, self.md.is_block_level)


class GrowthExtension(Extension):
    """Rendering that takes time in proportion to the text, and a bounded depth of calls."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        for name, (processor, place) in _LINK_PROCESSORS.items():
            pattern = md.inlinePatterns[name].pattern
            md.inlinePatterns.register(processor(pattern, md), name, place)
        # Python-Markdown's own emphasis: "*" and "_", for strong and em, at its place.
        emphasis = _ShallowEmphasis("*", "strong,em", md)
        emphasis.add("_", "strong,em", smart=True)
        md.inlinePatterns.register(emphasis, "em_strong", 60)
        escape = md.inlinePatterns["escape"].pattern
        md.inlinePatterns.register(_EscapeRun(escape, md), "escape", 180)
        for name, place in (("html", 90), ("entity", 80)):
            md.inlinePatterns.register(_RawHtml(md.inlinePatterns[name].pattern, md), name, place)
        if _FAST_START_TAGS:
            md.preprocessors.register(_HtmlBlockPreprocessor(md), "html_block", 20)
        tables: Any = md.parser.blockprocessors["table"]  # the tables extension's, with its config
        md.parser.blockprocessors.register(_TableProcessor(md.parser, tables.config), "table", 75)
        # After the inline processors (20), before those that walk the whole tree (10 and 5).
        md.treeprocessors.register(_InlineDepthTreeprocessor(md), "inline_depth", 15)


_converters = threading.local()  # a thread's Markdown converter, made once


def _converter() -> markdown.Markdown:
    """This thread's converter, reset: making one with its extensions costs as much as
    a third of converting a short article."""
    md: markdown.Markdown | None = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = markdown.Markdown(
            extensions=[*_EXTENSIONS, NestedListExtension(), GrowthExtension()],
            extension_configs=_EXTENSION_CONFIGS,
        )
    return md.reset()


def markdown_to_html(source: str) -> str:
    md = _converter()
    try:
        converted = md.convert(source)
    except BaseException:
        _converters.md = None  # a conversion that failed midway may leave state behind
        raise
    # Raw HTML may nest without end; the sanitiser's parser takes time in
    # proportion to the depth for each element, so at most MAX_DEPTH are open.
    raw = shallow_html(converted)
    return nh3.clean(
        raw,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute,
        filter_style_properties=_ALLOWED_STYLES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},  # links the user may follow; nothing loads
        link_rel=None,
        strip_comments=True,
    )


# --- boxes: Qt's rich text draws rules, padding and one background in tables --
#
# Qt paints a <pre>'s background line by line, pads it nowhere, and draws no
# rule beside a <blockquote>; a table cell has all of these. The geometry is
# set here, the colours are the reading theme's, by class:
#   table.md-table  an article's own table: border-color, the rules between cells
#   td.code-block   a code block: background-color (the same as its <pre>'s, which
#                   Qt gives the cell); highlighted code's cell is also .codehilite
#   td.quote        a block quote: border-left-color, its rule, and color, its text

# Qt puts no space between a block and a table after it: a box brings its own.
_BELOW = 18  # px under a box or a list, as under a paragraph
_BOX_MARGIN = f"margin-top: 12px; margin-bottom: {_BELOW}px"
_TABLE_OPEN = (
    '<table class="md-table" border="1" cellspacing="0" cellpadding="6"'
    f' style="border-collapse: collapse; {_BOX_MARGIN}"{{}}>'
)
_CELL_PADDING = "padding: 4px 10px"
_CODE_OPEN = (
    '<table class="code-block" width="100%" cellspacing="0" cellpadding="0"'
    f' style="{_BOX_MARGIN}"><tr><td class="{{}}" style="padding: 12px 16px">'
)
_CODE_PRE = '<pre style="margin-top: 0px; margin-bottom: 0px">'
_CODE_CLOSE = "</td></tr></table>"
_QUOTE_OPEN = (
    '<table class="quote" width="100%" cellspacing="0" cellpadding="0"'
    f' style="{_BOX_MARGIN}"><tr><td class="quote" style="border-left-width: 3px;'
    ' border-left-style: solid; padding: 0px 0px 0px 16px"{}>'
)
_QUOTE_CLOSE = "</td></tr></table>"
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:[^>"]|"[^"]*")*)>')
_STYLED_BOTTOM = re.compile(r'( style="[^"]*?)margin-bottom: \d+px')


def _bottom_margin(start_tag: str, px: int) -> str:
    """A start tag with its bottom margin set."""
    margin = f"margin-bottom: {px}px"
    changed, found = _STYLED_BOTTOM.subn(rf"\g<1>{margin}", start_tag, count=1)
    return changed if found else f'{start_tag[:-1]} style="{margin}">'


def _boxed(body: str) -> str:
    """Give tables rules, code a padded block, and quotes a rule down their left.

    Qt's rich text paints a ``<pre>``'s background line by line and has no
    padding for it or rule for a ``<blockquote>``; a table cell has both.
    Lists get their space below after their last line, where Qt would put
    it under the last item's first line. Runs on the sanitised HTML, one
    pass over its tags.
    """
    boxes = _Boxes()
    done = 0
    for tag in _TAG.finditer(body):
        if boxes.in_code and tag.group(2) != "pre":
            continue  # left as it is, with the text around it
        boxes.out.append(body[done : tag.start()])
        done = tag.end()
        boxes.tag(tag.group(1) == "/", tag.group(2), tag.group(3), tag.group())
    boxes.out.append(body[done:])
    return "".join(boxes.out)


class _Boxes:
    """The state of `_boxed` between tags."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self._pre = 0  # how deep inside <pre> the tags are
        self._divs: list[bool] = []  # per open <div>: is it the highlighter's (the box replaces it)
        self._blocks: list[int] = []  # where each open paragraph, list or box starts in `out`
        # Where the paragraph, list or box that just ended starts; for a list, where the
        # list starts that holds its last line.
        self._ended: int | None = None
        self._inside: list[str] = []  # the open items, quotes and cells, innermost last
        self._last_list: int | None = None  # the item that just ended ends in this list

    @property
    def in_code(self) -> bool:
        return self._pre > 0

    def tag(self, closing: bool, name: str, attrs: str, whole: str) -> None:
        ended, self._ended = self._ended, None
        last_list, self._last_list = self._last_list, None
        if name in _CONTAINERS:
            if closing and self._inside:
                self._inside.pop()
            elif not closing:
                self._inside.append(name)
        if name == "pre":
            self._code(closing, whole)
        elif name == "div":
            if closing:
                if not (self._divs and self._divs.pop()):
                    self.out.append(whole)
            else:
                self._divs.append(attrs == ' class="codehilite"')
                if not self._divs[-1]:
                    self.out.append(whole)
        elif name == "table" and not closing:
            self.out.append(_TABLE_OPEN.format(attrs))
        elif name in _CELLS and not closing:  # a cell of the article's own table
            if ' style="' in attrs:
                attrs = attrs.replace(' style="', f' style="{_CELL_PADDING}; ', 1)
            else:
                attrs += f' style="{_CELL_PADDING}"'
            self.out.append(f"<{name}{attrs}>")
        elif name == "blockquote":
            if closing and ended is not None:  # the rule ends with the quote's last line
                self.out[ended] = _bottom_margin(self.out[ended], 0)
            self._block(closing)
            self.out.append(_QUOTE_CLOSE if closing else _QUOTE_OPEN.format(attrs))
        elif name in ("ul", "ol"):
            self._list(closing, whole, last_list)
        else:
            if name == "li" and closing and ended is not None and ended == last_list:
                self._last_list = last_list  # the item ends with a list
            elif name == "p":
                self._block(closing)
            self.out.append(whole)

    def _list(self, closing: bool, whole: str, last_list: int | None) -> None:
        """A list inside an item has no space below; the outermost has it after its last line."""
        nested = bool(self._inside) and self._inside[-1] == "li"
        if not closing:
            self._block(closing)
            self.out.append(_bottom_margin(whole, 0) if nested else whole)
            return
        self.out.append(whole)
        if not self._blocks:
            return
        start = self._blocks.pop()
        holder = start if last_list is None else last_list
        if holder != start and not nested:
            self.out[start] = _bottom_margin(self.out[start], 0)
            self.out[holder] = _bottom_margin(self.out[holder], _BELOW)
        self._ended = self._last_list = holder

    def _block(self, closing: bool) -> None:
        """Note where a paragraph, list or box starts, or that it ended."""
        if not closing:
            self._blocks.append(len(self.out))
        elif self._blocks:
            self._ended = self._blocks.pop()

    def _code(self, closing: bool, whole: str) -> None:
        if closing:
            self._pre = max(0, self._pre - 1)
            self.out.append("</pre>" if self._pre else "</pre>" + _CODE_CLOSE)
            if not self._pre:
                self._block(closing)
        elif self._pre:
            self._pre += 1
            self.out.append(whole)
        else:
            self._pre = 1
            self._block(closing)
            highlighted = bool(self._divs) and self._divs[-1]
            classes = "code-block codehilite" if highlighted else "code-block"
            self.out.append(_CODE_OPEN.format(classes) + _CODE_PRE)


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
    body = _boxed(_PRE_END.sub(r"\1</pre>", body))
    extractor = _TextExtractor()
    extractor.feed(body)
    extractor.close()
    return Rendered(html=body, text=extractor.text(), outline=tuple(extractor.outline))


# --- raw HTML at most so deep --------------------------------------------------

MAX_DEPTH = 200  # elements HTML keeps open at once, in shallow_html
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
# A comment's start, or a tag's start; the tag goes on to the next ">" (see _Markup).
_MARKUP = re.compile(r"<(?:!--|(/?)([A-Za-z][\w:-]*))")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})


def shallow_html(html: str) -> str:
    """HTML (a page, or what Markdown makes) with at most MAX_DEPTH elements open at once.

    An element that would open deeper closes the innermost open one first,
    and so comes beside it rather than inside: its text, and every word of
    the page, stays in an element of its own kind. Tags are matched the
    lenient way a browser matches them: an end tag closes the latest element
    of its name and those opened after it. One pass over the tags.
    """
    out: list[str] = []
    open_tags: list[str] = []  # the innermost last
    open_count: dict[str, int] = {}
    done = 0
    at = 0
    tags = _Markup(html)
    while (markup := tags.next(at)) is not None:
        at = tags.end
        name = (markup.group(2) or "").lower()
        if markup.group() == "<!--":  # a comment: up to its end, or the page's
            close = html.find("-->", at)
            at = len(html) if close < 0 else close + 3
        elif name in _RAW_TEXT and not markup.group(1):  # its text is no markup: kept whole
            end = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, at)
            at = len(html) if end is None else end.end()
        elif markup.group(1):  # an end tag
            while open_count.get(name) and open_tags:
                top = open_tags.pop()
                open_count[top] -= 1
                if top == name:
                    break
        elif name not in _VOID and not html.startswith("/>", tags.end - 2):
            if len(open_tags) >= MAX_DEPTH:
                top = open_tags.pop()
                open_count[top] -= 1
                out.append(html[done : markup.start()])
                out.append(f"</{top}>")
                done = markup.start()
            open_tags.append(name)
            open_count[name] = open_count.get(name, 0) + 1
    out.append(html[done:])
    return "".join(out)


class _Markup:
    """The comments' and tags' starts in a page, in order: a tag is one when a ">" ends it.

    Each tag's ">" is the first after it; the one found last is kept while
    tags before it are read, so a run of "<" that no ">" closes is read once.
    """

    def __init__(self, html: str) -> None:
        self._html = html
        self._close = -1  # the ">" found last
        self.end = 0  # where the markup found last ends

    def next(self, at: int) -> re.Match[str] | None:
        html = self._html
        while (markup := _MARKUP.search(html, at)) is not None:
            if markup.group() == "<!--":
                self.end = markup.end()
                return markup
            if self._close < markup.end():
                self._close = html.find(">", markup.end())
                if self._close < 0:  # no ">" is left: no tag, comments only
                    self._close = len(html)
            if self._close < len(html):
                self.end = self._close + 1
                return markup
            at = markup.start() + 1
        return None


# --- plain text, block by block, as Qt's rich-text engine lays it out --------

# Elements that are blocks of their own; lists and table rows are not, their
# items and cells are.
_BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "div", "dl", "dt", "dd"]
)
_CELLS = frozenset({"td", "th"})
_CONTAINERS = _CELLS | {"li", "blockquote"}
_CLOSING_TAGS = _BLOCK_TAGS | _CELLS | {"ul", "ol", "tr"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACE = re.compile(r"[ \t\n\r\f]+")


class _TextExtractor(HTMLParser):
    """Collect the text blocks of an HTML fragment the way QTextDocument does.

    Qt's importer has a current block at every point, which is "fresh" until
    text goes into it: a block element takes a fresh block over rather than
    adding one, so empty elements leave no block. A table goes in after the
    current block, fresh or not, and leaves a new empty block after itself
    as the current one; each cell starts with a block of its own. A
    horizontal rule is an empty block, and each line of a ``<pre>`` a block.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._blocks: list[str] = []  # the blocks before the current one
        self._length = 0  # of those blocks, each with its line break
        self._current: list[str] = []  # the text of the current block
        self._fresh = True  # nothing has gone into the current block
        self._verbatim = False  # the current block is a line of a <pre>, spaces and all
        self._closed = False  # a block element ended, and no text came after it
        self._pre = 0
        self._heading: tuple[int, str, int] | None = None
        self._heading_text: list[str] = []
        self.outline: list[OutlineEntry] = []

    def _current_text(self) -> str:
        text = "".join(self._current)
        return text if self._verbatim else text.lstrip(" ")

    def _new_block(self) -> None:
        block = self._current_text()
        self._blocks.append(block)
        self._length += len(block) + 1
        self._current = []
        self._verbatim = False

    def _block(self) -> None:
        """A block element starts: in the fresh block, or in a new one."""
        if not self._fresh:
            self._new_block()
        self._fresh = True
        self._closed = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._pre and tag != "br":
            return
        if tag in _CELLS:
            self._new_block()  # the block before the table, or the cell before
            self._fresh, self._closed = True, False
        elif tag == "table":
            self._fresh = False
        elif tag in _BLOCK_TAGS:
            self._block()
            if tag == "pre":
                self._pre = 1
            elif tag in _HEADINGS:
                self._heading = (_HEADINGS[tag], dict(attrs).get("id") or "", self._length)
                self._heading_text = []
        elif tag == "hr":
            self._block()
            self._fresh, self._closed = False, True
        elif tag == "br":
            self._text("\n")
        elif tag == "img":
            self._text("\ufffc")

    def handle_endtag(self, tag: str) -> None:
        if self._pre:
            if tag == "pre":
                self._pre = 0
                self._closed = True
            return
        if tag in _HEADINGS and self._heading is not None:
            level, anchor, offset = self._heading
            title = _SPACE.sub(" ", "".join(self._heading_text)).strip()
            self.outline.append(OutlineEntry(level, title, anchor, offset))
            self._heading = None
        if tag == "table":
            self._new_block()  # the block after the table is the current one
            self._closed = False
        elif tag in _CLOSING_TAGS:
            self._closed = True

    def handle_data(self, data: str) -> None:
        if self._pre:
            lines = data.split("\n")
            for line in lines[:-1]:
                self._verbatim = True
                self._text(line)
                self._new_block()
            self._verbatim = True
            self._text(lines[-1])
            return
        if self._heading is not None:
            self._heading_text.append(data)
        text = _SPACE.sub(" ", data)
        if text.startswith(" ") and (not self._current or self._current[-1].endswith((" ", "\n"))):
            text = text[1:]
        if text.strip(" "):
            if self._closed and not self._fresh:
                self._new_block()  # text after a block element starts a block of its own
            self._closed = False
        if text:
            self._text(text)

    def _text(self, text: str) -> None:
        if text:
            self._current.append(text)
            self._fresh = False

    def text(self) -> str:
        return "\n".join([*self._blocks, self._current_text()])


def original_html(text: str, removed_at: Collection[int]) -> str:
    """An article's original text as HTML: a line per paragraph, the removed ones struck.

    ``removed_at`` numbers the lines of ``text`` that cleaning left out, so a
    line that is both kept once and dropped once elsewhere is struck only
    where it was dropped.
    """
    out = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if not stripped:
            continue
        body = html.escape(stripped)
        if number in removed_at:
            out.append(f'<p class="removed"><s>{body}</s></p>')
        else:
            out.append(f"<p>{body}</p>")
    return "\n".join(out)
