"""A text someone wrote is shown with every word it has, in order, its structure read.

The property tests generate notes, hard-wrapped prose at any width, release
notes with setext headings, nested lists and verse, and hold that the words
shown are exactly the words written (list markers and underlines aside).
"""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.library.importing.text import looks_scraped, text_to_markdown
from reader.rendering import render

_WORD = re.compile(r"\w+")
# Words a person writes in notes; none of them is a page control on its own
# ("Menu", "Share", "Home"), which is what marks a text as a scraped page.
VOCABULARY = [
    "the", "plan", "billing", "service", "agreed", "queue", "invoice", "rollback",
    "notes", "Friday", "retention", "audit", "log", "reporting", "team", "access",
    "tables", "migration", "weeks", "alerts", "legal", "naïve", "Straße", "données",
    "данные", "数据", "café", "2024", "v2", "x86_64", "it's", "O'Brien", "e.g.",
    "read-only", "node.js", "C++", "50%", "$10", "(maybe)", "ask", "Priya", "we",
]  # fmt: skip

word = st.sampled_from(VOCABULARY)


def _sentence(words: list[str], end: str) -> str:
    text = " ".join(words)
    return text[:1].upper() + text[1:] + end


sentence = st.builds(
    _sentence, st.lists(word, min_size=3, max_size=18), st.sampled_from([".", "!", "?", ""])
)
short_line = st.lists(word, min_size=1, max_size=5).map(" ".join)


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    text = " ".join(draw(st.lists(sentence, min_size=1, max_size=5)))
    width = draw(st.one_of(st.none(), st.integers(min_value=30, max_value=110)))
    return text if width is None else textwrap.fill(text, width, break_on_hyphens=False)


@st.composite
def bullet_list(draw: st.DrawFn) -> str:
    marker = draw(st.sampled_from(["-", "*", "+", "•"]))
    lines = []
    for k in range(draw(st.integers(min_value=1, max_value=5))):
        depth = draw(st.integers(min_value=0, max_value=1)) if k else 0
        lines.append("  " * depth + f"{marker} " + draw(st.one_of(sentence, short_line)))
    return "\n".join(lines)


@st.composite
def numbered_list(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=1, max_value=5))
    return "\n".join(f"{k + 1}. " + draw(st.one_of(sentence, short_line)) for k in range(n))


@st.composite
def setext_heading(draw: st.DrawFn) -> str:
    text = draw(short_line)
    mark = draw(st.sampled_from("=-~"))
    return text + "\n" + mark * max(3, len(text))


verse = st.lists(short_line, min_size=2, max_size=6).map("\n".join)
block = st.one_of(paragraph(), bullet_list(), numbered_list(), setext_heading(), verse, short_line)


