"""Fixtures for driving the app headless: the example paper, a temporary site, an app factory, waiting helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

import posttui

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """Stable snapshots: the cursor never blinks."""
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(scope="session")
def example_paper():
    return posttui.load(EXAMPLE)


async def wait_idle(pilot, timeout: float = 20.0) -> None:
    """Wait until no model call runs and the last check has landed."""
    import time

    app = pilot.app
    end = time.monotonic() + timeout
    await pilot.pause(0.05)
    while time.monotonic() < end:
        screen = _main(app)
        if screen is not None and _settled(screen):
            await pilot.pause(0.05)
            if _settled(screen):
                return
        await pilot.pause(0.05)
    raise AssertionError("the app did not become idle")


def _settled(screen) -> bool:
    """No model call, no check pending, and the preview rendered."""
    return (not screen.busy and screen.review.checker_ready
            and screen.checks.idle
            and not [w for w in screen.workers if w.group.startswith(("preview", "references")) and w.is_running]
            and (screen.view == "editor" or not screen.editor.text or screen.preview_shown == screen.editor.text))


async def wait_for(pilot, predicate, timeout: float = 20.0, what: str = "condition") -> None:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        await pilot.pause(0.03)
    raise AssertionError(f"timed out waiting for {what}")


async def ask_to_quit(pilot) -> None:
    """Press the quit key and wait for the question."""
    from posttui.tui.screens.dialogs import ConfirmDialog

    await pilot.press("ctrl+q")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="quit dialog")
    assert pilot.app.screen.id == "quit-dialog"


def _main(app):
    from posttui.tui.screens.main import MainScreen

    for screen in reversed(app.screen_stack):
        if isinstance(screen, MainScreen):
            return screen
    return None


def main_screen(app):
    screen = _main(app)
    assert screen is not None, f"no main screen; stack: {app.screen_stack}"
    return screen
