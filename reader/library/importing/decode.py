"""Bytes -> text, whatever the encoding."""

from __future__ import annotations

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
    if b"\x00" in data[:4096]:
        raise ImportFailed(f"{name}: looks like a binary file, not text")
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
