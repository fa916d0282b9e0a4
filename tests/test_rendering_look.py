"""How Markdown looks in the reading view: nested lists, ruled tables, code and quotes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QColor,
    QTextBlock,
    QTextDocument,
    QTextFrame,
    QTextTable,
    QTextTableCell,
)
from PySide6.QtWidgets import QApplication

from reader.rendering import render

# What the reading theme adds for the renderer's class names, in plain colours.
STYLE = """
ul, ol { margin-bottom: 18px; }
li { margin-bottom: 6px; }
table.md-table { border-color: #a0a0a0; }
td.code-block { background-color: #f0f0f0; }
td.quote { border-left-color: #00a000; color: #505050; }
.codehilite .k { color: #ff0000; }
"""


def shown(markdown: str) -> QTextDocument:
    """The document the reading view makes of an article."""
    document = QTextDocument()
    document.setDefaultStyleSheet(STYLE)
    document.setHtml(render(markdown).html)
    return document


def structure(markdown: str) -> str:
    """The HTML of an article, less the layout its elements are given."""
    return re.sub(r' style="[^"]*"', "", render(markdown).html)


def tables(frame: QTextFrame) -> Iterator[QTextTable]:
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from tables(child)


def cell_text(cell: QTextTableCell) -> str:
    cursor = cell.firstCursorPosition()
    cursor.setPosition(cell.lastCursorPosition().position(), cursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n")


def cell_holding(document: QTextDocument, text: str) -> QTextTableCell:
    """The innermost table cell whose text includes ``text``."""
    found = [
        table.cellAt(row, column)
        for table in tables(document.rootFrame())
        for row in range(table.rows())
        for column in range(table.columns())
        if text in cell_text(table.cellAt(row, column))
    ]
    assert found, f"no cell holds {text!r}"
    return min(found, key=lambda cell: len(cell_text(cell)))


def block_starting(document: QTextDocument, text: str) -> QTextBlock:
    block = document.begin()
    while block.isValid():
        if block.text().startswith(text):
            return block
        block = block.next()
    raise AssertionError(f"no block starts with {text!r}")


def list_indent(document: QTextDocument, text: str) -> int:
    """How deep the list item starting with ``text`` is nested (0: not in a list)."""
    items = block_starting(document, text).textList()
    return 0 if items is None else items.format().indent()


@pytest.fixture(autouse=True)
def app(qapp: QApplication) -> QApplication:
    return qapp  # a QTextDocument lays out text with the application's fonts


# --- nested lists ------------------------------------------------------------


@pytest.mark.parametrize("spaces", [2, 3, 4])
def test_a_list_nests_at_the_writers_indent(spaces: int) -> None:
    pad = " " * spaces
    markdown = f"- fruit\n{pad}- apple\n{pad}{pad}- pippin\n{pad}- pear\n- leek\n"
    html = structure(markdown)
    assert re.search(r"<li>fruit<ul><li>apple<ul><li>pippin</li></ul></li><li>pear</li>", html)
    document = shown(markdown)
    assert list_indent(document, "fruit") == list_indent(document, "leek") == 1
    assert list_indent(document, "apple") == list_indent(document, "pear") == 2
    assert list_indent(document, "pippin") == 3


def test_a_list_has_its_space_below_after_its_last_line() -> None:
    document = shown("- fruit\n  - apple\n- leek\n  - pippin\n    - seed\n\nAfter.\n")

    def space_below(text: str) -> float:
        return block_starting(document, text).blockFormat().bottomMargin()

    assert space_below("fruit") == space_below("apple") == space_below("leek") == 6
    assert space_below("pippin") == 6
    assert space_below("seed") == 18


def test_a_numbered_list_nests_items_under_its_numbers() -> None:
    markdown = "1. Boil water\n   - a full kettle\n  - or a pan\n2. Pour it\n"
    html = structure(markdown)
    assert "<ol><li>Boil water<ul><li>a full kettle</li><li>or a pan</li></ul></li>" in html
    assert "<li>Pour it</li></ol>" in html


def test_an_items_paragraphs_and_code_stay_with_it_when_nested_by_two_spaces() -> None:
    markdown = (
        "- outer\n  - inner item\n\n    A paragraph of the inner item.\n\n"
        "        code of the inner item\n\n  A paragraph of the outer item.\n"
    )
    html = structure(markdown)
    inner = html.index("<li><p>inner item</p>")
    assert inner < html.index("<p>A paragraph of the inner item.</p>") < html.index("</ul>")
    assert "<code>code of the inner item</code>" in html
    assert html.index("</ul><p>A paragraph of the outer item.</p></li></ul>") > inner


def test_code_that_looks_like_a_list_is_left_as_it_is() -> None:
    markdown = "Text.\n\n    - not\n      - a list\n\n```\n- nor\n  - this\n```\n"
    rendered = render(markdown)
    assert "<ul>" not in rendered.html and "<li>" not in rendered.html
    assert "- not\n  - a list" in rendered.text
    assert "- nor\n  - this" in rendered.text


# --- tables ------------------------------------------------------------------


def test_a_table_is_ruled_and_keeps_its_column_alignment() -> None:
    markdown = "| Name | Kind | Price |\n|:-----|:----:|------:|\n| Apple | fruit | 1.20 |\n"
    html = render(markdown).html
    assert '<th align="right"' in html and '<td align="right"' in html
    assert '<td align="center"' in html and '<td align="left"' in html
    document = shown(markdown)
    price = cell_holding(document, "1.20")
    table = price.firstCursorPosition().currentTable()
    assert table is not None and table.format().border() >= 1
    assert table.format().borderBrush().color() == QColor("#a0a0a0")
    assert price.firstCursorPosition().blockFormat().alignment() & Qt.AlignmentFlag.AlignRight
    kind = cell_holding(document, "fruit").firstCursorPosition().blockFormat().alignment()
    assert kind & Qt.AlignmentFlag.AlignHCenter


def test_the_sanitiser_keeps_alignment_and_nothing_new_of_the_articles_own() -> None:
    html = render(
        '<table class="quote" border="9"><tr><td align="right" class="code-block"'
        ' onclick="x()" style="color: red; width: 900px">a</td></tr></table>\n\n'
        '<span class="k quote" style="position: fixed">b</span>\n'
    ).html
    assert '<td align="right" style="padding: 4px 10px; color:red">a</td>' in html
    assert re.search(r'<span class="k"( style="")?>b</span>', html)
    assert "onclick" not in html and "900px" not in html and "fixed" not in html
    assert 'border="9"' not in html and 'table class="quote"' not in html


# --- code --------------------------------------------------------------------


def test_a_code_block_is_one_padded_block_with_its_words() -> None:
    code = 'def greet(name):\n\n    return "Hello, " + name  # said once'
    markdown = f"Before.\n\n```python\n{code}\n```\n\nAfter.\n"
    rendered = render(markdown)
    assert code in rendered.text
    document = shown(markdown)
    cell = cell_holding(document, "def greet")
    assert cell_text(cell) == code
    table = cell.firstCursorPosition().currentTable()
    assert table is not None and (table.rows(), table.columns()) == (1, 1)
    assert cell.format().background().color() == QColor("#f0f0f0")  # the theme's, by class
    assert cell.format().toTableCellFormat().leftPadding() > 0


def test_code_is_coloured_by_the_themes_classes_not_in_the_html() -> None:
    rendered = render("```python\ndef f():\n    pass\n```\n")
    assert '<span class="k">def</span>' in rendered.html
    assert "color:" not in rendered.html and "color: " not in rendered.html
    document = shown("```python\ndef f():\n    pass\n```\n")
    cursor = cell_holding(document, "def f").firstCursorPosition()
    cursor.movePosition(cursor.MoveOperation.NextCharacter)
    assert cursor.charFormat().foreground().color() == QColor("#ff0000")


def test_code_without_a_language_is_not_guessed() -> None:
    html = render("```\ndef f():\n    pass\n```\n").html
    assert 'class="k"' not in html and "<code>def f():\n    pass</code>" in html


# --- quotes ------------------------------------------------------------------


def test_a_quote_has_a_rule_down_its_left() -> None:
    markdown = "Before.\n\n> Quoted words.\n>\n> More of them.\n\nAfter.\n"
    document = shown(markdown)
    cell = cell_holding(document, "Quoted words.")
    assert cell_text(cell) == "Quoted words.\nMore of them."
    cell_format = cell.format().toTableCellFormat()
    assert cell_format.leftBorder() >= 2
    assert cell_format.leftBorderBrush().color() == QColor("#00a000")
    assert cell_format.leftPadding() > cell_format.leftBorder()
    assert cell.firstCursorPosition().charFormat().foreground().color() == QColor("#505050")


def test_a_nested_quote_has_a_rule_of_its_own() -> None:
    document = shown("> Outer words.\n>\n> > Inner words.\n")
    inner = cell_holding(document, "Inner words.")
    outer = cell_holding(document, "Outer words.")
    assert cell_text(inner) == "Inner words."
    assert inner.firstCursorPosition().currentTable() != outer.firstCursorPosition().currentTable()
    assert inner.format().toTableCellFormat().leftBorder() >= 2


# --- every word is there -----------------------------------------------------

ARTICLE = """# Reading notes

Some opening words, with `inline code` and **strong** ones.

- fruit
  - apple
    - pippin
- leek

1. boil
   - kettle
2. pour

| name | price |
|:-----|------:|
| apple | twelve |

```
fenced words here
    indented within
```

> quoted words
>
> - quoted item
>   - nested quoted item

- item with code

      code inside item

Closing words.
"""


def words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def test_every_word_of_the_markdown_is_in_the_text_in_order() -> None:
    assert words(render(ARTICLE).text) == words(ARTICLE)


def test_the_article_shows_exactly_the_core_text() -> None:
    assert shown(ARTICLE).toPlainText() == render(ARTICLE).text


# Blocks of every kind, nested in lists and quotes at any indent.
_word = st.sampled_from(["alpha", "beta", "gamma", "delta"])
_line = st.lists(_word, min_size=1, max_size=4).map(" ".join)


@st.composite
def _blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(["text", "list", "table", "code", "quote", "rule"]))
    if kind == "list" and depth < 2:
        step = draw(st.sampled_from([2, 3, 4]))
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            lines.append("- " + draw(_line))
            if draw(st.booleans()):
                lines += [" " * step + line for line in draw(_blocks(depth + 1))]
        return lines
    if kind == "quote" and depth < 2:
        return ["> " + line if line else ">" for line in draw(_blocks(depth + 1))]
    if kind == "table":
        cells = draw(st.lists(st.sampled_from(["", "x", "yy"]), min_size=2, max_size=2))
        return ["| a | b |", "|:--|--:|", f"| {cells[0]} | {cells[1]} |"]
    if kind == "code":
        return ["", "    " + draw(_line), "", "    " + draw(_line), ""]
    if kind == "rule":
        return ["", "---", ""]
    return [draw(_line)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_blocks(), min_size=1, max_size=5))
def test_any_mix_of_blocks_shows_exactly_the_core_text(parts: list[list[str]]) -> None:
    markdown = "\n\n".join("\n".join(part) for part in parts)
    assert shown(markdown).toPlainText() == render(markdown).text


@pytest.mark.parametrize(
    ("markdown", "after_the_list"),
    [
        ("- a\n# Title\n", "<h1"),  # a heading right under a list is a heading
        ("- a\n  - b\n## Sub\ntext\n", "<h2"),
        ("- a\n  - b\n    ```\n    code\n\nParagraph text here.\n", "<p>Paragraph text here."),
    ],
)
def test_a_line_left_of_the_item_text_is_not_pulled_into_the_list(
    markdown: str, after_the_list: str
) -> None:
    html = render(markdown).html
    assert after_the_list in html.split("</ul>")[-1]  # after the list, not inside an item
