"""A TextArea's wrapped height read in constant time, not summed over every line on every row drawn (issue 14).

Textual 8's ``WrappedDocument.height`` adds up the wrapped rows of every line of the document. ``TextArea``'s
``_render_line`` reads it for each row it draws, so a frame of a 200 KB prompt (2,000 lines, 38 rows) spent a
third of its 14 ms in that sum, and a 20 KB draft a sixth. The document already keeps one entry per wrapped row
(``_offset_to_line_info``, which ``wrap`` and ``wrap_range`` rebuild and splice together with the wrap offsets), so
the height is that list's length.

:func:`install` checks that the two agree on a small wrapped document before replacing the property, so a Textual
that changed these internals keeps its own code (the package pins Textual 8).
"""

from __future__ import annotations

from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument

_ORIGINAL = WrappedDocument.height
"""Textual's own property (the tests compare the replacement with it)."""


def _height(self: WrappedDocument) -> int:
    """The height of the wrapped document: one entry of ``_offset_to_line_info`` per wrapped row."""
    return len(self._offset_to_line_info)


_FAST = property(_height, doc=_ORIGINAL.__doc__)


def _laid_out_as_expected() -> bool:
    try:
        probe = WrappedDocument(Document("a long first line\n\tshort\n\nlast line wraps too"), width=6)
        return _ORIGINAL.fget(probe) == _height(probe) > 4
    except Exception:  # noqa: BLE001 - any change of these internals: keep Textual's own code
        return False


def install() -> bool:
    """Replace the property (once; idempotent). Returns whether the replacement is in place."""
    if WrappedDocument.height is _FAST:
        return True
    if not _laid_out_as_expected():
        return False
    WrappedDocument.height = _FAST
    return True
