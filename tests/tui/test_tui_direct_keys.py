"""A key the focused widget leaves goes straight to the app's bindings, with the same outcome as Textual's climb up
the DOM (posttui.tui.direct_keys, issue 14).

Each test runs the same keys through two apps that differ only in the focused widget: Textual's own, and the same
class with :class:`DirectKeys`. What happens (bindings run, handlers called, the text typed, in order) must be the
same; the direct one must skip the containers that would only pass the key on."""

from __future__ import annotations

import pytest
from conftest import main_screen, wait_idle
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import TextArea

from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp
from posttui.tui.direct_keys import DirectKeys, direct_route
from posttui.tui.widgets.draft import DraftEditor


class Plain(TextArea):
    BINDINGS = [Binding("f3", "note('widget f3')", "")]

    def action_note(self, what: str) -> None:
        self.app.log_.append(what)


class Direct(DirectKeys, Plain):
    pass


class Box(Vertical):
    """A container that notes every key posted to it (to count the hand-offs)."""

    def post_message(self, message) -> bool:
        if isinstance(message, events.Key):
            self.app.posted.append((self.id, message.key))
        return super().post_message(message)


class OnKeyBox(Box):
    def on_key(self, event: events.Key) -> None:
        self.app.log_.append(f"{self.id} on_key {event.key}")
        if event.key == "f10":
            event.stop()


class DecoratedBox(Box):
    @on(events.Key)
    def noted(self, event: events.Key) -> None:
        self.app.log_.append(f"{self.id} @on {event.key}")


class KeyMethodBox(Box):
    def key_f11(self) -> None:
        self.app.log_.append(f"{self.id} key_f11")


class KeysScreen(Screen):
    BINDINGS = [Binding("ctrl+g", "note_text", ""), Binding("f3", "note('screen f3')", ""),
                Binding("f4", "note('screen f4')", "")]

    def __init__(self, widget_class, middle_class=Box):
        super().__init__()
        self.widget_class, self.middle_class = widget_class, middle_class

    def compose(self) -> ComposeResult:
        with Box(id="outer"):
            with self.middle_class(id="middle"):
                with Horizontal(id="inner"):
                    yield self.widget_class("", id="editor")

    def action_note_text(self) -> None:
        self.app.log_.append(f"screen ctrl+g sees {self.query_one('#editor').text!r}")

    def action_note(self, what: str) -> None:
        self.app.log_.append(what)


class KeysApp(App):
    BINDINGS = [Binding("f4", "note('app f4')", ""), Binding("f5", "note('app f5')", "")]

    def __init__(self, widget_class, middle_class=Box):
        super().__init__()
        self.widget_class, self.middle_class = widget_class, middle_class
        self.log_: list[str] = []
        self.posted: list[tuple[str, str]] = []

    def on_mount(self) -> None:
        self.push_screen(KeysScreen(self.widget_class, self.middle_class))

    def action_note(self, what: str) -> None:
        self.log_.append(what)

    def key_f9(self) -> None:
        self.log_.append("app key_f9")


KEYS = ["a", "b", "ctrl+g", "left", "c", "ctrl+g", "f3", "f4", "f5", "f9", "f10", "f11", "enter", "x", "ctrl+g"]
"""Typed text, a screen binding, a TextArea binding (left), the widget's own binding shadowing the screen's (f3), a
screen binding shadowing the app's (f4), an app binding (f5), an app key_ method (f9), keys nothing binds (f10,
f11, unless a container takes them), and Enter, which the TextArea inserts."""


async def run_keys(widget_class, middle_class=Box, keys=KEYS, *, read_only=False):
    app = KeysApp(widget_class, middle_class)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one("#editor")
        editor.read_only = read_only
        editor.focus()
        await pilot.pause()
        await pilot.press(*keys)  # one after another, none waiting for the last to be handled
        await pilot.pause(0.05)
        return app.log_, editor.text, app.posted


