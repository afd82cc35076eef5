"""Decoding source files: UTF-8 first, Latin-1 as the fallback arXiv papers from the 2000s still need.

A ``.tex`` that is really binary (a PDF renamed, a compiled file) is refused with a clear error instead of being
decoded as Latin-1 gibberish and fed to the prompt.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import SourceError

_TEXT_CONTROL = {0x09, 0x0A, 0x0C, 0x0D, 0x1B}
_LATIN1_FALLBACK = "posttui-latin1-fallback"
_KIND_NAMES = {"tex": "TeX", "bbl": ".bbl", "bib": ".bib"}
"""How file kinds given by extension are named in messages."""


def _latin1_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: an undecodable byte stands for its Latin-1 character."""
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN1_FALLBACK, _latin1_bytes)


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
        kind = _KIND_NAMES.get(kind, kind)
        raise SourceError(
            f"is not a text file (binary data in a {kind} file)",
            path=name,
            hint=f"check the source: a {kind} file must be plain text",
        )
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        first = f"byte 0x{data[skip + exc.start]:02x} at offset {skip + exc.start}"
    # Mixed files (UTF-8 with a pasted Latin-1 accent, or the reverse) are common in old sources: keep every valid
    # UTF-8 sequence and read only the invalid bytes as Latin-1, so neither half turns into mojibake.
    text = data[skip:].decode("utf-8", errors=_LATIN1_FALLBACK)
    latin1 = data[skip:].decode("latin-1")
    if warnings is not None:
        if text == latin1:
            warnings.append(f"{name}: not valid UTF-8 ({first}); read as Latin-1")
        else:
            warnings.append(
                f"{name}: mixed encodings: not valid UTF-8 ({first}); the invalid bytes were read as Latin-1, "
                "the rest as UTF-8"
            )
    return text


def read_text_file(path: str | Path, warnings: list[str] | None = None, *, kind: str = "TeX") -> str:
    """Read and decode a text file (see :func:`decode_text`); unreadable files raise :class:`SourceError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror}", path=path) from None
    return decode_text(data, path, warnings, kind=kind)
