"""Scraped plain text -> structured Markdown.

Text copied or scraped from a web page arrives as one line per paragraph, with
headings and list items flattened to short lines and the site's chrome mixed
in. The rules here are general: they look at the shape of lines (length,
sentence punctuation, capitalisation, numbering, their neighbours), never at
the strings of particular articles.

The pass order is:

1. normalise lines;
2. drop line-level chrome (navigation, image placeholders, counters,
   taglines, filler testimonials, truncated teaser cards);
3. cut a trailing "Related / Read also" tail made only of links;
4. find the headline in the masthead (the lines before the first paragraph);
5. recover headings, lists and paragraphs from the rest;
6. drop headings left with no content under them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from reader.library.importing.markup import escape_markdown


class Kind(Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    NUMBERED = "numbered"


@dataclass
class Block:
    kind: Kind
    text: str
    level: int = 2  # headings only
    number: int = 0  # numbered list items only


@dataclass
class TextDocument:
    """The structure recovered from a text: an optional headline and blocks."""

    title: str | None
    blocks: list[Block] = field(default_factory=list)

    def to_markdown(self) -> str:
        return blocks_to_markdown(self.title, self.blocks)


# --- line shapes -------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_BULLET = re.compile(r"^[•●◦▪▫‣∙·\-–—*+]\s+(?=\S)")
_NUMBERED = re.compile(r"^\(?(\d{1,3})[.)]\s+(?=\S)")
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "as",
        "vs",
        "via",
        "into",
        "onto",
        "over",
        "per",
        "than",
        "up",
        "out",
        "off",
        "is",
        "are",
        "be",
        "its",
        "it's",
        "your",
        "our",
        "their",
    ]
)

_NAVIGATION = re.compile(
    r"^[«‹<]?\s*(skip to (main )?content|skip navigation|scroll to top|back to top|go to top|"
    r"jump to (content|navigation)|toggle (navigation|menu)|main menu|menu|close|search|"
    r"search for:?|share( this( post| article| page)?)?:?|tweet|pin it|print( this)?|email|"
    r"subscribe( now)?|sign (in|up)|log ?in|log ?out|register|advertisement|sponsored|"
    r"accept( all)?( cookies)?|cookie (settings|policy)|previous( (post|article))?|"
    r"next( (post|article))?|read more|continue reading|"
    r"post navigation|click here|loading\.*|home|"
    r"(share|follow( us)?|find us|like us|connect with us)( (on|via) [\w.+ ]{2,30})?|"
    r"facebook|twitter|x|linkedin|instagram|pinterest|reddit|whatsapp|telegram|youtube|tiktok|"
    r"threads|mastodon|bluesky|flipboard|pocket|copy link|"
    r"(story )?continues? (reading )?below( (the )?(advertisement|ad))?|"
    r"open in( the)? app|get the app|member[- ]only story|listen|write|save|bookmark|"
    r"leave a (reply|comment)|\d+ (comments|responses)|"
    r"click to (enlarge|expand|zoom)|view (image|gallery|slideshow)|"
    r"subscribe to( our)? [\w ]{0,20}newsletter|sign up for( our| the)? [\w ]{0,20}newsletter)"
    r"\s*[»›>:]*$",
    re.IGNORECASE,
)
# "Health & Wellness | 12 Comments": counts of comments, shares, views.
_COUNTS = re.compile(
    r"\b\d[\d,.]*k?\s*(comments?|responses?|shares?|views?|likes?|reads?|claps?|followers?)\b|"
    r"\b(comments|responses|shares|views|likes|reads|claps|followers)\s*:\s*\d",
    re.IGNORECASE,
)
# Credits, copyright, reading time and tag lines: page furniture, not prose.
_FURNITURE = re.compile(
    r"^((photo|image|picture|illustration|video)s?( credit| source| courtesy)?s?\s*[:|-]\s*\S.*|"
    r"(photo|image|picture|illustration)s?\s+(by|via|from|courtesy of)\s+\S.*|"
    r"(credit|source|courtesy)\s*:\s*\S.*|"
    r".*(©|\(c\) ?\d{4}|all rights reserved).*|"
    r"\d+\s*(min|minute)s?\s+read|"
    r"(tags|tagged|categories|category|filed under|posted in)\s*:\s*\S.*|"
    r"(related|read more|read also|also read|see also|more|watch|listen)\s*:\s*\S.*|"
    r"(categories|category|tags|tagged|filed under|posted in)\s+\S.*"
    r"\b(tags|tagged|categories|category)\b.*)$",
    re.IGNORECASE,
)
_COOKIES = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT = re.compile(
    r"\b(accept|consent|agree|privacy policy|cookie (policy|settings)|learn more|"
    r"by continuing|manage (preferences|settings))\b",
    re.IGNORECASE,
)
# Dates and bylines stay as written, but never as headings.
_MONTHS = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?)"
)
_DATELINE = re.compile(
    rf"^((?i:by|written by|posted by)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){{0,3}}(\s*[,|·•-].*)?|"
    rf"(?i:(published|updated|posted)( on)?)\b.*|"
    rf".*\b(?i:{_MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?\s+\d{{4}}\b.*|"
    rf".*\b\d{{1,2}}(st|nd|rd|th)?\s+(?i:{_MONTHS})\.?,?\s+\d{{4}}\b.*|"
    rf"\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}})$"
)
_PLACEHOLDER = re.compile(
    r"^[\[(]?(image|img|photo|picture|figure|fig\.?|graphic|thumbnail|banner|icon|video)"
    r"\s*[-_#:]?\s*\d*[\])]?$",
    re.IGNORECASE,
)
# "Career Forge 0 21", "12 likes 3 comments": a short label followed by counters.
_COUNTER = re.compile(
    r"^(?:[^\d\n]{0,40}?\s)?\d[\d,.]*(?:\s+[^\d\s]{0,12})?(?:\s+\d[\d,.]*\s*\w{0,12})+$"
)
_TAIL = re.compile(
    r"^(related( (recommendations|posts|articles|stories|reading|content))?|"
    r"read (also|more|next)|also read|you (may|might) also like|more (from|stories|articles)"
    r"( .{1,30})?|see also|recommended( for you| reading)?|latest( (posts|news|articles))?|"
    r"popular( posts)?|trending( now)?|tags?|filed under|categories|share this( (article|post))?|"
    r"about the author|comments?|\d+ comments?|leave a (reply|comment))\s*:?$",
    re.IGNORECASE,
)
# Tails cut even when prose follows (a comment form, other posts' blurbs), as
# long as they come after most of the text.
_STRONG_TAIL = re.compile(
    r"^(leave a (reply|comment)( cancel reply)?|\d+ (comments|responses)|comments \(\d+\)|"
    r"related (posts|articles|stories)|you (may|might) also like|more from .{1,40}|"
    r"recommended for you|read next|popular posts|written by\s+\S.{0,40})\s*:?$",
    re.IGNORECASE,
)
_LOREM = re.compile(r"\blorem ipsum\b|\bdolor sit amet\b", re.IGNORECASE)
_PLACEHOLDER_NAME = re.compile(r"^(john|jane) (doe|smith)$", re.IGNORECASE)
_TEASER_END = re.compile(r"(\.\.\.|…)$")
# "India's Number 1 Digital Marketing Company": a site's banner, not a headline.
_MARKETING = re.compile(
    r"(\b(no\.? ?1|number (1|one)|#1|leading|best|top)\b.*\b(company|agency|site|website|"
    r"platform|provider|firm|solutions?|services?|store|shop)\b|™|®|\bwww\.|\.com\b)",
    re.IGNORECASE,
)


def words(line: str) -> list[str]:
    return _WORD.findall(line)


def is_sentence(line: str) -> bool:
    """A line that reads as prose: sentence punctuation at the end, or long."""
    n = len(words(line))
    if n >= 22:
        return True
    return n >= 6 and bool(_SENTENCE_END.search(line)) and not line.endswith(":")


def is_short(line: str) -> bool:
    return not is_sentence(line) and len(words(line)) <= 16 and len(line) <= 140


def is_title_case(line: str) -> bool:
    """True when most significant words are capitalised ("Key Technical Domains")."""
    significant = [w for w in words(line) if w.lower() not in _SMALL_WORDS]
    if not significant:
        return False
    caps = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return caps / len(significant) >= 0.75


def has_pictograph(line: str) -> bool:
    return any(unicodedata.category(ch) == "So" and ord(ch) > 0x2000 for ch in line)


def is_tagline(line: str) -> bool:
    """'Broadcast| Connect| Grow': short segments between separators."""
    parts = [p.strip() for p in re.split(r"\s*[|•·]\s*", line)]
    return len(parts) >= 3 and all(0 < len(words(p)) <= 3 for p in parts)


def is_chrome_line(line: str) -> bool:
    """Navigation, placeholders, credits, counters, taglines, cookie banners."""
    if _COOKIES.search(line) and _CONSENT.search(line) and len(words(line)) <= 40:
        return True  # a cookie banner reads like a sentence, but is not the article's
    if _FURNITURE.match(line) and len(words(line)) <= 14:
        return True
    if not words(line) or re.fullmatch(r"[\d,.]+[kKmM]?", line):
        return True  # a lone separator ("·", "--") or a bare count
    if is_sentence(line) or _DATELINE.match(line):
        return False
    return bool(
        _NAVIGATION.match(line)
        or _PLACEHOLDER.match(line)
        or (_COUNTER.match(line) and len(words(line)) <= 7)
        or (_COUNTS.search(line) and len(words(line)) <= 10)
        or is_tagline(line)
    )


def normalise_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    out = []
    for raw in text.split("\n"):
        line = raw.replace("\u00a0", " ").replace("\u200b", "").replace("\t", " ")
        line = re.sub(r"\s+", " ", line).strip()
        out.append(line)
    return out


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped paragraphs (e-mails, old text files) back into one line each.

    Text wrapped at a fixed width has most of its lines in blocks, ending near
    the same column; scraped text, one line per paragraph, has not. Only then
    are the lines of a block joined, keeping list items on lines of their own.
    """
    filled = [x for x in lines if x]
    if len(filled) < 6:
        return lines
    widths = sorted(len(x) for x in filled)
    wrap = widths[int(len(widths) * 0.9)]
    if not 40 <= wrap <= 100 or widths[-1] > wrap + 30:
        return lines
    in_blocks = sum(
        1 for k, x in enumerate(lines[:-1]) if x and lines[k + 1] and len(x) >= wrap * 0.6
    )
    if in_blocks < len(filled) * 0.4:
        return lines
    out: list[str] = []
    joinable = False
    for x in lines:
        if not x:
            out.append(x)
            joinable = False
        elif joinable and not (_BULLET.match(x) or _NUMBERED.match(x)):
            out[-1] = out[-1] + " " + x
        else:
            out.append(x)
            joinable = True
        # a short line ends its paragraph (the last line of a wrapped block)
        if x and len(x) < wrap * 0.6:
            joinable = False
    return out


