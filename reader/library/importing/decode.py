"""Bytes -> text, whatever the encoding."""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from reader.errors import ImportFailed

_PREFERRED = ("cp1252", "iso8859_15", "latin_1")


def decode_bytes(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    results = list(from_bytes(data))
    if not results:
        raise ImportFailed(f"{name}: cannot tell the text encoding")
    best = results[0]
    # Short texts often fit several code pages equally well; among equals,
    # the commonest legacy encoding of saved web text wins.
    ties = [r for r in results if r.chaos <= best.chaos and r.coherence >= best.coherence]
    for preferred in _PREFERRED:
        for r in ties:
            if r.encoding == preferred:
                return str(r)
    return str(best)


_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first 4 KB (``<meta charset>``, ``<?xml?>``)."""
    head = data[:4096]
    m = _DECLARED.search(head) or _XML_DECLARED.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # As browsers do: a page that says latin-1 is read as windows-1252, and one
    # that says UTF-16 in its own bytes was decoded already to see it.
    return {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}.get(codec, codec)


def decode_html(data: bytes, name: str) -> str:
    """A saved page's text: from its byte-order mark, else the encoding it declares
    (stray bytes replaced, as a browser shows them), else as any text file."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_bytes(data, name)
    declared = declared_charset(data)
    if declared and not declared.startswith("utf-16"):
        return data.decode(declared, errors="replace")
    return decode_bytes(data, name)


def refuse_binary(data: bytes, name: str) -> None:
    """Refuse bytes that are no text: NUL bytes in a file without a UTF-16 byte-order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
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