@st.composite
def note(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(draw(short_line))  # a title line
    parts.extend(draw(st.lists(block, min_size=1, max_size=10)))
    return "\n\n".join(parts) + draw(st.sampled_from(["", "\n"]))


_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+", re.MULTILINE)
_UNDERLINE_ROW = re.compile(r"^[=~-]{3,}$", re.MULTILINE)


def _words(text: str) -> list[str]:
    """The words, less list numbers (drawn by the list, or kept in a numbered heading)."""
    return [w for w in _WORD.findall(text) if not (w.isdigit() and len(w) <= 3)]


def written_words(text: str) -> list[str]:
    return _words(_UNDERLINE_ROW.sub("", _MARKER.sub("", text)))


def shown_words(text: str) -> list[str]:
    _title, markdown = text_to_markdown(text)
    return _words(render(markdown).text)


@settings(max_examples=300, deadline=None)
@given(note())
def test_a_note_shows_every_word_in_order(text: str) -> None:
    assert shown_words(text) == written_words(text)


@settings(max_examples=200, deadline=None)
@given(note())
def test_a_note_is_never_taken_for_a_scraped_page(text: str) -> None:
    assert not looks_scraped(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(sentence, min_size=3, max_size=30), st.integers(min_value=20, max_value=140))
def test_prose_wrapped_at_any_width_is_joined_into_paragraphs(
    sentences: list[str], width: int
) -> None:
    prose = " ".join(sentences)
    text = textwrap.fill(prose, width, break_on_hyphens=False)
    _title, markdown = text_to_markdown(text)
    shown = render(markdown).text
    assert _WORD.findall(shown) == _WORD.findall(prose)


MEETING_NOTE = """\
Team sync, 14 March

We went over the migration plan for the billing service and agreed that the
old cron jobs stay in place until the new queue has run for two weeks without
a missed invoice. Priya will write the rollback notes before Friday.

Open questions were the retention period for the audit log and whether the
reporting team needs read access to the new tables at all.

- move the invoice job to the queue
- add alerts for failed payments
- ask legal about retention

Next steps
"""


def test_a_meeting_note_keeps_its_title_paragraphs_list_and_last_line() -> None:
    title, markdown = text_to_markdown(MEETING_NOTE)
    assert title == "Team sync, 14 March"
    assert markdown.startswith("# Team sync, 14 March\n\n")
    html = render(markdown).html
    assert html.count("<li>") == 3
    assert "the old cron jobs" in render(markdown).text  # the wrapped lines are one paragraph
    assert render(markdown).text.rstrip().endswith("Next steps")
    assert shown_words(MEETING_NOTE) == written_words(MEETING_NOTE)


RELEASE_NOTES = """\
Git 2.45 Release Notes
======================

Backward Compatibility Notes
----------------------------

 * The "--rfc" option of "git format-patch" used to be a valid way to
   override an earlier "--subject-prefix=<something>" on the command
   line.

UI, Workflows & Features
------------------------

 * "git checkout -p" and friends learned that that "@" is a synonym
   for "HEAD".
"""


def test_release_notes_keep_their_setext_headings_and_wrapped_items() -> None:
    title, markdown = text_to_markdown(RELEASE_NOTES)
    assert title == "Git 2.45 Release Notes"
    rendered = render(markdown)
    assert [e.title for e in rendered.outline] == [
        "Git 2.45 Release Notes",
        "Backward Compatibility Notes",
        "UI, Workflows & Features",
    ]
    assert "-----" not in rendered.text
    assert '"@" is a synonym for "HEAD".' in rendered.text  # a wrapped item is one line
    assert shown_words(RELEASE_NOTES) == written_words(RELEASE_NOTES)


def test_an_indented_licence_is_prose_and_an_indented_command_is_code() -> None:
    licence = (
        "   1. Definitions.\n\n"
        '      "License" shall mean the terms and conditions for use, reproduction,\n'
        "      and distribution as defined by Sections 1 through 9 of this document.\n\n"
        '      "Licensor" shall mean the copyright owner or entity authorized by\n'
        "      the copyright owner that is granting the License.\n"
    )
    _title, markdown = text_to_markdown(licence)
    assert "```" not in markdown
    readme = (
        "Building\n\nRun the configure script, then make, as you would anywhere:\n\n"
        "    $ ./configure --prefix=/usr\n    $ make && make install\n\n"
        "That is all it takes to build it.\n"
    )
    _title, markdown = text_to_markdown(readme)
    assert "```text\n$ ./configure --prefix=/usr\n$ make && make install\n```" in markdown


def test_a_verse_or_an_address_keeps_its_line_breaks() -> None:
    text = "Roses are red\nViolets are blue\nSugar is sweet\nAnd so are you\n"
    _title, markdown = text_to_markdown(text)
    assert render(markdown).text.strip().split("\n") == text.strip().split("\n")


@pytest.mark.parametrize(
    "text",
    [
        # A note may speak of cookies, count shares or list words a menu has too.
        "Notes on GDPR\nWe should show a cookie banner: accept or manage settings.\n"
        "Legal says consent must be explicit before any cookies are set.\n",
        "Portfolio\nBought 100 shares of ACME\nSold 50 shares of Globex\n"
        "We rebalance in June, when the quarterly numbers are in.\n",
        "Saturday\nlaundry\nemail\nprint\nregister\ncall the plumber\n",
        "Books I read\nThreads\nPocket\nListen\nWrite\nSave\n",
        # Code the note fences or indents, with what Markdown would read as markup.
        "Deploy notes\n\n```html\n<!-- keep the banner hidden -->\n[docs]: https://example.com\n",
        "Notes\n\nRun this:\n\n    $ cat note.md\n    ```\n    <!-- hidden words here -->\n"
        "    ```\n\nDone.\n",
    ],
)
def test_notes_that_look_like_pages_or_markup_keep_every_word(text: str) -> None:
    def words(found: list[str]) -> list[str]:
        return [w for w in found if w != "html"]  # a fence's language is not shown

    assert words(shown_words(text)) == words(written_words(text))
