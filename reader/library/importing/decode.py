"""Bytes -> text, whatever the encoding.

Whatever the bytes, the result is text or a one-line :class:`ImportFailed`:
bytes a codec cannot read are replaced (U+FFFD, as a browser shows them), and
the text never holds a lone surrogate, which no UTF-8 (the catalog's, the
index's) can store.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

from reader.errors import ImportFailed

_PREFERRED = ("cp1252", "iso8859_15", "latin_1")

# Longest first: a UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding the bytes' byte-order mark names, and the mark's length; None without one."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each surrogate pair joined into its character and each lone one U+FFFD."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def decode_bytes(data: bytes, name: str) -> str:
    """A text file's text: from its byte-order mark, else UTF-8, else the encoding it looks
    like; ImportFailed when no encoding reads it."""
    return without_surrogates(_decode(data, name))


def _decode(data: bytes, name: str) -> str:
    if marked := bom_encoding(data):
        encoding, length = marked
        return data[length:].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (text := _mostly_utf8(data)) is not None:
        return text
    from charset_normalizer import from_bytes  # only for bytes in a legacy encoding

    try:
        results = list(from_bytes(data))
    except Exception:  # a detector that trips over the bytes has no guess for them
        results = []
    if results:
        best = results[0]
        # Short texts often fit several code pages equally well; among equals,
        # the commonest legacy encoding of saved web text wins.
        ties = [r for r in results if r.chaos <= best.chaos and r.coherence >= best.coherence]
        preferred = [r for p in _PREFERRED for r in ties if r.encoding == p]
        for result in [*preferred, *results]:
            try:
                return data.decode(result.encoding, errors="replace")
            except (LookupError, UnicodeError, ValueError):
                continue
    raise ImportFailed(f"{name}: cannot tell the text encoding")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few faults, else None: surrogates written one by one (CESU-8, Java's
    modified UTF-8), a last character cut short, a stray byte among many characters
    that are UTF-8. A legacy code page's text seldom has a character that reads as UTF-8."""
    try:
        return data.decode("utf-8", errors="surrogatepass")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    # U+FFFD the file has as UTF-8 counts as neither.
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    if good >= 8 * bad:
        return text
    try:
        head, _used = codecs.utf_8_decode(data, "strict", False)
    except UnicodeDecodeError:
        return None
    # Only the last character is cut short; a code page's text can end in a byte
    # that starts a UTF-8 character too, so some other character has to be UTF-8.
    return head + "\ufffd" if good > 0 else None


_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first 4 KB (``<meta charset>``, ``<?xml?>``),
    when Python has it and it reads ASCII as ASCII; else None."""
    head = data[:4096]
    m = _DECLARED.search(head) or _XML_DECLARED.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # As browsers do: a page that says latin-1 is read as windows-1252.
    codec = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}.get(codec, codec)
    # The declaration was read as ASCII, so an encoding that reads ASCII otherwise
    # (UTF-16 and UTF-32, UTF-7, EBCDIC) is not the page's; nor is a codec that
    # is no character set (base64, rot13, unicode_escape).
    return codec if _reads_ascii(codec) else None


# The ASCII of markup ("+" for UTF-7). A few code pages (Shift_JIS-2004 for one) put
# other signs in the place of "\\", "~" or "%", which a page can do without.
_ASCII = (
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \t\r\n<>/=\"'!-+.,:;_&#?()[]"
)


@functools.cache
def _reads_ascii(codec: str) -> bool:
    try:
        same = _ASCII.decode(codec) == _ASCII.decode("ascii")
        return same and b"\\u0041".decode(codec) != "A"  # not an escape codec
    except (LookupError, UnicodeError, ValueError):
        return False


def decode_html(data: bytes, name: str) -> str:
    """A saved page's text: from its byte-order mark, else the encoding it declares
    (stray bytes replaced, as a browser shows them), else as any text file."""
    if bom_encoding(data) is None and (declared := declared_charset(data)):
        try:
            return without_surrogates(data.decode(declared, errors="replace"))
        except (LookupError, UnicodeError, ValueError):
            pass  # a codec that cannot replace what it cannot read (idna)
    return decode_bytes(data, name)


def refuse_binary(data: bytes, name: str) -> None:
    """Refuse bytes that are no text: NUL bytes in a file without a UTF-16 or UTF-32
    byte-order mark."""
    marked = bom_encoding(data)
    if marked is not None and marked[0] != "utf-8":  # NULs are half of UTF-16's ASCII
        return
    sample = data[:65536]
    # A stray NUL or two (a page saved with a bad byte) is not yet a binary file.
    if sample.count(b"\x00") > len(sample) // 2000:
        raise ImportFailed(f"{name}: a binary file (it has NUL bytes), not text")


def refuse_control_text(text: str, name: str) -> None:
    """Refuse a text in which control characters are a high share: a binary file decoded."""
    sample = text[:65536]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 100):
        raise ImportFailed(f"{name}: a binary file ({controls} control characters), not text")


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def normal_text(text: str) -> str:
    """The text in Unicode's composed form (NFC), without invisible soft hyphens and
    zero-width spaces: what is shown is what is searched and bookmarked."""
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))
