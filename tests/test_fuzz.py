"""Whatever a user brings, the library takes it in or says in one line why not.

Random bytes under every supported suffix, random Markdown and saved pages
through the renderer, and random file names through the whole import. Each
run draws the same examples (derandomized), within a fixed budget.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core import ReaderCore
from reader.errors import ImportFailed
from reader.library.importing import SUPPORTED_SUFFIXES, Converted, convert_bytes
from reader.rendering import local_image, render

SURROGATE = re.compile("[\ud800-\udfff]")


def fuzz(examples: int) -> settings:
    """A fixed budget: the same examples on every run, however slow each one."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# --- any bytes ----------------------------------------------------------------

# Pieces that have broken decoding: byte-order marks, surrogates written as
# UTF-8 or UTF-16, cut characters, NULs, declarations of odd charsets.
HAZARDS = [
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff",
    b"\xed\xa0\x80", b"\xed\xb8\x80", b"\x00\xd8", b"\xd8\x00", b"\xc3", b"\xe2\x82", b"\xa9",
    b"\x00", b"\x00" * 8, b"+2AA-", b"~{",
    b'<meta charset="utf-7">', b'<meta charset="utf-16">', b'<meta charset="utf-32">',
    b"<meta charset=x-user-defined>", b'<meta charset="unicode_escape">', b"<meta charset=idna>",
    b"<meta charset=rot13>", b"<meta charset=hz>", b'<meta charset="cp500">',
    b"<?xml version='1.0' encoding='utf-16'?>", b"\\ud800",
    b"<html><head><title>T</title></head><body><article>", b"<p>", b"</p>", b"<h1>", b"# ",
    b"\n", b"\r\n", b"Some words of a sentence. ", "café crème ".encode(),
    "café crème ".encode("cp1252"), "Привет мир ".encode("cp1251"),
    "hello world ".encode("utf-16-le"), "hello world ".encode("utf-16-be"),
    "hello ".encode("utf-32-le"), "中文文本 ".encode("gbk"),
]  # fmt: skip
any_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(st.one_of(st.sampled_from(HAZARDS), st.binary(max_size=6)), max_size=24).map(b"".join),
)


def assert_storable(converted: Converted) -> None:
    """What the catalog keeps of an article: text UTF-8 can hold, with something in it."""
    for text in (converted.title, converted.markdown):
        assert SURROGATE.search(text) is None
        text.encode("utf-8")  # raises on anything the catalog could not store
    assert converted.markdown.strip()


def assert_one_line(error: ImportFailed) -> None:
    message = str(error)
    assert message.strip()
    assert "\n" not in message
    assert "\r" not in message


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
@fuzz(60)
@given(data=any_bytes)
def test_any_bytes_import_or_are_refused_in_one_line(suffix: str, data: bytes) -> None:
    try:
        converted = convert_bytes(data, Path("note" + suffix))
    except ImportFailed as exc:
        assert_one_line(exc)
        return
    assert_storable(converted)
    render(converted.markdown)  # and the reading view can show it


