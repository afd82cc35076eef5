"""Textual's render caches without the reference cycles that stalled the UI loop (issue 14).

Textual caches every line it draws (a ``Strip``). Three of its cache operations leave reference cycles, so those
lines are freed not when their last reference goes but by CPython's cycle collector. While a draft streams that
is about 16,000 objects a second, and the full (generation 2) collections that find them took 15-60 ms each: the
app's worst UI-loop steps in bench/tui.py (``gc.DEBUG_SAVEALL`` named the objects). The operations:

- ``Strip.divide`` caches ``[self]`` inside ``self`` when the cuts leave the strip whole. The compositor divides
  every line it draws, and most are whole.
- ``Strip.crop_extend`` caches ``self`` inside ``self`` when neither the extension nor the crop changes it.
- ``LRUCache.clear`` drops its ring of ``[prev, next, key, value]`` links as one cycle, values included.
  ``TextArea`` clears its line cache on every edit, so on every chunk of a stream.

The replacements return what the originals return and cache everything else they cache; only the cycles go.
:func:`install` applies them once, and only to classes laid out as the ones they were written against (Textual 8,
which the package pins): a Textual that changed these internals keeps its own code.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.strip import Strip

_ORIGINAL = {"divide": Strip.divide, "crop_extend": Strip.crop_extend, "clear": LRUCache.clear}
"""Textual's own methods (the tests compare the replacements with them)."""


def _divide(self: Strip, cuts):
    """``Strip.divide``, except that a strip the cuts leave whole is not cached inside itself."""
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    return _ORIGINAL["divide"](self, cuts)


def _crop_extend(self: Strip, start: int, end: int, style) -> Strip:
    """``Strip.crop_extend``, except that a strip it leaves unchanged is not cached inside itself."""
    cache_key = (start, end, style)
    cached = self._crop_extend_cache.get(cache_key)
    if cached is not None:
        return cached
    strip = self.extend_cell_length(end, style).crop(start, end)
    if strip is not self:
        self._crop_extend_cache[cache_key] = strip
    return strip


def _clear(self: LRUCache) -> None:
    """``LRUCache.clear``, emptying each link first so that the dropped ring is no cycle (a cache holds at most
    ``maxsize`` links: this costs microseconds)."""
    for link in self._cache.values():
        link.clear()
    self._cache.clear()
    self._full = False
    self._head = []


def _laid_out_as_expected() -> bool:
    strip_slots = set(getattr(Strip, "__slots__", ()))
    return ({"_divide_cache", "_crop_extend_cache"} <= strip_slots
            and {"_cache", "_full", "_head"} <= set(getattr(LRUCache, "__slots__", ())))


def install() -> bool:
    """Replace the three methods (once; idempotent). Returns whether the replacements are in place."""
    if Strip.divide is _divide:
        return True
    if not _laid_out_as_expected():
        return False
    Strip.divide = _divide
    Strip.crop_extend = _crop_extend
    LRUCache.clear = _clear
    return True
