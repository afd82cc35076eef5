"""Decoding source files: UTF-8 first, Latin-1 as the fallback arXiv papers from the 2000s still need.

A ``.tex`` that is really binary (a PDF renamed, a compiled file) is refused with a clear error instead of being
decoded as Latin-1 gibberish and fed to the prompt.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError

_TEXT_CONTROL = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}


def looks_binary(data: bytes) -> bool:
    """True for data with NUL bytes or where more than 10% of a 8 KB sample are control characters."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROL)
    return control > len(sample) * 0.10


def decode_text(data: bytes, name: str | Path, warnings: list[str] | None = None, *, kind: str = "TeX") -> str:
    """Text of a source file: UTF-8 (BOM dropped), else Latin-1 with a warning naming the file.

    Raises :class:`SourceError` for binary data.
    """
    if looks_binary(data):
        raise SourceError(
            f"is not a text file (binary data in a {kind} file)",
            path=name,
            hint=f"check the source: a {kind} file must be plain text",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if warnings is not None:
            warnings.append(
                f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); read as Latin-1"
            )
        return data.decode("latin-1")


def read_text_file(path: str | Path, warnings: list[str] | None = None, *, kind: str = "TeX") -> str:
    """Read and decode a text file (see :func:`decode_text`); unreadable files raise :class:`SourceError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror}", path=path) from None
    return decode_text(data, path, warnings, kind=kind)
