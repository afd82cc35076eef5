"""The main screen's footer greys keys out and back in place, and shows what Textual's rebuilt footer shows (issue 14)."""

from __future__ import annotations

from conftest import main_screen, wait_for, wait_idle
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp
from posttui.tui.widgets.footer import KeysFooter


def make_app(paper, store) -> PosttuiApp:
    return PosttuiApp(paper=paper, store=store, offer_resume=False, backend_factory=lambda p: OfflineBackend(p))


def shown(footer) -> list[tuple]:
    return [(k.key, k.key_display, k.description, k.action, k._disabled, k.has_class("-disabled"), k.tooltip)
            for k in footer.query_children(FooterKey)]


async def rebuilt(pilot, footer) -> list[tuple]:
    """What Textual's own way (remove every key, compose them again) shows in the same state."""
    footer.call_later(Footer.recompose, footer)  # in the footer's own message loop, as Footer does it
    await pilot.pause(0.1)
    return shown(footer)


async def test_keys_are_greyed_out_and_back_in_place(example_paper, store, monkeypatch):
    rebuilds = []
    original = KeysFooter.recompose

    async def counting(self):
        rebuilds.append(1)
        return await original(self)

    app = make_app(example_paper, store)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        footer = screen.query_one(KeysFooter)
        monkeypatch.setattr(KeysFooter, "recompose", counting)
        before = shown(footer)
        for busy, has_text in ((True, False), (False, True), (True, True), (False, False)):
            keys = list(footer.query_children(FooterKey))
            generate = next(k for k in keys if k.action == "generate")
            screen.busy, screen.has_text = busy, has_text
            await wait_for(pilot, lambda: generate._disabled == busy, what="the footer following the screen")
            await pilot.pause(0.05)
            assert list(footer.query_children(FooterKey)) == keys  # the same widgets, updated
            assert rebuilds == []
            now = shown(footer)
            assert now == await rebuilt(pilot, footer), (busy, has_text)
            rebuilds.clear()
            assert [k for k in now if k[3] == "stop"][0][4] is not busy  # Stop is enabled only while busy
        assert shown(footer) == before


async def test_a_different_set_of_keys_is_rebuilt(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        footer = screen.query_one(KeysFooter)
        assert "jump" not in [k[3] for k in shown(footer)]
        screen.problems.focus()  # the Problems list adds its own keys
        await wait_for(pilot, lambda: "jump" in [k[3] for k in shown(footer)], what="the list's keys")
        assert shown(footer) == await rebuilt(pilot, footer)
        screen.editor.focus()
        await wait_for(pilot, lambda: "jump" not in [k[3] for k in shown(footer)], what="the list's keys gone")
        assert shown(footer) == await rebuilt(pilot, footer)


async def test_the_screen_s_binding_states_repaint_nothing(example_paper, store):
    """busy, has_text and fixable only change which keys work: by default a screen's reactive repaints the whole
    screen (the end of a stream drew every pane twice, issue 14)."""
    app = make_app(example_paper, store)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        footer = screen.query_one(KeysFooter)
        for name in ("busy", "has_text", "fixable"):
            await pilot.pause(0.05)
            assert not screen._repaint_required
            setattr(screen, name, not getattr(screen, name))
            assert not screen._repaint_required, name
        screen.busy, screen.has_text, screen.fixable = False, True, True
        fix_all = next(k for k in footer.query_children(FooterKey) if k.action == "fix_all")
        await wait_for(pilot, lambda: not fix_all._disabled, what="the footer following the screen")
        screen.fixable = False
        await wait_for(pilot, lambda: fix_all._disabled, what="the footer following fixable")
