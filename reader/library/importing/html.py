"""Saved web pages -> Markdown, through trafilatura's article extraction.

trafilatura finds the article in the page (leaving menus, ads, comments and
footers out) and gives it as a tree of its own elements (``head``, ``p``,
``list``/``item``, ``table``/``row``/``cell``, ``quote``, ``code``, ``hi``,
``ref``, ``graphic``, ``lb``), with the page's metadata. That tree is written
out here as Markdown, every text escaped so it shows as written. Images are
kept only when the saved page has them on disk beside it (a browser's "Web
page, complete" folder); nothing is ever fetched.
"""

from __future__ import annotations

import logging
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from reader.library.importing.decode import decode_html, normal_text
from reader.library.importing.markup import escape_inline, escape_line_start, escape_markdown
from reader.rendering import IMAGE_SUFFIXES, shallow_html

if TYPE_CHECKING:
    from lxml import etree

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MAX_IMAGE_BYTES = 20 * 1024 * 1024

for _name in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class PageMetadata:
    """What the page says about itself; "" where it says nothing."""

    author: str = ""
    published: str = ""  # as the page gives it, usually YYYY-MM-DD
    site: str = ""
    url: str = ""

    def byline(self) -> str:
        """One Markdown line for under the headline: author · site · date, and the address."""
        names = [self.author] + ([self.site] if _key(self.site) != _key(self.author) else [])
        parts = [escape_inline(x) for x in (*names, self.published) if x]
        if self.url and urlsplit(self.url).scheme in ("http", "https"):
            host = urlsplit(self.url).hostname or self.url
            parts.append(f"[{escape_inline(host)}]({_link(self.url)})")
        return " · ".join(parts)


@dataclass
class Page:
    title: str | None
    markdown: str
    metadata: PageMetadata
    images: list[PurePosixPath] = field(default_factory=list)  # relative to the page


def convert_page(data: bytes, path: Path) -> Page:
    """Extract the article from a saved page's bytes; ``path`` is where the page lies."""
    html = decode_html(data, path.name)
    tree = _parsed(html)
    if tree is not None and _too_deep(tree):
        html = shallow_html(html)  # trafilatura parses it again, and would lose the same
        tree = _parsed(html)
    if tree is None:
        return Page(None, "", PageMetadata())
    # Imported here, on the first page converted: trafilatura and the date and
    # URL libraries it loads take longer to import than anything else reader
    # loads, and listing, searching or opening an article never needs them.
    import trafilatura
    from trafilatura.settings import Document

    headings = [_clean(h.text_content()) for h in tree.iter("h1")]
    images = _images_in(tree, path.parent)
    doc = trafilatura.bare_extraction(
        html,  # its own parse: it reads the page's text differently from a tree given
        with_metadata=True,
        # Bold and italic are left out: asking for them, the extractor drops
        # text written straight into a block (measured on the judged pages).
        include_formatting=False,
        include_links=True,
        # Asked for only when the page has images of its own to show: taking
        # them in makes the extractor keep more of the page around them.
        include_images=bool(images),
        include_tables=True,
        include_comments=False,
        deduplicate=False,
    )
    meta = PageMetadata()
    title: str | None = None
    body = None
    if isinstance(doc, Document):
        meta = PageMetadata(
            author=_clean(doc.author or ""),
            published=_clean(doc.date or ""),
            site=_clean(doc.sitename or ""),
            url=(doc.url or "").strip(),
        )
        title = headline(_clean(doc.title or ""), meta, headings)
        body = doc.body
    writer = _Writer(path.parent)
    if body is not None and title:
        # The headline, which the title shows, often with a kicker above it.
        for child in [c for c in body if isinstance(c.tag, str)][:3]:
            if child.tag == "head" and _same(_clean("".join(child.itertext())), title):
                body.remove(child)
                break
    blocks = writer.blocks(body) if body is not None else []
    return Page(title, _join_blocks(blocks), meta, writer.images)


_TITLE_SEPARATOR = re.compile(r"\s+(?:[|·•»:]{1,2}|[-–—]{1,2}|⋆)\s+")


