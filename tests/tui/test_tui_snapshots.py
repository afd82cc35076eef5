"""Snapshot tests of the main screens (pytest-textual-snapshot; SVGs in tests/tui/__snapshots__).

Update after an intended change with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update`` and look at
the SVGs before committing them.
"""

from __future__ import annotations

from conftest import main_screen, wait_for, wait_idle
from scripted import ScriptedBackend
from test_tui_flow import OFFLINE, chunked, clean_post, with_defects, without_featured_link

import pytest
from conftest import EXAMPLE

import posttui
from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp
from posttui.tui.screens.dialogs import ConfirmDialog, DiffDialog


@pytest.fixture
def example_paper():
    """A freshly loaded paper per snapshot (lazy analyses add warnings; screens must not depend on test order)."""
    return posttui.load(EXAMPLE)


def _app(paper, store, backend, site=None):
    return PosttuiApp(paper=paper, store=store, site=site, backend_factory=lambda p: backend, offer_resume=False)


async def _generated(pilot, top: bool = True):
    await wait_idle(pilot)
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: not main_screen(pilot.app).busy, what="generation")
    await wait_idle(pilot)
    screen = main_screen(pilot.app)
    if top:
        screen.editor.move_cursor((0, 0))
        screen.editor.scroll_home(animate=False)
    screen.problems.focus()
    pilot.app.clear_notifications()
    await pilot.pause(0.1)


def test_main_screen_with_problems(snap_compare, example_paper, store):
    draft = with_defects(clean_post(example_paper))
    app = _app(example_paper, store, ScriptedBackend(chunked(draft), model=OFFLINE))

    async def run_before(pilot):
        await _generated(pilot)
        # Jump to the first problem so the highlighted span is on screen.
        await pilot.press("enter")
        main_screen(pilot.app).problems.focus()
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_main_screen_small_terminal(snap_compare, example_paper, store):
    app = _app(example_paper, store, OfflineBackend(example_paper))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_generated)


def test_start_screen_outside_a_site(snap_compare, store):
    app = PosttuiApp(store=store, backend_name="offline")
    assert snap_compare(app, terminal_size=(100, 30))


def test_help_screen(snap_compare, example_paper, store):
    app = _app(example_paper, store, OfflineBackend(example_paper))

    async def run_before(pilot):
        await wait_idle(pilot)
        pilot.app.clear_notifications()
        await pilot.press("f1")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_approve_refused_dialog(snap_compare, example_paper, store, site):
    draft = without_featured_link(clean_post(example_paper))
    app = _app(example_paper, store, ScriptedBackend(chunked(draft), model=OFFLINE), site=site)

    async def run_before(pilot):
        await _generated(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="dialog")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_regenerate_diff_dialog(snap_compare, example_paper, store):
    post = clean_post(example_paper)
    damaged = post.replace("## Key results\n", "## Key results\n\nA sentence that should not be here.\n", 1)
    app = _app(example_paper, store, OfflineBackend(example_paper))

    async def run_before(pilot):
        await wait_idle(pilot)
        screen = main_screen(pilot.app)
        screen.review.record(damaged, "edit")
        screen.show_text(damaged)
        await wait_idle(pilot)
        screen.editor.move_cursor((damaged.split("\n").index("A sentence that should not be here."), 0))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DiffDialog), what="diff")
        pilot.app.clear_notifications()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", [(40, 12), (60, 20)], ids=["40x12", "60x20"])
def test_main_screen_narrow(snap_compare, example_paper, store, size):
    """Narrow terminals (issue 13.8): the draft fills the width, the header keeps the problem counts."""
    draft = with_defects(clean_post(example_paper))
    app = _app(example_paper, store, ScriptedBackend(chunked(draft), model=OFFLINE))
    assert snap_compare(app, terminal_size=size, run_before=_generated)


def test_main_screen_narrow_paper_view(snap_compare, example_paper, store):
    """F2 below 80 columns: the paper pane in the full width."""
    app = _app(example_paper, store, OfflineBackend(example_paper))

    async def run_before(pilot):
        await _generated(pilot)
        await pilot.press("f2", "f2")
        pilot.app.clear_notifications()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(60, 20), run_before=run_before)


def test_start_screen_at_40x12(snap_compare, store):
    app = PosttuiApp(store=store, backend_name="offline")
    assert snap_compare(app, terminal_size=(40, 12))


class _StalledReply(ScriptedBackend):
    """Answers a revision with its first piece, then waits (the call is still running when the snapshot is taken)."""

    def stream(self, turns, *, system=None):
        if len(self.calls) == 0:
            return super().stream(turns, system=system)
        from posttui.llm.base import DraftStream

        self.calls.append(list(turns))
        first = self.replies[0]

        async def produce(outcome):
            import asyncio

            yield first
            await asyncio.Event().wait()

        return DraftStream(produce, backend=self.name, model_name=self.model)


def test_repair_progress_dialog(snap_compare, example_paper, store):
    """A repair streams into a dialog (issue 13.12); the header says what runs, the footer how to stop it."""
    post = clean_post(example_paper)
    app = _app(example_paper, store, _StalledReply(chunked(with_defects(post)), model=OFFLINE,
                                                   replies=[post[:700]]))

    async def run_before(pilot):
        from posttui.tui.screens.dialogs import ProgressDialog

        await _generated(pilot)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProgressDialog) and pilot.app.screen.text,
                       what="progress")
        body = pilot.app.screen.query_one("#progress-body")
        await wait_for(pilot, lambda: body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y, what="end")
        pilot.app.clear_notifications()
        await pilot.pause(0.3)
        status = main_screen(pilot.app).status
        await wait_for(pilot, lambda: status.state == "repairing", what="the header")
        status.started = None  # the elapsed time reads 0s, however long a loaded machine took to get here
        status.refresh()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
