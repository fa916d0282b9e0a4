"""Text a person wrote (notes, READMEs, release notes, licences, e-mails) -> Markdown.

Nothing here is left out: every line of the text is in the Markdown, in its
order. What is recovered is only the structure the writer gave it, read the
way plain-text conventions are read:

- blank lines separate blocks;
- a block whose lines were hard-wrapped at a width is one paragraph; a block of
  short lines (an address, a verse, a signature) keeps its line breaks;
- "-", "*", "+", "•" and "1." / "1)" start list items, and lines indented under
  an item continue it; deeper indentation nests;
- a line underlined with "===", "---" or "~~~" (and the like) is a heading;
- a block indented four spaces past the text's margin that reads as code (a
  prompt, braces, calls, assignments) and not as prose is code, and so is one
  fenced with ``` or ~~~;
- a lone short line above a block, with no sentence punctuation, is a heading;
  the first one, at the top, is the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from reader.library.importing.markup import escape_markdown

_BULLET = re.compile(r"^(\s*)([-*+•●◦▪‣])\s+(?=\S)")
_NUMBER = re.compile(r"^(\s*)(\d{1,3})([.)])\s+(?=\S)")
_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+|~+|\^+|\*+|#+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_=~#])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_SENTENCE_END = re.compile(r"[.!?,;:…][\"'”’»)\]]*$")
_WORD = re.compile(r"\w+")
# Shell prompts, assignments, calls, braces, pipes: the marks of code.
_CODE_MARK = re.compile(r"^\s*(\$|>>>|#!|%)\s|[{};=<>|\\]|\w\(|^\s*(\.{0,2}/|--?\w)")


@dataclass
class _Item:
    depth: int
    ordered: bool
    number: int
    lines: list[str] = field(default_factory=list)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def wrap_width(lines: list[str]) -> int:
    """The width the text was hard-wrapped at, or 0 when it was not.

    A wrapped text has most of its lines near one width, the 90th percentile
    of their lengths, and none much longer; at least three of them go on in
    the next line.
    """
    stripped = [x.strip() for x in lines]
    widths = sorted(len(x) for x in stripped if x)
    if not widths:
        return 0
    width = widths[min(len(widths) - 1, int(len(widths) * 0.9))]
    if not 30 <= width <= 120 or widths[-1] > width + 20:
        return 0
    going_on = sum(
        1
        for k, x in enumerate(stripped[:-1])
        if len(x) >= width * 0.55 and stripped[k + 1] and not _BULLET.match(stripped[k + 1])
    )
    return width if going_on >= 3 else 0


def _is_heading_line(line: str) -> bool:
    text = line.strip()
    n = len(_WORD.findall(text))
    return 0 < n <= 12 and len(text) <= 90 and not _SENTENCE_END.search(text)


def _join(lines: list[str]) -> str:
    return " ".join(x.strip() for x in lines if x.strip())


def _is_prose(text: str) -> bool:
    n = len(_WORD.findall(text))
    return n >= 20 or (n >= 6 and bool(_SENTENCE_END.search(text)))


def _prose(lines: list[str], width: int, *, lone_heading: bool) -> list[str]:
    """Lines of prose as Markdown parts: paragraphs, headings over them, kept line breaks.

    In a text wrapped at a width, a line reaching towards that width goes on
    in the next line, and the two are joined. A short line over prose is a
    heading; other short lines keep their line breaks (an address, a verse).
    """
    lines = [x.strip() for x in lines if x.strip()]
    if len(lines) == 1 and lone_heading and _is_heading_line(lines[0]):
        return ["## " + escape_markdown(lines[0])]
    # A text too short to tell its width from all its lines: a block whose
    # lines reach towards its longest (of a usual wrapping width) was wrapped.
    longest = max(len(x) for x in lines)
    local = not width and 40 <= longest <= 120
    reach = width * 0.55 if width else max(40.0, longest * 0.55) if local else None
    units: list[list[str]] = []
    for k, line in enumerate(lines):
        if units and reach is not None and len(lines[k - 1]) >= reach:
            units[-1].append(line)
        else:
            units.append([line])
    out: list[str] = []
    verse: list[str] = []
    for k, unit in enumerate(units):
        text = " ".join(unit)
        nxt = " ".join(units[k + 1]) if k + 1 < len(units) else None
        if len(unit) > 1 or _is_prose(text):
            kind = "paragraph"
        elif nxt is not None and _is_heading_line(text) and _is_prose(nxt):
            kind = "heading"
        else:
            verse.append(text)
            continue
        if verse:
            out.append("  \n".join(escape_markdown(x) for x in verse))
            verse = []
        out.append(("## " if kind == "heading" else "") + escape_markdown(text))
    if verse:
        out.append("  \n".join(escape_markdown(x) for x in verse))
    return out


def _list_markdown(items: list[_Item]) -> str:
    """The items as a Markdown list; deeper indentation nests under the item above."""
    out: list[str] = []
    open_depths: list[int] = []
    for it in items:
        while open_depths and open_depths[-1] > it.depth:
            open_depths.pop()
        if not open_depths or it.depth > open_depths[-1]:
            open_depths.append(it.depth)
        marker = f"{it.number}." if it.ordered else "-"
        pad = "    " * (len(open_depths) - 1)
        out.append(f"{pad}{marker} {escape_markdown(_join(it.lines))}")
    return "\n".join(out)


def _list_block(lines: list[str]) -> list[_Item] | None:
    """The block's list items, when it starts with one; else None."""
    items: list[_Item] = []
    for line in lines:
        bullet = _BULLET.match(line)
        number = None if bullet else _NUMBER.match(line)
        if bullet:
            items.append(_Item(_indent(line), False, 0, [line[bullet.end() :]]))
        elif number:
            items.append(_Item(_indent(line), True, int(number.group(2)), [line[number.end() :]]))
        elif items:
            items[-1].lines.append(line)  # a continuation line of the item above
        else:
            return None
    return items