@pytest.mark.parametrize("middle", [Box, OnKeyBox, DecoratedBox, KeyMethodBox])
@pytest.mark.parametrize("read_only", [False, True])
async def test_the_same_keys_do_the_same_things_in_the_same_order(middle, read_only):
    plain_log, plain_text, _ = await run_keys(Plain, middle, read_only=read_only)
    direct_log, direct_text, _ = await run_keys(Direct, middle, read_only=read_only)
    assert direct_log == plain_log
    assert direct_text == plain_text
    assert "screen f3" not in plain_log and "widget f3" in plain_log  # (the cases are what they say)
    if not read_only:
        assert "screen ctrl+g sees 'ab'" in plain_log and plain_text == "ac\nxb"
    assert "app f5" in plain_log and "app key_f9" in plain_log
    if middle is OnKeyBox:
        assert "middle on_key f10" in plain_log


async def test_a_key_skips_containers_that_would_only_pass_it_on():
    _, _, plain = await run_keys(Plain, keys=["ctrl+g", "f5", "a"])
    _, _, direct = await run_keys(Direct, keys=["ctrl+g", "f5", "a"])
    assert plain == [("middle", "ctrl+g"), ("outer", "ctrl+g"), ("middle", "f5"), ("outer", "f5")]
    assert direct == []  # (and "a", typed into the editor, went no further in either)


@pytest.mark.parametrize("middle", [OnKeyBox, DecoratedBox, KeyMethodBox])
async def test_a_container_with_a_handler_gets_the_key(middle):
    keys = ["ctrl+g", "f11"]
    _, _, plain = await run_keys(Plain, middle, keys=keys)
    _, _, direct = await run_keys(Direct, middle, keys=keys)
    climbed = [("middle", "ctrl+g"), ("outer", "ctrl+g"), ("middle", "f11"), ("outer", "f11")]
    assert plain == climbed
    # A container with a key handler takes every key; one with a key_ method, only that key.
    assert direct == (climbed[2:] if middle is KeyMethodBox else climbed)


async def test_the_route_is_checked_node_by_node():
    app = KeysApp(Direct)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one("#editor")
        key = events.Key("ctrl+g", None)
        assert direct_route(editor, key) is app
        middle = app.screen.query_one("#middle")
        middle.disable_messages(events.Key)  # Textual would drop the key there
        assert direct_route(editor, key) is None
        middle._disabled_messages.clear()
        key.set_sender(middle)  # Textual stops a key at its sender
        assert direct_route(editor, key) is None
        assert direct_route(editor, events.Key("f11", None)) is app


@pytest.mark.parametrize("sender_id", ["middle", "outer"])
async def test_a_key_sent_by_a_container_stops_where_textual_stops_it(sender_id):
    async def run(widget_class):
        app = KeysApp(widget_class)
        async with app.run_test(size=(60, 12)) as pilot:
            await pilot.pause()
            editor = app.screen.query_one("#editor")
            editor.focus()
            await pilot.pause()
            editor.post_message(events.Key("f5", None).set_sender(app.screen.query_one(f"#{sender_id}")))
            await pilot.pause(0.05)
            return app.log_, app.posted

    assert await run(Direct) == await run(Plain) == ([], [("middle", "f5")] + ([("outer", "f5")] * (sender_id == "outer")))


async def test_our_focusable_widgets_take_the_direct_route(example_paper, store):
    """Every widget of the main screen that takes the focus is a DirectKeys, and a screen key from the draft
    reaches the screen's binding without passing through the draft's containers."""
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        focusable = [w for w in screen.query("*") if w.can_focus and type(w).__module__.startswith("posttui.")]
        assert focusable and all(isinstance(w, DirectKeys) for w in focusable)
        draft = screen.query_one(DraftEditor)
        draft.focus()
        await pilot.pause()
        assert direct_route(draft, events.Key("ctrl+g", None)) is app
        seen = []
        for node in draft.ancestors:
            if node is app:
                break
            original = node.post_message
            node.post_message = (lambda original: lambda m: (seen.append(m) if isinstance(m, events.Key) else None)
                                 or original(m))(original)
        await pilot.press("ctrl+g")
        await wait_idle(pilot)
        assert seen == []
        assert screen.editor.text  # the screen's Generate ran

