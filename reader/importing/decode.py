"""Bytes -> text, whatever the encoding."""

from __future__ import annotations

from charset_normalizer import from_bytes

from reader.errors import ImportFailed


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
    best = from_bytes(data).best()
    if best is None:
        raise ImportFailed(f"{name}: cannot tell the text encoding")
    return str(best)