def parse_written(text: str) -> tuple[str | None, str]:
    """Convert a written text; return (title or None, Markdown)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw = raw.replace("\u200b", "").replace("\u00a0", " ")
    lines = raw.split("\n")
    width = wrap_width(lines)
    base = _margin(lines)

    # Code fenced with ``` or ~~~ is taken out first: blank lines inside it
    # do not separate blocks.
    blocks: list[tuple[str, list[str]]] = []  # (kind, lines): "text" or "fenced"
    current: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence):
                blocks.append(("fenced", current))
                current, fence = [], None
            continue
        m = _FENCE.match(line)
        if m and not current:  # under a line of text, ~~~ is an underline
            current, fence = [line], m.group(1)
            continue
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(("text", current))
            current = []
    if current:
        blocks.append(("fenced" if fence else "text", current))

    parts: list[str] = []
    title: str | None = None
    for k, (kind, block) in enumerate(blocks):
        if kind == "fenced":
            opening = _FENCE.match(block[0])
            closed = len(block) > 1 and block[-1].strip().startswith(block[0].strip()[:3])
            inner = block[1:-1] if closed else block[1:]
            lead = _indent(block[0])
            code = [x.expandtabs(4)[min(lead, _indent(x)) :] for x in inner]
            parts.append(code_block(code, opening.group(2) if opening else ""))
            continue
        parts.extend(_text_block(block, width, base, is_last=k == len(blocks) - 1))
        if k == 0 and title is None:
            title = _title_of(parts)
    if title is not None:
        parts[0] = "# " + parts[0].lstrip("#").lstrip()
    _raise_headings(parts, first=1 if title is not None else 0)
    return title, "\n\n".join(p for p in parts if p) + "\n"


def _raise_headings(parts: list[str], first: int) -> None:
    """Raise section headings so the highest of them is level 2, under the title."""
    levels = [len(p) - len(p.lstrip("#")) for p in parts[first:] if _is_heading_part(p)]
    shift = min(levels, default=2) - 2
    if shift <= 0:
        return
    for k in range(first, len(parts)):
        if _is_heading_part(parts[k]):
            parts[k] = parts[k][shift:]


def _is_heading_part(part: str) -> bool:
    return bool(re.match(r"#{1,6} ", part)) and "\n" not in part


def _title_of(parts: list[str]) -> str | None:
    """The text's first part is its title when it came out as a heading."""
    if not parts or not _is_heading_part(parts[0]):
        return None
    heading = parts[0].lstrip("#").strip()
    return re.sub(r"\\(.)", r"\1", heading).replace("&lt;", "<").replace("&amp;", "&")


def code_block(lines: list[str], language: str) -> str:
    """Lines of code as a fenced block, its fence longer than any run of backticks in it."""
    longest = max((len(m) for x in lines for m in re.findall(r"`+", x)), default=0)
    fence = "`" * max(3, longest + 1)
    info = language if re.fullmatch(r"[\w+#.-]{1,30}", language or "") else "text"
    return f"{fence}{info}\n" + "\n".join(lines) + f"\n{fence}"


def _underlines(line: str, text: str) -> bool:
    """``line`` underlines ``text`` as a heading: a row of one mark about as long as it.

    A row much longer than the text is the edge of a box or a rule.
    """
    if not _UNDERLINE.match(line) or _UNDERLINE.match(text) or not _WORD.search(text):
        return False
    n, m = len(line.strip()), len(text.strip())
    return n >= 3 and m // 2 <= n <= m * 3 // 2 + 3


def _is_code(block: list[str], base: int) -> bool:
    """Indented four spaces past the text's own margin, and not prose: code or a transcript."""
    if any(_indent(x) < base + 4 for x in block) or _list_block(block) is not None:
        return False
    if any(_is_prose(x.strip()) for x in block):
        return False
    return any(_CODE_MARK.search(x) for x in block)


def _margin(lines: list[str]) -> int:
    """The indentation most of the text's lines have (licences indent all their prose)."""
    indents = Counter(_indent(x) for x in lines if x.strip())
    return indents.most_common(1)[0][0] if indents else 0


def _text_block(block: list[str], width: int, base: int, *, is_last: bool) -> list[str]:
    """One blank-line-separated block as Markdown parts (headings, a list, code, prose)."""
    out: list[str] = []
    rest = list(block)
    while rest:
        first = rest[0]
        if len(rest) >= 2 and _underlines(rest[1], first):
            level = {"=": 1, "-": 2}.get(rest[1].strip()[0], 3)
            out.append("#" * (level + 1) + " " + escape_markdown(first.strip()))
            rest = rest[2:]
            continue
        if _RULE.match(first):
            out.append("* * *")
            rest = rest[1:]
            continue
        if _is_code(rest, base):
            # Indented code: kept verbatim, its indentation taken off.
            cut = min(_indent(x) for x in rest)
            code = [x.expandtabs(4)[cut:] for x in rest]
            out.append(code_block(code, ""))
            break
        items = _list_block(rest)
        if items is not None:
            out.append(_list_markdown(items))
            break
        # Prose up to a setext underline or a rule further down the block.
        end = next(
            (
                i
                for i in range(1, len(rest))
                if _RULE.match(rest[i])
                or _BULLET.match(rest[i])
                or _NUMBER.match(rest[i])
                or (i + 1 < len(rest) and _underlines(rest[i + 1], rest[i]))
            ),
            len(rest),
        )
        alone = not is_last and len(block) == 1
        out.extend(_prose(rest[:end], width, lone_heading=alone))
        rest = rest[end:]
    return out
