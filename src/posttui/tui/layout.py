"""How the main screen uses the terminal: which panes show at which size, and what F2 cycles through.

From 110 columns the paper, the draft and the preview sit side by side (the preview can be hidden); below that
the right side shows the draft or the preview; below 80 columns the panes are stacked like tabs — one of draft,
preview and paper fills the width (F2 cycles them) — so the draft is readable down to 40x12. Below 20 rows the
Problems list shrinks to its header and two rows; the header line keeps the problem counts at every width.
"""

from __future__ import annotations

WIDE_VIEWS = ("split", "editor", "preview")
STACKED_VIEWS = ("editor", "preview", "paper")
STACKED_BELOW = 80
"""Columns below which one pane fills the width."""
SIDE_PREVIEW_FROM = 110
"""Columns from which the preview sits beside the draft by default."""


def is_stacked(screen) -> bool:
    return screen.has_class("stacked")


def views(screen) -> tuple[str, ...]:
    return STACKED_VIEWS if is_stacked(screen) else WIDE_VIEWS


def fitting(view: str, stacked: bool) -> str:
    """``view`` as the current width allows it (no split when stacked, no paper-only view when wide)."""
    if stacked and view == "split":
        return "editor"
    if not stacked and view == "paper":
        return "editor"
    return view


def cycle(screen) -> str:
    """The next view (F2)."""
    order = views(screen)
    current = fitting(screen.view, is_stacked(screen))
    return order[(order.index(current) + 1) % len(order)]


def show(screen, view: str) -> None:
    """Make ``view`` the one shown (classes on the right side and on the screen; the stylesheet does the rest)."""
    screen.view = view
    screen.query_one("#right").set_classes("split" if view == "paper" else view)
    screen.set_class(view == "paper", "paper-view")


def resized(screen, width: int, height: int) -> str | None:
    """Adapt to a new size; returns the view to show when it should change."""
    screen.set_class(width < SIDE_PREVIEW_FROM, "narrow")
    screen.set_class(width < STACKED_BELOW, "stacked")
    screen.set_class(height < 30, "short")
    screen.set_class(height < 20, "tiny")
    stacked = width < STACKED_BELOW
    if screen._view_chosen:
        wanted = fitting(screen.view, stacked)
    else:
        wanted = "editor" if width < SIDE_PREVIEW_FROM else "split"
    return wanted if wanted != screen.view else None