def headline(title: str, meta: PageMetadata, headings: list[str]) -> str | None:
    """The page's headline: its title without the site's name, or its one <h1> in it.

    A page's <title> is usually "Headline | Site" or "Site - Headline". The
    one <h1> of the page, when the title holds it, is the headline as the
    page shows it; else a part of the title naming the site (its name or
    host) is cut, and so is a last short part after a "|" (a section or
    site name).
    """
    key = _key(title)
    ones = [h for h in headings if h]
    if len(ones) == 1 and len(_key(ones[0])) >= 8 and _key(ones[0]) in key:
        return ones[0]
    host = (urlsplit(meta.url).hostname or "").removeprefix("www.")
    site_keys = {k for k in (_key(meta.site), _key(host), _key(host.rsplit(".", 1)[0])) if k}
    parts = _TITLE_SEPARATOR.split(title)
    seps = _TITLE_SEPARATOR.findall(title)
    while len(parts) > 1:
        last, first = _key(parts[-1]), _key(parts[0])
        if any(last == k or (k in last and len(last) <= len(k) + 6) for k in site_keys) or (
            seps[-1].strip() == "|" and len(parts[-1].split()) <= 3
        ):
            parts, seps = parts[:-1], seps[:-1]
        elif any(first == k or (k in first and len(first) <= len(k) + 6) for k in site_keys):
            parts, seps = parts[1:], seps[1:]
        else:
            break
    rebuilt = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=True))
    return rebuilt.strip() or title or None


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def visible_text(data: bytes, name: str) -> str:
    """The whole text a browser shows for the page: one block per line, menus and all."""
    root = parse_html(decode_html(data, name))
    if root is None:
        return ""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = re.sub(r"\s+", " ", "".join(current)).strip()
        if line:
            lines.append(line)
        current.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _INVISIBLE or not tag:
            if el.tail:
                current.append(el.tail)
            return
        block = tag in _BLOCKS
        if block:
            flush()
        if el.text:
            current.append(el.text)
        for child in el:
            walk(child)
        if block or tag == "br":
            flush()
        elif tag in ("td", "th"):
            current.append(" ")
        if el.tail:
            current.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return "\n".join(lines)


_INVISIBLE = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "title", "meta", "link", "iframe"}
)
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "button", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "label", "li", "main", "nav",
        "ol", "option", "p", "pre", "section", "select", "summary", "table", "textarea",
        "tr", "ul",
    }
)  # fmt: skip


def parse_html(html: str) -> etree._Element | None:
    """The page's tree, parsed from its decoded text (never re-guessing its encoding).

    A page nested deeper than the parser goes (it leaves out what is deeper)
    is parsed from shallow_html's text instead.
    """
    tree = _parsed(html)
    if tree is not None and _too_deep(tree):
        tree = _parsed(shallow_html(html))
    return tree


def _parsed(html: str) -> etree._Element | None:
    import lxml.html  # on the first page parsed: listing the library needs no parser
    from lxml import etree

    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# libxml2 builds no element deeper than 256 and drops the text inside them.
_PARSER_DEPTH = 255


def _too_deep(tree: etree._Element) -> bool:
    """Whether an element lies as deep as the parser goes: what was deeper is lost."""
    return bool(tree.xpath(f"boolean(//*[count(ancestor::*) >= {_PARSER_DEPTH - 1}])"))


