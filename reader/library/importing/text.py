"""Scraped plain text -> structured Markdown.

Text copied or scraped from a web page arrives as one line per paragraph, with
headings and list items flattened to short lines and the site's chrome mixed
in. The rules here are general: they look at the shape of lines (length,
sentence punctuation, capitalisation, numbering, their neighbours), never at
the strings of particular articles.

parse_text splits the text at its line ends into a Draft and runs the passes
of a PassRegistry over it, in order. Line passes rewrite the lines not yet
placed; find_title takes the headline and its lead from them; classify turns
the rest into blocks; block passes rewrite the blocks. build_passes registers,
in this order:

1. normalise: drop a byte-order mark and zero-width spaces, collapse spacing.
2. unwrap: join hard-wrapped paragraphs back into one line each.
3. cut_strong_tail: cut a comment form, author box or "More from" in the second half.
4. drop_chrome: drop blank lines, navigation, credits, counters, filler, teaser cards.
5. cut_tail: cut a final "Related" / "Read also" list made only of short lines.
6. drop_contents: drop a table of contents (short lines repeated later as headings).
7. keep_main_text: keep the run of lines where the prose is, and the masthead above it.
8. find_title: take the headline from the masthead; the lines under it are its lead.
9. classify: make the remaining lines headings, list items and paragraphs.
10. drop_empty_sections: drop headings with nothing under them.
11. promote_closing_sections: raise headings after the last numbered section to its rank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum

from reader.library.importing.markup import escape_markdown
from reader.library.importing.written import parse_written, wrap_width


class Kind(Enum):
    """What a block is in the Markdown written for it."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    NUMBERED = "numbered"


@dataclass
class Block:
    """One heading, paragraph or list item; a list item's text is without its marker."""

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


