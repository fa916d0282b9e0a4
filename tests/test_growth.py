"""Odd inputs import and render, keep their words, and leave ordinary documents as they were.

Runs of brackets that never close, marks nested thousands deep, lists indented
a level a line: each is imported and rendered at a size that once hung or
broke the renderer. How the time grows is measured by bench/growth_bench.py;
these tests only hold what comes out.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.library.importing import convert_bytes
from reader.library.importing.html import parse_html
from reader.rendering import (
    _EXTENSION_CONFIGS,
    _EXTENSIONS,
    MAX_DEPTH,
    MAX_NESTING,
    GrowthExtension,
    NestedListExtension,
    render,
    shallow_html,
)
from tests.conftest import SEEDS

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text))


def shown_words(markdown_text: str) -> Counter[str]:
    """The words of Markdown a reader sees: a link's address is not shown."""
    return words(re.sub(r"\]\([^)]*\)", "]", markdown_text))


def deep_list(depth: int) -> str:
    return "".join("  " * k + f"- item{k}\n" for k in range(depth))


ODD_MARKDOWN = {
    "unclosed brackets": "[" * 4000 + " the words after\n",
    "nested brackets": "[" * 3000 + "inside" + "]" * 3000 + "\n",
    "brackets between links": "".join(
        f"[open{k} [link{k}](https://e.org/{k}) " for k in range(800)
    ),
    "nested emphasis": "*" * 10_000 + "middle" + "*" * 10_000 + "\n",
    "emphasis opened word by word": "*a " * 3000 + "b" + " c*" * 3000 + "\n",
    "mixed emphasis marks": "".join("*_"[k % 2] + f"w{k} " for k in range(2000)) + "end\n",
    "deep list, one line": "- " * 10_000 + "leaf\n",
    "deep list, indented": deep_list(600),
    "deep quote": ">" * 5000 + " quoted words\n",
    "quotes and lists on one line": "> - " * 3000 + "bottom\n",
    # A link's "(" that never closes, or a title that never does.
    "unclosed link addresses": "[a](" * 8000 + " the words after\n",
    "unclosed image addresses": "![a](" * 6000 + " the words after\n",
    "addresses in angle brackets": "[a](<" * 6000 + " the words after\n",
    "parentheses after an address": "[a](b (" * 4000 + " the words after\n",
    "titles that never close": '[a](b "c) ' * 3000 + "the words after\n",
    # A "<" that opens no tag, or markup that needs a ">" none gives.
    "unclosed tags": "<a " * 8000 + "the words after\n",
    "unclosed tags, then a value": "<a " * 8000 + "b='> the words after\n",
    "unclosed tags at line starts": "<div \n" * 6000 + "the words after\n",
    "unclosed autolinks": "<http://" * 4000 + " the words after\n",
    "unclosed mail links": "<a@" * 8000 + " the words after\n",
    "unclosed end tags": "</a \n" * 8000 + "the words after\n",
    "unclosed instructions": "<?\n" * 8000 + "<![CDATA[\n" * 4000 + "the words after\n",
    "a line of escapes": "\\" * 40_000 + " the words after\n",
    "one-column rows under headings": "# row|\n" * 4000,
}


@pytest.mark.parametrize("source", ODD_MARKDOWN.values(), ids=ODD_MARKDOWN.keys())
def test_odd_markdown_renders_every_word(source: str) -> None:
    shown = render(source).text
    assert not shown_words(source) - words(shown)


@pytest.mark.parametrize("source", ODD_MARKDOWN.values(), ids=ODD_MARKDOWN.keys())
def test_odd_markdown_imports(source: str) -> None:
    converted = convert_bytes(source.encode(), Path("odd.md"))
    assert not shown_words(source) - words(render(converted.markdown).text)


def depth_of(html: str, tags: tuple[str, ...]) -> int:
    """How deep the given elements nest in the HTML."""
    depth = deepest = 0
    for tag in re.finditer(r"<(/?)(\w+)", html):
        if tag.group(2) in tags:
            depth += -1 if tag.group(1) else 1
            deepest = max(deepest, depth)
    return deepest


def test_lists_and_quotes_nest_at_most_so_deep() -> None:
    assert depth_of(render(deep_list(100)).html, ("ul",)) == MAX_NESTING
    assert depth_of(render("- " * 100 + "x\n").html, ("ul",)) == MAX_NESTING
    assert depth_of(render(">" * 100 + " x\n").html, ("table",)) == MAX_NESTING
    mixed = render("> - " * 100 + "x\n").html
    assert depth_of(mixed, ("ul", "table")) <= MAX_NESTING
    assert depth_of(render("*" * 100 + "x" + "*" * 100).html, ("em", "strong")) <= MAX_NESTING


def test_items_deeper_than_lists_go_are_beside_the_deepest() -> None:
    text = render(deep_list(40)).text
    assert text.split("\n") == [f"item{k}" for k in range(40)]


def test_a_marker_past_the_deepest_list_is_shown_as_written() -> None:
    text = render("- " * 20 + "leaf\n").text
    assert text.strip().endswith("- " * (20 - MAX_NESTING) + "leaf")


