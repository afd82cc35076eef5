"""Applying mechanical fixes: all at once, never two that overlap or touch, and only ones that change the text.

Two replacements that touch (one ends where the other starts) wait for separate rounds: a fix may be judged by
the characters around it (PT021 renders emphasis in place), and its neighbour's fix would change them."""

from __future__ import annotations

from typing import Iterable

from .base import Finding, Fix


def _conflict(a: Fix, b: Fix) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start <= b.end and b.start <= a.end


def select_fixes(fixes: Iterable[Fix], text: str) -> list[Fix]:
    """A non-overlapping subset in text order (the earliest, then shortest, fix wins a conflict); fixes that
    would not change the text are dropped.

    The fixes are taken in text order, so the ones already chosen end in order too: a new fix can only conflict
    with the last few, which keeps thousands of fixes linear instead of quadratic."""
    chosen: list[Fix] = []
    seen: set[tuple[int, int, str]] = set()
    for fix in sorted(fixes, key=lambda f: (f.start, f.end - f.start)):
        if text[fix.start : fix.end] == fix.replacement:
            continue
        key = (fix.start, fix.end, fix.replacement)
        if key in seen:
            continue
        conflict = False
        for other in reversed(chosen):
            if _conflict(fix, other):
                conflict = True
                break
            if other.end < fix.start:  # chosen fixes end in order: no earlier one can reach this one
                break
        if conflict:
            continue
        seen.add(key)
        chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """Apply a non-overlapping subset of ``fixes``; returns the new text and the fixes applied."""
    chosen = select_fixes(fixes, text)
    parts = []
    pos = 0
    for fix in chosen:  # in text order, and none overlaps
        parts.append(text[pos : fix.start])
        parts.append(fix.replacement)
        pos = fix.end
    parts.append(text[pos:])
    return "".join(parts), chosen


def fixes_of(findings: Iterable[Finding]) -> list[Fix]:
    return [f.fix for f in findings if f.fix is not None]