# --- passes and their registry -----------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The text between passes: lines not yet placed, the headline, the blocks placed so far."""

    lines: list[str]
    title: str | None = None
    blocks: list[Block] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str) -> Draft:
        """The text split at its line ends (\\n, \\r\\n or \\r), each line as it is."""
        return cls(lines=text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


Pass = Callable[[Draft], Draft]
LineStep = Callable[[list[str]], list[str]]
BlockStep = Callable[[list[Block]], list[Block]]


def on_lines(step: LineStep) -> Pass:
    """A pass that rewrites the draft's lines not yet placed with `step`."""

    def run(draft: Draft) -> Draft:
        return replace(draft, lines=step(draft.lines))

    return run


def on_blocks(step: BlockStep) -> Pass:
    """A pass that rewrites the draft's blocks with `step`."""

    def run(draft: Draft) -> Draft:
        return replace(draft, blocks=step(draft.blocks))

    return run


class PassRegistry(Mapping[str, Pass]):
    """Passes by name, iterated in the order they run, as Python-Markdown registers processors.

    Each pass is registered under a name with a place: passes run from the
    lowest place to the highest (ties in the order their names were first
    registered). A pass is looked up with ``registry[name]`` and removed with
    ``deregister(name)``, so a caller can run a subset or slot in a pass of its
    own between two others.
    """

    def __init__(self) -> None:
        self._passes: dict[str, tuple[int, Pass]] = {}

    def register(self, name: str, run: Pass, place: int) -> None:
        """Add `run` under `name` at `place`; a name registered again is replaced."""
        self._passes[name] = (place, run)

    def deregister(self, name: str) -> None:
        """Remove the pass registered under `name`; KeyError if there is none."""
        del self._passes[name]

    def __getitem__(self, name: str) -> Pass:
        return self._passes[name][1]

    def __iter__(self) -> Iterator[str]:
        """The names of the passes, in the order they run."""
        return iter(sorted(self._passes, key=lambda name: self._passes[name][0]))

    def __len__(self) -> int:
        return len(self._passes)


# --- line shapes -------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)\]」』]*$")
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
    r"\b\d(?:[\d,.]*\d)?k?\s*(comments?|responses?|shares?|views?|likes?|reads?|claps?|followers?)(?![\w'’-])|"
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
# Counts are small or abbreviated ("1.2k"); a four-digit number is a year, not a counter.
_COUNT = r"\d{1,3}(?:[,.]\d+)?[kKmM]?"
_COUNTER = re.compile(
    rf"^(?:[^\d\n]{{0,40}}?\s)?{_COUNT}(?:\s+[^\d\s]{{0,12}})?(?:\s+{_COUNT}\s*\w{{0,12}})+$"
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


def without_marker(line: str) -> str:
    """The line without a list marker ("•", "-", "1.", "(2)") the importers take off."""
    line = line.strip()
    m = _BULLET.match(line) or _NUMBERED.match(line)
    return line[m.end() :] if m else line


def words(line: str) -> list[str]:
    return _WORD.findall(line)


_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")


def word_count(line: str) -> int:
    """Words, counting two characters of a script written without spaces as one."""
    return len(words(line)) + len(_UNSPACED.findall(line)) // 2


def is_sentence(line: str) -> bool:
    """A line that reads as prose: sentence punctuation at the end, or long."""
    n = word_count(line)
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
    counts = _COUNTS.search(line) and len(words(line)) <= 10 and not is_sentence(line)
    return bool(counts) or is_page_control(line) or is_page_label(line)


def is_page_control(line: str) -> bool:
    """What only a web page has: its menus, buttons and image placeholders.

    Unlike credits and copyright lines, which written documents have too,
    these mark a text as scraped from a page. Cookie banners and counts
    ("12 comments") are page chrome too, but a note may speak of cookies or
    count shares, so they do not tell a page from a note.
    """
    if not words(line) or is_sentence(line) or _DATELINE.match(line):
        return False
    return bool(_NAVIGATION.match(line) or _PLACEHOLDER.match(line))


def is_page_label(line: str) -> bool:
    """A counter ("Career Forge 0 21") or a tagline ("Broadcast| Connect| Grow").

    On a page these are chrome; in a document they may be a table row or a
    list of years, so they count only with a page's layout.
    """
    if not words(line) or is_sentence(line) or _DATELINE.match(line):
        return False
    if _NUMBERED.match(line) or _BULLET.match(line):  # a list item, not a counter
        return False
    return bool((_COUNTER.match(line) and len(words(line)) <= 7) or is_tagline(line))


# --- line passes -------------------------------------------------------------


def normalise(lines: list[str]) -> list[str]:
    """Drop a leading byte-order mark and zero-width spaces; collapse spacing.

    No-break spaces, tabs and runs of white space become one space, and each
    line is trimmed. Blank lines are kept (as empty strings) for unwrap.
    """
    out = []
    for k, raw in enumerate(lines):
        line = raw.lstrip("\ufeff") if k == 0 else raw
        line = line.replace("\u00a0", " ").replace("\u200b", "").replace("\t", " ")
        line = re.sub(r"\s+", " ", line).strip()
        out.append(line)
    return out


def unwrap(lines: list[str]) -> list[str]:
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


def cut_strong_tail(lines: list[str]) -> list[str]:
    """Cut a comment form, an author box or "More from" past the first half of the text.

    Everything from that line on goes, prose included (other posts' blurbs,
    the form's instructions).
    """
    total = sum(len(x) for x in lines) or 1
    before = 0
    for i, line in enumerate(lines):
        if line and _STRONG_TAIL.match(line) and before / total >= 0.5:
            return lines[:i]
        before += len(line)
    return lines


def drop_chrome(lines: list[str]) -> list[str]:
    """Drop blank lines, chrome lines, filler testimonials and truncated teaser cards.

    Chrome lines are those is_chrome_line finds. A filler testimonial is a
    "lorem ipsum" line with the short heading above it and the names and roles
    under it; a teaser card is a title cut short with "..." followed by the
    full title, and both go.
    """
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


def cut_tail(lines: list[str]) -> list[str]:
    """Cut a final "Related posts:" / "Read also:" list made only of short lines."""
    cut = len(lines)
    for i in range(len(lines) - 1, 0, -1):
        if is_sentence(lines[i]):
            break
        if _TAIL.match(lines[i]):
            cut = i
    return lines[:cut]


def keep_main_text(lines: list[str]) -> list[str]:
    """Keep the run of lines where the article's prose is, and the masthead just above it.

    A scraped page is menus, then the article, then link lists and footers.
    Each line weighs for the article by its words when it is prose and
    against it when it is a short label; the article is the run of lines of
    the highest total weight (the maximum-sum run). Short lists and
    subheadings inside the article weigh little against the prose around
    them and stay; the long menus and link lists outside it go. The few short
    lines right above the run (kicker, headline, byline, date) are kept for
    find_title.
    """
    if len(lines) < 12:
        return lines
    best, best_start, best_end = 0.0, 0, len(lines)
    run, start = 0.0, 0
    for i, line in enumerate(lines):
        weight = float(word_count(line)) if is_sentence(line) else -1.0
        if run <= 0:
            run, start = 0.0, i
        run += weight
        if run > best:
            best, best_start, best_end = run, start, i + 1
    if best <= 0:
        return lines
    # Prose a little above the run belongs to the article too, with the list
    # between (an intro over its ingredients): menus hold no prose.
    k = best_start - 1
    while k >= 0 and best_start - k <= _LIST_BETWEEN:
        if is_sentence(lines[k]):
            best_start = k
        k -= 1
    first = best_start
    while first > 0 and best_start - first < _MASTHEAD and is_short(lines[first - 1]):
        first -= 1
    return lines[first:best_end]


_MASTHEAD = 6
_LIST_BETWEEN = 30


def drop_contents(lines: list[str]) -> list[str]:
    """Drop a table of contents: a run of short lines each repeated later as a heading.

    Its own label ("Table of contents", "In this article") goes with it.
    """
    last_seen = {line: k for k, line in enumerate(lines)}  # each line's last place
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and is_short(lines[j]) and last_seen[lines[j]] > j:
            j += 1
        if j - i >= 3:
            if out and re.fullmatch(r"(table of )?contents|in this (article|post)", out[-1], re.I):
                out.pop()
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out


# --- from lines to blocks ----------------------------------------------------


def find_title(draft: Draft) -> Draft:
    """Take the headline from the masthead and place the lines under it as its lead.

    The masthead is the lines before the first prose; the headline is one of
    its short lines. Banner lines (pictographs, marketing superlatives) and
    datelines are passed over; a line repeated further down (sites print the
    headline twice) is preferred. Masthead lines under the headline (byline,
    date, dek) become paragraphs as they are, never section headings; those
    above it are site banners and are left out, and so are copies of the
    headline. The body, from the first prose on, stays as lines. With no
    headline the draft is returned unchanged.
    """
    lines = draft.lines
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
        return draft

    # A headline printed twice wins; else one of four words or more over a
    # section label or site name ("World News"); then title case over a
    # sentence-case dek; then the line nearest the text.
    def rank(i: int) -> tuple[bool, bool, int]:
        line = masthead[i]
        return (len(words(line)) >= 4, is_title_case(line), i)

    repeated = [i for i in candidates if masthead[i] in lines[first_prose:]]
    chosen = repeated[0] if repeated else max(candidates, key=rank)
    title = masthead[chosen]
    lead = [Block(Kind.PARAGRAPH, x) for x in masthead[chosen + 1 :] if x != title]
    body = [x for x in lines[first_prose:] if x != title]
    return replace(draft, lines=body, title=title, blocks=draft.blocks + lead)


def take_title(draft: Draft) -> Draft:
    """The first line is the title when it reads as a heading over prose; nothing is left out.

    For a text that is not a scraped page: its first line is its writer's
    title or it is not, and every other line stays where it is.
    """
    lines = draft.lines
    if len(lines) < 2 or not is_short(lines[0]) or lines[0].endswith(":"):
        return draft
    if _BULLET.match(lines[0]) or _NUMBERED.match(lines[0]) or len(words(lines[0])) < 1:
        return draft
    return replace(draft, lines=lines[1:], title=lines[0])


def drop_blank(lines: list[str]) -> list[str]:
    """Drop the blank lines between one-line blocks."""
    return [x for x in lines if x]


def classify(draft: Draft) -> Draft:
    """Turn the lines not yet placed into headings, list items and paragraphs.

    The blocks are added after those already placed (the lead); no line is
    left unplaced. Marked list items ("•", "-", "1.") are list items, except
    that numbered short title-case lines are section headings when there are
    two or more; then the unnumbered headings are one level below them. Other
    long lines are paragraphs, and runs of short lines are split by
    _classify_run.
    """
    lines = draft.lines
    blocks = list(draft.blocks)
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
    return replace(draft, lines=[], blocks=blocks)


def _classify_run(run: list[str], level: int, at_end: bool) -> list[Block]:
    """Headings at the edges of a run of short lines (in title case), list items inside.

    Lines ending with ":" and datelines are paragraphs, and so is a lone item
    between headings or a sentence-case line that ends the text.
    """
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


# --- block passes ------------------------------------------------------------


def drop_empty_sections(blocks: list[Block]) -> list[Block]:
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


def promote_closing_sections(blocks: list[Block]) -> list[Block]:
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


# --- running the passes ------------------------------------------------------


def structure_passes() -> PassRegistry:
    """The passes that only read structure, for a flush text that is not a scraped page.

    No line is left out: blank lines go, the first line may become the title,
    and classify makes headings, lists and paragraphs of the rest.
    """
    passes = PassRegistry()
    passes.register("normalise", on_lines(normalise), 10)
    passes.register("drop_blank", on_lines(drop_blank), 40)
    passes.register("take_title", take_title, 70)
    passes.register("classify", classify, 80)
    passes.register("promote_closing_sections", on_blocks(promote_closing_sections), 100)
    return passes


def build_passes() -> PassRegistry:
    """A new registry of the importer's passes, in the order the module docstring lists.

    Each call builds its own, so a caller may deregister or replace passes
    and hand the registry to parse_text without changing anyone else's.
    """
    passes = PassRegistry()
    passes.register("normalise", on_lines(normalise), 10)
    passes.register("unwrap", on_lines(unwrap), 20)
    passes.register("cut_strong_tail", on_lines(cut_strong_tail), 30)
    passes.register("drop_chrome", on_lines(drop_chrome), 40)
    passes.register("cut_tail", on_lines(cut_tail), 50)
    passes.register("keep_main_text", on_lines(keep_main_text), 65)
    passes.register("drop_contents", on_lines(drop_contents), 60)
    passes.register("find_title", find_title, 70)
    passes.register("classify", classify, 80)
    passes.register("drop_empty_sections", on_blocks(drop_empty_sections), 90)
    passes.register("promote_closing_sections", on_blocks(promote_closing_sections), 100)
    return passes


def parse_text(text: str, passes: PassRegistry | None = None) -> TextDocument:
    """Run `passes` (by default build_passes()) in order over the text's lines."""
    draft = Draft.from_text(text)
    for run in (build_passes() if passes is None else passes).values():
        draft = run(draft)
    return TextDocument(title=draft.title, blocks=draft.blocks)


# --- output ------------------------------------------------------------------


def blocks_to_markdown(title: str | None, blocks: Iterable[Block]) -> str:
    parts: list[list[str]] = []  # each part: the lines of one block or one whole list
    if title:
        parts.append(["# " + escape_markdown(title)])
    prev: Block | None = None
    for b in blocks:
        text = escape_markdown(b.text)
        if b.kind is Kind.HEADING:
            parts.append(["#" * b.level + " " + text])
        elif b.kind is Kind.PARAGRAPH:
            parts.append([text])
        else:
            item = "- " + text if b.kind is Kind.BULLET else f"{b.number}. {text}"
            if prev is not None and prev.kind is b.kind:
                parts[-1].append(item)  # the same list goes on
            else:
                parts.append([item])
        prev = b
    return "\n\n".join("\n".join(lines) for lines in parts) + "\n"


class Layout(Enum):
    """How a plain text came to be, which decides what its import may do."""

    SCRAPED = "scraped"  # a web page's text: furniture lines are left out
    FLUSH = "flush"  # one flush line per block, no page furniture: structure only
    WRITTEN = "written"  # laid out by hand: read as written, every line kept


def layout(text: str) -> Layout:
    """Tell a scraped page from a text someone wrote.

    Cleaning is for scraped pages only. A text is one when it has prose (an
    article) and two or more of its lines are controls only a page has
    (navigation, share buttons, image placeholders); or when it has prose, is
    laid out as a scraper gives it (one flush line per block: no paragraphs of
    several lines, few indented lines, no wrapping at a width) and has such a
    control, a counter or a tagline. Other flush texts only have their structure read; texts laid
    out by hand are read as written. Neither loses a line.
    """
    raw = Draft.from_text(text).lines
    lines = normalise(raw)
    filled = [x for x in lines if x]
    has_prose = any(is_sentence(x) for x in filled)
    controls = sum(1 for x in filled if is_page_control(x))
    if controls >= 2 and has_prose:
        return Layout.SCRAPED
    blocks = _blocks(lines)
    if len(blocks) >= 2 and sum(1 for b in blocks if len(b) >= 2) * 2 >= len(blocks):
        return Layout.WRITTEN  # paragraphs of several lines: wrapped, or verse
    indented = sum(1 for x in raw if x[:1] in (" ", "\t") and x.strip())
    if indented * 4 >= len(filled) or wrap_width(raw):
        return Layout.WRITTEN  # scrapers give one flush line per block
    if has_prose and (controls or any(is_page_label(x) for x in filled)):
        return Layout.SCRAPED
    return Layout.FLUSH  # no page furniture, or no article: a list, a table, a few words


def looks_scraped(text: str) -> bool:
    return layout(text) is Layout.SCRAPED


def _blocks(lines: list[str]) -> list[list[str]]:
    """The runs of non-blank lines."""
    out: list[list[str]] = [[]]
    for x in lines:
        if x:
            out[-1].append(x)
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


def text_to_markdown(text: str) -> tuple[str | None, str]:
    """Convert plain text; return (headline or None, Markdown).

    Scraped pages (see layout) are cleaned by the passes; other flush texts
    only have their structure read (structure_passes), and texts laid out by
    hand are read as written (written.parse_written). Those keep every line.
    """
    kind = layout(text)
    if kind is Layout.WRITTEN:
        return parse_written(text)
    doc = parse_text(text, build_passes() if kind is Layout.SCRAPED else structure_passes())
    return doc.title, doc.to_markdown()