# --- passes ------------------------------------------------------------------


def _drop_chrome(lines: Sequence[str]) -> list[str]:
    kept: list[str] = []
    in_filler = False
    skip: set[int] = set()
    for i, line in enumerate(lines):
        if not line or i in skip:
            continue
        if _LOREM.search(line):
            if not in_filler and kept and is_short(kept[-1]):
                # the heading of a section of filler ("Testimonials")
                kept.pop()
            in_filler = True
            continue
        if in_filler and len(words(line)) <= 3 and not is_sentence(line):
            # names and roles under a filler testimonial ("John Doe", "Designer")
            continue
        in_filler = False
        if _PLACEHOLDER_NAME.match(line) or is_chrome_line(line):
            continue
        if _TEASER_END.search(line):
            stem = _TEASER_END.sub("", line).strip()
            j = next((k for k in range(i + 1, len(lines)) if lines[k]), None)
            if stem and j is not None and lines[j].startswith(stem) and not is_sentence(lines[j]):
                # A teaser card: its truncated title, then the full one.
                skip.add(j)
                continue
        kept.append(line)
    return kept


def _cut_strong_tail(lines: list[str]) -> list[str]:
    """Cut a comment form, an author box or "More from" past the first half of the text."""
    total = sum(len(x) for x in lines) or 1
    before = 0
    for i, line in enumerate(lines):
        if line and _STRONG_TAIL.match(line) and before / total >= 0.5:
            return lines[:i]
        before += len(line)
    return lines


