"""Which actions of the main screen can run now, and why not: one answer for the footer (greyed-out keys), the
command palette (unavailable actions listed with the reason) and the messages of keys pressed anyway."""

from __future__ import annotations

from .keymap import key_of

NEEDS_IDLE = ("generate", "regenerate_section", "repair", "fix_all", "approve", "undo_version", "redo_version",
              "external_edit")
"""Actions that wait while a model call or the save runs (one runs at a time)."""
NEEDS_TEXT = ("regenerate_section", "repair", "approve")


def why_not(screen, action: str) -> str | None:
    """The reason ``action`` cannot run on ``screen`` now, in words for the user; None when it can."""
    if action == "stop":
        return None if screen.busy else "nothing is running"
    if action in NEEDS_IDLE and screen.busy:
        return f"{screen.review.state} is running ({key_of(screen.app, 'stop')} stops it)"
    if action in NEEDS_TEXT and not screen.has_text:
        return f"there is no draft yet ({key_of(screen.app, 'generate')} writes one)"
    if action == "fix_all" and not screen.fixable:
        return "no open problem has a mechanical fix"
    return None
