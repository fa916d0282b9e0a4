"""Bytes in any encoding, or in none, become text or a one-line refusal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.errors import ImportFailed
from reader.library.importing import convert_bytes
from reader.library.importing.decode import declared_charset, decode_bytes, decode_html

SURROGATE = re.compile("[\ud800-\udfff]")
WORDS = "hello world, a short note"


def utf16(text: str, codec: str = "utf-16-le") -> bytes:
    """``text`` in UTF-16, lone surrogates and all, without a byte-order mark."""
    return text.encode(codec, "surrogatepass")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # UTF-16 with a byte-order mark and an odd length: the last byte is cut.
        (b"\xff\xfe" + utf16(WORDS) + b"a", WORDS + "\ufffd"),
        (b"\xfe\xff" + utf16(WORDS, "utf-16-be") + b"a", WORDS + "\ufffd"),
        # Lone surrogate code units in UTF-16.
        (b"\xff\xfe" + utf16("hello \ud800 world"), "hello \ufffd world"),
        (b"\xfe\xff" + utf16("hello \udc00 world", "utf-16-be"), "hello \ufffd world"),
        # UTF-32: its little-endian mark starts with UTF-16's.
        (WORDS.encode("utf-32"), WORDS),
        (b"\xff\xfe\x00\x00" + WORDS.encode("utf-32-le"), WORDS),
        (b"\x00\x00\xfe\xff" + WORDS.encode("utf-32-be"), WORDS),
        # Surrogates written as UTF-8: a lone one is U+FFFD, a pair the character it makes.
        (b"hello \xed\xa0\x80 world", "hello \ufffd world"),
        (b"smile \xed\xa0\xbd\xed\xb8\x80 here", "smile \U0001f600 here"),
        # A UTF-8 byte-order mark before bytes that are not UTF-8.
        (b"\xef\xbb\xbfhello \xff world", "hello \ufffd world"),
        # UTF-8 cut short in its last character, and UTF-8 with one stray byte.
        ("Грузовик ехал по дороге".encode()[:-1], "Грузовик ехал по дорог\ufffd"),
        ("café crème brûlée".encode() + b"\xc3", "café crème brûlée\ufffd"),
        (
            "Grüße aus München, schöne Tage: ".encode() + b"\xe9" + " über äöü".encode(),
            "Grüße aus München, schöne Tage: \ufffd über äöü",
        ),
        # Nothing, or a mark alone.
        (b"", ""),
        (b"\xff\xfe", ""),
        (b"\xef\xbb\xbf", ""),
        (b"\xff\xfe\x00\x00", ""),
    ],
)
def test_faulty_bytes_decode_with_replacement_characters(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "x.txt") == expected
    assert decode_html(data, "x.html") == expected


def test_legacy_encodings_still_decode_by_their_look() -> None:
    text = "Le café était très chaud et la crème fraîche était délicieuse."
    assert decode_bytes(text.encode("cp1252"), "x.txt") == text
    greek = "Ελληνικά κείμενα εδώ, και λίγα ακόμα λόγια"
    assert decode_bytes(greek.encode("cp1253"), "x.txt") == greek


@pytest.mark.parametrize(
    "charset",
    [
        "utf-7",  # reads "+2AA-" as a lone surrogate
        "x-user-defined",  # a browser's, not Python's
        "utf-16",  # said in bytes that are plainly not UTF-16
        "utf-32",
        "unicode_escape",  # Python codecs that are no character sets
        "raw_unicode_escape",
        "rot13",
        "base64",
        "zlib",
        "idna",
        "punycode",
        "undefined",
        "cp500",  # EBCDIC: the declaration itself would not read as written
        "no-such-charset",
    ],
)
def test_a_declared_charset_that_cannot_be_the_pages_is_passed_over(charset: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><p>Grüße +2AA- \\ud800</p>'
    text = decode_html(page.encode(), "x.html")
    assert text == page
    assert declared_charset(page.encode()) in (None, "idna")


def test_a_declared_charset_is_still_followed() -> None:
    page = '<meta charset="windows-1251"><p>Привет, мир</p>'
    assert decode_html(page.encode("cp1251"), "x.html") == page
    sjis = '<meta charset="shift_jis_2004"><p>こんにちは</p>'
    assert decode_html(sjis.encode("shift_jis_2004"), "x.html") == sjis


def page(words: str) -> str:
    """A saved page (read as text too) whose article says ``words``."""
    body = f"<p>{words}, and a few more words to make a paragraph of the article.</p>" * 4
    return f"<html><head><title>A short note</title></head><body><article>{body}</article>"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe" + utf16(page("hello world")) + b"a",
        b"\xff\xfe" + utf16(page("hello \ud800 world")),
        page("hello world").encode("utf-32"),
        page("hello \ud800 world").encode("utf-8", "surrogatepass"),
        b'<meta charset="utf-7">' + page("hello +2AA- world").encode(),
    ],
)
def test_faulty_files_import_with_their_words(data: bytes, suffix: str) -> None:
    converted = convert_bytes(data, Path("note" + suffix))
    assert "hello" in converted.markdown
    assert "world" in converted.markdown
    assert SURROGATE.search(converted.markdown + converted.title) is None


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xff\xfe", "empty"),
        (b"\xff\xfe\x00\x00", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"\x00" * 100, "binary"),
        (b"\xef\xbb\xbf" + b"\x00" * 100, "binary"),
    ],
)
def test_files_with_nothing_to_read_are_refused_in_one_line(
    data: bytes, reason: str, suffix: str
) -> None:
    with pytest.raises(ImportFailed) as info:
        convert_bytes(data, Path("note" + suffix))
    message = str(info.value)
    assert reason in message or "no readable text" in message
    assert "\n" not in message