def _cut_tail(lines: list[str]) -> list[str]:
    """Cut a final "Related posts:" / "Read also:" list made only of short lines."""
    cut = len(lines)
    for i in range(len(lines) - 1, 0, -1):
        if is_sentence(lines[i]):
            break
        if _TAIL.match(lines[i]):
            cut = i
    return lines[:cut]


def _drop_contents(lines: list[str]) -> list[str]:
    """Drop a table of contents: a run of short lines each repeated later as a heading."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and is_short(lines[j]) and lines[j] in lines[j + 1 :]:
            j += 1
        if j - i >= 3:
            if out and re.fullmatch(r"(table of )?contents|in this (article|post)", out[-1], re.I):
                out.pop()
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


def _find_title(lines: list[str]) -> tuple[str | None, list[str], list[str]]:
    """The headline, the lead lines under it, and the body.

    The headline is a short line of the masthead, the lines before the first
    prose. Banner lines (pictographs, marketing superlatives) and datelines are
    passed over; a line repeated further down (sites print the headline twice)
    is preferred. Masthead lines under the headline (byline, date, dek) are its
    lead: kept as they are, never taken for section headings.
    """
    first_prose = next((i for i, x in enumerate(lines) if is_sentence(x)), len(lines))
    masthead = lines[:first_prose]
    candidates = [
        i
        for i, x in enumerate(masthead)
        if is_short(x)
        and not x.endswith(":")
        and not has_pictograph(x)
        and not _MARKETING.search(x)
        and len(words(x)) >= 2
        and not _BULLET.match(x)
        and not _DATELINE.match(x)
    ]
    if not candidates or len(masthead) > 16:
        return None, [], lines

    # A headline printed twice wins; else one of four words or more over a
    # section label or site name ("World News"); then title case over a
    # sentence-case dek; then the line nearest the text.
    def rank(i: int) -> tuple[bool, bool, int]:
        line = masthead[i]
        return (len(words(line)) >= 4, is_title_case(line), i)

    repeated = [i for i in candidates if masthead[i] in lines[first_prose:]]
    chosen = repeated[0] if repeated else max(candidates, key=rank)
    title = masthead[chosen]
    # Masthead lines above the headline are site banners and are left out.
    lead = [x for x in masthead[chosen + 1 :] if x != title]
    body = [x for x in lines[first_prose:] if x != title]
    return title, lead, body


def _classify(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    numbered_headings = sum(
        1
        for x in lines
        if (m := _NUMBERED.match(x)) and is_short(x[m.end() :]) and is_title_case(x[m.end() :])
    )
    has_numbered_sections = numbered_headings >= 2
    plain_level = 3 if has_numbered_sections else 2

    i = 0
    while i < len(lines):
        line = lines[i]
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if bullet:
            blocks.append(Block(Kind.BULLET, line[bullet.end() :]))
            i += 1
            continue
        if numbered:
            rest = line[numbered.end() :]
            if has_numbered_sections and is_short(rest) and is_title_case(rest):
                blocks.append(Block(Kind.HEADING, line, level=2))
            else:
                blocks.append(Block(Kind.NUMBERED, rest, number=int(numbered.group(1))))
            i += 1
            continue
        if not is_short(line):
            blocks.append(Block(Kind.PARAGRAPH, line))
            i += 1
            continue
        # A run of short lines: headings at its edges, list items inside.
        j = i
        while (
            j < len(lines)
            and is_short(lines[j])
            and not _BULLET.match(lines[j])
            and not _NUMBERED.match(lines[j])
        ):
            j += 1
        run = lines[i:j]
        at_end = j >= len(lines)
        blocks.extend(_classify_run(run, plain_level, at_end))
        i = j
    return blocks


def _classify_run(run: list[str], level: int, at_end: bool) -> list[Block]:
    if len(run) == 1:
        line = run[0]
        if line.endswith(":") or _DATELINE.match(line) or (at_end and not is_title_case(line)):
            return [Block(Kind.PARAGRAPH, line)]
        return [Block(Kind.HEADING, line, level=level)]
    out: list[Block] = []
    last = len(run) - 1
    for k, line in enumerate(run):
        edge = k == 0 or (k == last and not at_end)
        if line.endswith(":") or _DATELINE.match(line):
            out.append(Block(Kind.PARAGRAPH, line))
        elif (edge and is_title_case(line)) or (
            len(run) == 2 and all(is_title_case(x) for x in run)
        ):
            out.append(Block(Kind.HEADING, line, level=level))
        else:
            out.append(Block(Kind.BULLET, line))
    # A lone "item" between headings is a heading of its own, not a list.
    for k, b in enumerate(out):
        if b.kind is Kind.BULLET:
            prev_item = k > 0 and out[k - 1].kind is Kind.BULLET
            next_item = k < last and out[k + 1].kind is Kind.BULLET
            if not prev_item and not next_item:
                out[k] = Block(Kind.PARAGRAPH, b.text)
    return out


def _drop_empty_sections(blocks: list[Block]) -> list[Block]:
    """Drop headings with nothing under them before the next heading of their rank."""
    out: list[Block] = []
    for b in reversed(blocks):
        if b.kind is Kind.HEADING:
            nxt = out[-1] if out else None
            if nxt is None or (nxt.kind is Kind.HEADING and nxt.level <= b.level):
                continue
        out.append(b)
    out.reverse()
    return out


def _promote_closing_sections(blocks: list[Block]) -> list[Block]:
    """Unnumbered headings after the last numbered section ("Conclusion") are its peers."""
    numbered = [
        k for k, b in enumerate(blocks) if b.kind is Kind.HEADING and _NUMBERED.match(b.text)
    ]
    if not numbered:
        return blocks
    return [
        Block(Kind.HEADING, b.text, level=2)
        if k > numbered[-1] and b.kind is Kind.HEADING and b.level == 3
        else b
        for k, b in enumerate(blocks)
    ]


def parse_text(text: str) -> TextDocument:
    lines = unwrap_lines(normalise_lines(text))
    lines = _cut_strong_tail(lines)
    lines = _drop_chrome(lines)
    lines = _cut_tail(lines)
    lines = _drop_contents(lines)
    title, lead, body = _find_title(lines)
    blocks = [Block(Kind.PARAGRAPH, x) for x in lead] + _classify(body)
    blocks = _promote_closing_sections(_drop_empty_sections(blocks))
    return TextDocument(title=title, blocks=blocks)


# --- output ------------------------------------------------------------------


def blocks_to_markdown(title: str | None, blocks: Iterable[Block]) -> str:
    parts: list[str] = []
    if title:
        parts.append("# " + escape_markdown(title))
    prev: Block | None = None
    for b in blocks:
        text = escape_markdown(b.text)
        if b.kind is Kind.HEADING:
            parts.append("#" * b.level + " " + text)
        elif b.kind is Kind.PARAGRAPH:
            parts.append(text)
        elif b.kind is Kind.BULLET:
            item = "- " + text
            if prev is not None and prev.kind is Kind.BULLET:
                parts[-1] += "\n" + item
            else:
                parts.append(item)
        else:
            item = f"{b.number}. {text}"
            if prev is not None and prev.kind is Kind.NUMBERED:
                parts[-1] += "\n" + item
            else:
                parts.append(item)
        prev = b
    return "\n\n".join(parts) + "\n"


def text_to_markdown(text: str) -> tuple[str | None, str]:
    """Convert scraped text; return (headline or None, Markdown)."""
    doc = parse_text(text)
    return doc.title, doc.to_markdown()
