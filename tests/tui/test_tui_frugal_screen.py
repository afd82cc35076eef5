"""The main screen skips the work Textual would redo in its first second (issue 14), and still follows every real
resize and every later resume."""

from __future__ import annotations

from conftest import main_screen, wait_idle
from textual import events
from textual.screen import Screen

from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp
from posttui.tui.screens.main import MainScreen


def make_app(paper, store) -> PosttuiApp:
    return PosttuiApp(paper=paper, store=store, offer_resume=False, backend_factory=lambda p: OfflineBackend(p))


class Spy:
    """Counts the calls of a method made on MainScreen instances (the method still runs)."""

    def __init__(self, monkeypatch, cls, name):
        self.calls = 0
        original = getattr(cls, name)

        def counting(screen, *args, **kwargs):
            if isinstance(screen, MainScreen):
                self.calls += 1
            return original(screen, *args, **kwargs)

        monkeypatch.setattr(cls, name, counting)


async def test_a_live_resize_still_lays_the_screen_out(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        assert not screen.has_class("stacked") and screen.query_one("#preview-pane").display
        for size, stacked in (((70, 24), True), ((130, 40), False), ((45, 14), True), ((120, 40), False)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.1)
            assert screen.outer_size == size
            assert screen.has_class("stacked") is stacked, size
            assert screen.query_one("#draft").region.right <= size[0]
            assert screen.query_one("#problems-pane").region.bottom <= size[1]
        assert screen.view == "split"


async def test_a_resize_to_the_laid_out_size_lays_out_nothing(example_paper, store, monkeypatch):
    app = make_app(example_paper, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        layouts = Spy(monkeypatch, Screen, "_refresh_layout")
        screen.post_message(events.Resize(screen.outer_size, screen.outer_size))
        await pilot.pause(0.1)
        assert layouts.calls == 0
        screen.post_message(events.Resize.from_dimensions((100, 30), None))  # a size it is not laid out at
        await pilot.pause(0.1)
        assert layouts.calls >= 1 and screen.outer_size == (100, 30)


async def test_only_the_first_resume_skips_restyling(example_paper, store, monkeypatch):
    restyles = Spy(monkeypatch, Screen, "update_node_styles")
    app = make_app(example_paper, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        assert restyles.calls == 0
        screen.post_message(events.ScreenResume())  # a later resume (Textual sends one after a screen it covered)
        await pilot.pause(0.1)
        assert restyles.calls == 1