# --- the rendered HTML loads nothing and runs nothing -------------------------

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "samp", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def unsafe_parts(html: str) -> list[str]:
    """What in ``html`` would run a script, load a file or reach the network."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            flat = re.sub(r"[\x00-\x20]+", "", value or "").lower()
            runs = name.startswith("on") or flat.startswith(BAD_SCHEMES)
            loads = (
                (name == "style" and ("url(" in flat or "expression(" in flat))
                or (name == "src" and (tag != "img" or local_image(value or "") is None))
                or name in ("background", "action", "formaction", "srcset", "poster", "lowsrc")
            )
            if runs or loads:
                found.append(f"<{tag} {name}={value!r}>")
    return found


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        '<a href=" JaVa&#x53;cript:alert(1)">x</a>',
        '<img src="http://example.com/x.png">',
        '<img src="//host/x.png">',
        '<img src="file:///etc/passwd.png">',
        '<img src="/etc/x.png">',
        '<span style="background-image: url(http://x/y.png)">x</span>',
        "<iframe src=x.html></iframe>",
    ],
)
def test_the_safety_check_sees_what_it_looks_for(html: str) -> None:
    assert unsafe_parts(html)


MARKDOWN_TOKENS = [
    "*", "**", "_", "__", "[", "]", "](", ")", "`", "```", "~~~", "#", "# ", "## ", ">", "> ",
    "- ", "* ", "1. ", "2) ", "|", "| --- |", "<", "&", "&amp;", "&#106;", "&lt;", "\\",
    "<script>", "</script>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<iframe src=http://e.com>", "</iframe>", "<style>",
    "body{background:url(http://x/y.png)}", "</style>", "<object data=x>", "<embed src=x>",
    "<svg onload=alert(1)>", "<math>", "<base href=http://x/>", "<meta http-equiv=refresh>",
    "<link rel=stylesheet href=http://x/s.css>", "<form action=http://x>", "<video src=x.mp4>",
    '<div style="background:url(http://x/y.png)">', '<span style="color:red">', "</div>",
    '<td background="http://x/y.png">', '<img src="a.png" width=99999>', "<IMG SRC=//x/y.png>",
    '<img src="ht&#x74;p://x/y.png">', '<a href="data:text/html,x">d</a>',
    "file:///etc/passwd", "http://example.com/x.png", "![](http://x/y.png)",
    "![a](/etc/x.png)", "![a](//host/x.png)", "![a](file:///x.png)", "![a](pics/a.png)",
    "![a](../up.png)", "![a](a%2F..%2F..%2Fb.png)", "![a](<http://x/y.png>)",
    "![x][r]", "[r]: http://x/y.png", "[r]: javascript:alert(1)", "[l](javascript:alert(1))",
    "[l](JaVaScRiPt:alert(1))", "[l]( javascript:x)", "<javascript:alert(1)>",
    "<http://example.com>", "<!-- x -->", "<![CDATA[", "]]>",
    "\n", "\n\n", "    ", "  ", "\t", "word ", "é", "😀", "\u202e", "\u0301", "\ufffd",
]  # fmt: skip
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_TOKENS), st.text(max_size=4)), max_size=40
).map("".join)


@fuzz(400)
@given(source=markdown_text)
def test_rendered_markdown_runs_nothing_and_loads_only_its_own_images(source: str) -> None:
    rendered = render(source)
    assert unsafe_parts(rendered.html) == []
    assert SURROGATE.search(rendered.text) is None


# --- saved pages: converted, then rendered ------------------------------------

PAGE_TAGS = [
    "p", "div", "h1", "h2", "a", "img", "script", "style", "iframe", "object", "embed",
    "article", "span", "table", "tr", "td", "ul", "li", "pre", "code", "blockquote", "svg",
    "form", "em", "b", "figure", "nav", "noscript", "template",
]  # fmt: skip
PAGE_ATTRIBUTES = [
    'href="javascript:alert(1)"', 'src="http://example.com/x.png"', 'src="x.png"',
    'onerror="alert(1)"', "onclick=alert(1)", 'style="background:url(http://x/y.png)"',
    'src="file:///etc/passwd"', 'src="/etc/x.png"', 'src="//host/x.png"',
    'href="http://example.com/page"', 'class="content"', 'data-src="http://x/y.png"',
    'srcset="http://x/y.png 2x"', 'href="data:text/html,x"',
]  # fmt: skip
PAGE_TEXT = [
    "The quick brown fox jumps over the lazy dog, and then it runs into the woods. ",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ",
    "café ", "<", "&amp;", "&lt;script&gt;alert(1)&lt;/script&gt;", "*", "_", "[", "](", "`",
    "# ", "\n", "😀", "javascript:alert(1)", "![](http://x/y.png)", "<!-- c -->",
]  # fmt: skip


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(PAGE_TAGS))
    chosen = draw(st.lists(st.sampled_from(PAGE_ATTRIBUTES), max_size=3))
    attributes = "".join(" " + a for a in chosen)
    parts = draw(st.lists(st.sampled_from(PAGE_TEXT), max_size=5))
    if depth < 2:
        parts += draw(st.lists(elements(depth + 1), max_size=3))
    return f"<{tag}{attributes}>{''.join(draw(st.permutations(parts)))}</{tag}>"


pages = st.builds(
    lambda title, body: (
        f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"
    ),
    st.sampled_from(["A saved page", "<script>alert(1)</script>", "", "x"]),
    st.lists(elements(), min_size=1, max_size=5).map("".join),
)


@fuzz(60)
@given(page=pages, encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_saved_pages_render_without_anything_that_runs_or_loads(page: str, encoding: str) -> None:
    try:
        converted = convert_bytes(page.encode(encoding, "replace"), Path("page.html"))
    except ImportFailed as exc:
        assert_one_line(exc)
        return
    assert_storable(converted)
    assert unsafe_parts(render(converted.markdown).html) == []


# --- any file name ------------------------------------------------------------

NOTES = [
    b"A short note\n\nThe body of the note, with a few words in it.\n",
    # No headline: the title comes from the file's name.
    b"the body of the note goes on for a while, with a few words in it and some more\n",
]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


name_pieces = st.one_of(
    st.text(st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]), max_size=12),
    st.sampled_from([" ", ".", "..", "\n", "\r\n", "\t", "-", "~", "é", "😀", "a b", "\u202e"]),
)
unicode_names = st.one_of(
    st.lists(name_pieces, min_size=1, max_size=5).map("".join),
    st.integers(230, 251).map(lambda n: "n" * n),  # with its suffix, near 255 bytes
)
# Names a file system on Linux gives, bytes that are no UTF-8 as Python shows them.
undecodable_names = st.one_of(
    st.binary(min_size=1, max_size=40)
    .filter(lambda b: b"/" not in b and b"\x00" not in b and not _is_utf8(b))
    .map(os.fsdecode),
    st.tuples(
        st.text(st.characters(exclude_characters="/\x00", exclude_categories=["Cs"]), max_size=8),
        st.sampled_from([b"\xff", b"\xe9", b"\xed\xa0\x80", b"\xc3"]),
    ).map(lambda p: p[0] + os.fsdecode(p[1])),
)
suffixes = st.sampled_from([".txt", ".md", ".TXT", ".markdown"])


def import_named(folder: Path, name: str, note: bytes) -> None:
    """Import a note saved under ``name``: it is in the library after, under a title of
    one line, unless its name hides it; else the library says in one line why not."""
    path = folder / name
    try:
        path.write_bytes(note)
    except OSError:  # a name this file system does not take (too long in bytes)
        return
    core = ReaderCore(folder / "data", None)
    try:
        outcomes = core.import_paths([path])
        assert [o.path for o in outcomes] == [path]
        outcome = outcomes[0]
        assert outcome.message.strip()
        assert "\n" not in outcome.message
        listed = {a.id: a for a in core.articles()}
        if name.startswith("."):  # hidden: not an article of its own
            assert outcome.status == "failed"
            assert not listed
            return
        assert outcome.status == "imported", outcome.message
        assert outcome.article_id is not None
        info = listed[outcome.article_id]
        assert info.title.strip()
        assert "\n" not in info.title
        info.title.encode("utf-8")
        assert "with a few words in it" in core.article(outcome.article_id).text
    finally:
        core.close()


@fuzz(20)
@given(name=unicode_names, suffix=suffixes, note=st.sampled_from(NOTES))
def test_a_note_under_any_file_name_is_imported(
    tmp_path_factory: pytest.TempPathFactory, name: str, suffix: str, note: bytes
) -> None:
    import_named(tmp_path_factory.mktemp("names"), name + suffix, note)


@fuzz(10)
@given(name=undecodable_names, suffix=suffixes, note=st.sampled_from(NOTES))
def test_a_note_under_a_file_name_that_is_no_utf8_is_imported(
    tmp_path_factory: pytest.TempPathFactory, name: str, suffix: str, note: bytes
) -> None:
    import_named(tmp_path_factory.mktemp("names"), name + suffix, note)


def test_a_note_under_the_longest_file_name_is_imported(tmp_path: Path) -> None:
    import_named(tmp_path, "n" * 251 + ".txt", NOTES[1])
    core = ReaderCore(tmp_path / "data", None)
    try:
        (info,) = core.articles()
        assert info.source.endswith("n" * 251 + ".txt")
        assert "The body of the note" in core.open_article(info.id).text
    finally:
        core.close()


@pytest.mark.parametrize("data", [b"?", b"!!!", b"...?!"])
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_text_of_punctuation_still_has_a_title(data: bytes, suffix: str) -> None:
    assert convert_bytes(data, Path("note" + suffix)).title.strip()