def own_image(folder: Path, src: str) -> PurePosixPath | None:
    """``src`` as a path below ``folder`` to an image file there, else None.

    Never a URL, an absolute or drive path, a ``..`` step, a backslash, or a
    file reached through a link out of the folder.
    """
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    raw = unquote(parts.path)
    if any(c in raw for c in ":\\\0") or raw.startswith(("/", "~")):
        return None
    path = PurePosixPath(raw)
    if ".." in path.parts:
        return None
    path = PurePosixPath(*[p for p in path.parts if p != "."])
    if not path.parts or path.suffix.lower() not in IMAGE_SUFFIXES:
        return None
    try:
        root = folder.resolve(strict=True)
        found = folder.joinpath(*path.parts).resolve(strict=True)
        if not found.is_relative_to(root) or found != root.joinpath(*path.parts):
            return None  # a link, in the path or at its end
        st = found.stat()
    except (OSError, RuntimeError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_IMAGE_BYTES:
        return None
    return path


def page_images(data: bytes, path: Path) -> list[PurePosixPath]:
    """The images a saved page shows from its own folder ("Web page, complete")."""
    if b"<img" not in data and b"<IMG" not in data:
        return []
    root = parse_html(decode_html(data, path.name))
    return [] if root is None else _images_in(root, path.parent)


def _images_in(root: etree._Element, folder: Path) -> list[PurePosixPath]:
    found: dict[PurePosixPath, None] = {}
    for img in root.iter("img"):
        for attr in ("src", "data-src"):
            rel = own_image(folder, img.get(attr) or "")
            if rel is not None:
                found[rel] = None
    return list(found)


def _clean(text: str) -> str:
    return _space(text).strip()


def _same(a: str, b: str) -> bool:
    a, b = _key(a), _key(b)
    return a == b or (len(a) > 20 and a in b)


def _link(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'*+,;=%~")


def _join_blocks(blocks: list[str]) -> str:
    return "\n\n".join(b for b in blocks if b.strip()) + "\n" if blocks else ""


class _Writer:
    """trafilatura's tree -> Markdown blocks."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.images: list[PurePosixPath] = []

    # --- blocks ---------------------------------------------------------------

    def blocks(self, el: etree._Element) -> list[str]:
        out: list[str] = []
        if el.text and el.text.strip():
            out.append(escape_markdown(_clean(el.text)))
        for child in el:
            out.extend(self.block(child))
            if child.tail and child.tail.strip():
                out.append(escape_markdown(_clean(child.tail)))
        return out

    def block(self, el: etree._Element) -> list[str]:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "head":
            level = _heading_level(el.get("rend", ""))
            text = self.inline_text(el)
            return [f"{'#' * level} {text}"] if text else []
        if tag == "list":
            return [self.list_(el, 0)]
        if tag == "table":
            return [self.table(el)]
        if tag == "quote":
            return [self.quote(el)]
        if tag == "code":
            return [_fence(_code_text(el))]
        if tag == "graphic":
            image = self.image(el)
            return [image] if image else []
        if tag in ("p", "item", "li", "cell", "figcaption"):
            text = self.inline_text(el)
            return [text] if text else []
        if tag in ("div", "body", "row", "contrib-group", "picture"):
            return self.blocks(el)
        # An element trafilatura passed through as it found it: its text, as one block.
        nested = [c for c in el if isinstance(c.tag, str) and c.tag in _BLOCK_TAGS]
        if nested:
            return self.blocks(el)
        text = self.inline_text(el)
        return [text] if text else []

    def list_(self, el: etree._Element, depth: int) -> str:
        ordered = el.get("rend", "") == "ol"
        lines: list[str] = []
        n = 0
        for item in el:
            if not isinstance(item.tag, str):
                continue
            n += 1
            marker = f"{n}." if ordered else "-"
            pad = "    " * depth
            sub = [c for c in item if isinstance(c.tag, str) and c.tag == "list"]
            text = self.inline_text(item, skip=("list",))
            if text or not sub:
                lines.append(f"{pad}{marker} {text}".rstrip())
            for s in sub:
                lines.append(self.list_(s, depth + 1))
        return "\n".join(line for line in lines if line.strip())

    def table(self, el: etree._Element) -> str:
        rows: list[list[str]] = []
        for row in el.iter("row"):
            cells = [self.inline_text(c).replace("|", "\\|") for c in row if c.tag == "cell"]
            if cells:
                rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        if width == 1:  # a one-column "table" is a layout box: its cells are paragraphs
            return "\n\n".join(r[0] for r in rows if r[0])
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)

    def quote(self, el: etree._Element) -> str:
        text = "".join(el.itertext())
        if "\n" in text.strip() and not any(c.tag == "p" for c in el):
            return _fence(text)  # a <pre> that trafilatura calls a quote
        inner = self.blocks(el) if any(c.tag in _BLOCK_TAGS for c in el) else []
        if not inner:
            inner = [self.inline_text(el)]
        return "\n>\n".join("> " + b.replace("\n", "\n> ") for b in inner if b)

    def image(self, el: etree._Element) -> str | None:
        src = (el.get("src") or "").strip()
        rel = self._own_file(src)
        if rel is None:
            return None
        self.images.append(rel)
        alt = escape_inline(_clean(el.get("alt") or el.get("title") or ""))
        return f"![{alt}]({quote(rel.as_posix())})"

    def _own_file(self, src: str) -> PurePosixPath | None:
        return own_image(self.folder, src)

    # --- inline ---------------------------------------------------------------

    def inline_text(self, el: etree._Element, skip: tuple[str, ...] = ()) -> str:
        text = _clean_inline(self.inline(el, skip))
        return escape_line_start(text)

    def inline(self, el: etree._Element, skip: tuple[str, ...] = ()) -> str:
        out: list[str] = [escape_inline(_space(el.text or ""))]
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in skip:
                pass
            elif tag == "lb":
                out.append("  \n")
            elif tag == "hi":
                out.append(_emphasis(self.inline(child), child.get("rend", "")))
            elif tag == "ref":
                out.append(self._ref(child))
            elif tag == "code":
                out.append(_inline_code("".join(child.itertext())))
            elif tag == "graphic":
                out.append(self.image(child) or "")
            elif tag == "list":
                out.append(" " + self.inline(child))
            elif tag:
                out.append(self.inline(child) + (" " if tag in ("item", "cell", "p") else ""))
            out.append(escape_inline(_space(child.tail or "")))
        return "".join(out)

    def _ref(self, el: etree._Element) -> str:
        text = self.inline(el).strip()
        target = (el.get("target") or "").strip()
        if text and urlsplit(target).scheme in ("http", "https", "mailto"):
            return f"[{text}]({_link(target)})"
        return text


_BLOCK_TAGS = frozenset({"p", "head", "list", "table", "quote", "code", "graphic", "div"})


def _heading_level(rend: str) -> int:
    m = re.fullmatch(r"h([1-6])", rend)
    return min(6, max(2, int(m.group(1)))) if m else 3


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", normal_text(text))


def _clean_inline(text: str) -> str:
    lines = [re.sub(r" {2,}", " ", x).strip() for x in text.split("  \n")]
    return "  \n".join(x for x in lines if x)


def _emphasis(text: str, rend: str) -> str:
    inner = text.strip()
    if not inner:
        return text
    lead = " " if text[:1].isspace() else ""
    tail = " " if text[-1:].isspace() else ""
    mark = {"#b": "**", "#i": "*", "#u": "", "#t": "`"}.get(rend, "")
    if mark == "`":
        return lead + _inline_code(inner) + tail
    return f"{lead}{mark}{inner}{mark}{tail}"


def _inline_code(text: str) -> str:
    text = _space(text).strip()
    if not text:
        return ""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _code_text(el: etree._Element) -> str:
    return normal_text("".join(el.itertext()))


def _fence(text: str) -> str:
    from reader.library.importing.written import code_block

    return code_block(text.strip("\n").split("\n"), "")
