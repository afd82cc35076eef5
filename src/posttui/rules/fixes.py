"""Applying mechanical fixes: all at once, never two that overlap, and only ones that change the text."""

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
    return a.start < b.end and b.start < a.end


def select_fixes(fixes: Iterable[Fix], text: str) -> list[Fix]:
    """A non-overlapping subset in text order (the earliest, then shortest, fix wins a conflict); fixes that
    would not change the text are dropped."""
    chosen: list[Fix] = []
    seen: set[tuple[int, int, str]] = set()
    for fix in sorted(fixes, key=lambda f: (f.start, f.end - f.start)):
        if text[fix.start : fix.end] == fix.replacement:
            continue
        key = (fix.start, fix.end, fix.replacement)
        if key in seen:
            continue
        if any(_conflict(fix, other) for other in chosen):
            continue
        seen.add(key)
        chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """Apply a non-overlapping subset of ``fixes``; returns the new text and the fixes applied."""
    chosen = select_fixes(fixes, text)
    out = text
    for fix in sorted(chosen, key=lambda f: (f.start, f.end), reverse=True):
        out = out[: fix.start] + fix.replacement + out[fix.end :]
    return out, chosen


def fixes_of(findings: Iterable[Finding]) -> list[Fix]:
    return [f.fix for f in findings if f.fix is not None]
