"""Decoding source files: UTF-8 first, Latin-1 as the fallback arXiv papers from the 2000s still need.

A ``.tex`` that is really binary (a PDF renamed, a compiled file) is refused with a clear error instead of being
decoded as Latin-1 gibberish and fed to the prompt.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import SourceError, printable
from .safe_read import MAX_SIDECAR_BYTES, read_file_bytes

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


_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _bomless_wide_text(data: bytes) -> str | None:
    """``UTF-16`` when ``data`` reads as mostly-ASCII UTF-16 without a byte order mark (every other byte NUL)."""
    sample = data[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, text in ((odd, even), (even, odd)):
        if zeros.count(0) > 0.9 * len(zeros) and text.count(0) < 0.1 * len(text):
            return "UTF-16"
    return None


def decode_text(data: bytes, name: str | Path, warnings: list[str] | None = None, *, kind: str = "TeX") -> str:
    """Text of a source file: UTF-8 (BOM dropped), else Latin-1 with a warning naming the file.

    UTF-16 and UTF-32 text with a byte order mark (what Windows editors save as "Unicode") is decoded, with a
    warning. Raises :class:`SourceError` for binary data, naming UTF-16 without a byte order mark as such.
    Warnings show ``name`` terminal-safe (an archive member's name may hold escape codes).
    """
    shown = printable(str(name))
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            unicode = encoding[:6].upper()
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise SourceError(
                    f"starts with a {unicode} byte order mark but is not valid {unicode} "
                    f"({exc.reason} at byte {len(bom) + exc.start})",
                    path=name,
                    hint="save the file as UTF-8",
                ) from None
            if warnings is not None:
                warnings.append(f"{shown}: {unicode} text (byte order mark); read as {unicode}")
            return text
    if looks_binary(data):
        wide = _bomless_wide_text(data)
        if wide:
            kind = _KIND_NAMES.get(kind, kind)
            raise SourceError(
                f"looks like {wide} text without a byte order mark, not UTF-8",
                path=name,
                hint=f"save the {kind} file as UTF-8 (or as {wide} with a byte order mark)",
            )
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
            warnings.append(f"{shown}: not valid UTF-8 ({first}); read as Latin-1")
        else:
            warnings.append(
                f"{shown}: mixed encodings: not valid UTF-8 ({first}); the invalid bytes were read as Latin-1, "
                "the rest as UTF-8"
            )
    return text


def read_text_file(
    path: str | Path,
    warnings: list[str] | None = None,
    *,
    kind: str = "TeX",
    root: str | Path | None = None,
    max_bytes: int = MAX_SIDECAR_BYTES,
) -> str:
    """Read and decode a text file of a bundle (see :func:`decode_text`) through the one safe reader
    (:func:`~posttui.sources.safe_read.read_file_bytes`: regular files only, no links out of ``root``, capped)."""
    path = Path(path)
    return decode_text(read_file_bytes(path, root=root, max_bytes=max_bytes), path, warnings, kind=kind)