def test_many_headings_have_their_offsets_in_the_text() -> None:
    source = "".join(f"## Heading {k}\n\nText under heading {k}.\n\n" for k in range(2000))
    rendered = render(source)
    assert len(rendered.outline) == 2000
    for entry in rendered.outline[::199]:
        assert rendered.text.startswith(entry.title, entry.offset)


def test_many_plain_lines_import_and_keep_their_words() -> None:
    text = "".join(f"Line {k} tells the reader about item {k} today.\n" for k in range(10_000))
    converted = convert_bytes(text.encode(), Path("lines.txt"))
    assert not words(text) - words(render(converted.markdown).text)


def deep_page(depth: int) -> str:
    prose = "".join(
        f"<p>Paragraph {k} of the article says enough words to be read as its prose, "
        "with a sentence that goes on for a while.</p>\n"
        for k in range(5)
    )
    return (
        "<html><head><title>Deep page</title></head><body><article><h1>Deep page</h1>"
        + prose
        + "<div>" * depth
        + "<p>the deepest words</p>"
        + "</div>" * depth
        + "</article></body></html>"
    )


def test_a_page_nested_deeper_than_the_parser_goes_keeps_its_deepest_words() -> None:
    converted = convert_bytes(deep_page(3000).encode(), Path("deep.html"))
    assert "the deepest words" in render(converted.markdown).text
    tree = parse_html(deep_page(3000))
    assert tree is not None
    assert "the deepest words" in tree.text_content()


def test_shallow_html_closes_the_innermost_element_past_the_depth() -> None:
    page = "<div>" * (MAX_DEPTH + 5) + "<p>words</p>" + "</div>" * (MAX_DEPTH + 5)
    shallow = shallow_html(page)
    assert depth_of(shallow, ("div", "p")) == MAX_DEPTH
    assert "<p>words</p>" in shallow
    normal = "<div><p>One <b>two</b><br>three</p><!-- <div> --><script>'<div>'</script></div>"
    assert shallow_html(normal) == normal


# --- ordinary documents render as Python-Markdown's own processors render them ---


def library_html(source: str) -> str:
    """The HTML of Python-Markdown's own link and emphasis processors, and this list indenter."""
    md = markdown.Markdown(
        extensions=[*_EXTENSIONS, NestedListExtension()], extension_configs=_EXTENSION_CONFIGS
    )
    return md.convert(source)


def reader_html(source: str) -> str:
    md = markdown.Markdown(
        extensions=[*_EXTENSIONS, NestedListExtension(), GrowthExtension()],
        extension_configs=_EXTENSION_CONFIGS,
    )
    return md.convert(source)


LINKS = """# Links and marks

A [plain link](https://example.org) and [one with [brackets] inside](https://e.org/a "Title"),
an ![image](picture.png), a [reference][ref], a [short one] and ![a picture][pic].
Brackets that are text: [not a link], a lone [ and a lone ], \\[escaped\\] and `[code]`.
*Emphasis*, **strong**, ***both***, _under_, __double__ and *nested **marks** here*.

- a list
  - nested *two* deep
    - three [deep](https://e.org/3)
      1. numbered

> a quote
> > with a quote in it
> > - and a list

[ref]: https://example.org/ref
[short one]: https://example.org/short
[pic]: picture.png
"""


def test_ordinary_documents_render_as_before() -> None:
    documents = [LINKS]
    documents += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.md"))]
    golden = Path(__file__).parent / "data" / "golden"
    documents += [p.read_text(encoding="utf-8") for p in sorted(golden.glob("*.md"))]
    for source in documents:
        assert reader_html(source) == library_html(source)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="[]()!*_ `<>-\nab:", max_size=30))
def test_brackets_and_marks_read_as_python_markdown_reads_them(source: str) -> None:
    source += "\n\n[a]: https://example.org/a\n"
    assert reader_html(source) == library_html(source)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]()!<>'\" \\a=/|-#\n", max_size=30))
def test_addresses_tags_and_escapes_read_as_python_markdown_reads_them(source: str) -> None:
    assert reader_html(source) == library_html(source)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<a ", "b='", '"', "=", "/", ">", " ", "\n", "&amp;", "<div>", "</div>"])
        | st.sampled_from(["<?", "<!", "<![CDATA[", "<!--", "-->", "</a", "]]>", "<a@", "\x00"]),
        max_size=20,
    )
)
def test_raw_html_is_set_aside_as_python_markdown_sets_it_aside(parts: list[str]) -> None:
    source = "".join(parts)
    assert reader_html(source) == library_html(source)


def test_deep_raw_html_renders_at_most_so_deep() -> None:
    rendered = render("<div>\n" * 12_000 + "deep words\n")
    assert depth_of(rendered.html, ("div",)) <= MAX_DEPTH
    assert "deep words" in rendered.text


def test_a_page_of_unclosed_tags_is_made_shallow_in_one_pass() -> None:
    page = "<div>" * (MAX_DEPTH + 100) + "<a" * 40_000 + " words</div>"
    assert shallow_html(page).endswith("<a" * 40_000 + " words</div>")
