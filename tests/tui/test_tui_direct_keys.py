"""A key the focused widget leaves goes straight to the app's bindings, with the same outcome as Textual's climb up
the DOM (posttui.tui.direct_keys, issue 14).

Each test runs the same keys through apps that differ only in how keys travel: Textual's own widget and app; the
widget with :class:`DirectKeys` (a key it leaves skips the containers); and that widget in an app with
:class:`DirectBindings` (the bindings of a key the widget would not use are looked up at once). What happens
(bindings run, handlers called, the text typed, in order) must be the same; only the route may differ."""

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
from posttui.tui.direct_keys import DirectBindings, DirectKeys, TextAreaKeys, _keys_out, direct_route
from posttui.tui.widgets.draft import DraftEditor


class Plain(TextArea):
    BINDINGS = [Binding("f3", "note('widget f3')", "")]

    def action_note(self, what: str) -> None:
        self.app.log_.append(what)


class Direct(DirectKeys, Plain):
    pass


class DirectText(TextAreaKeys, Plain):
    """What the draft editor is: a TextArea that says which keys its handler uses."""

    def post_message(self, message) -> bool:
        if isinstance(message, events.Key):
            self.app.posted.append((self.id, message.key))
        return super().post_message(message)


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
                Binding("f4", "note('screen f4')", ""), Binding("x", "note('screen x')", ""),
                Binding("enter", "note('screen enter')", "")]

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
f11, unless a container takes them), and Enter and x, which the TextArea inserts unless it is read-only (then the
screen's bindings for them run; Textual hides the binding for x from a writable TextArea, but not Enter's)."""


class BindingsApp(DirectBindings, KeysApp):
    pass


async def focus_editor(pilot):
    """The test screen's editor, focused, once the app has settled."""
    await pilot.pause()
    editor = pilot.app.screen.query_one("#editor")
    editor.focus()
    await pilot.pause()
    return editor


async def run_keys(widget_class, middle_class=Box, keys=KEYS, *, read_only=False, app_class=KeysApp,
                   at_once=False):
    """(what ran, the editor's text, which containers and widgets the keys were posted to). ``at_once``: every key
    is posted before any is handled, as keys typed faster than the app handles them arrive (the pilot waits for
    each key to be handled)."""
    app = app_class(widget_class, middle_class)
    async with app.run_test(size=(60, 12)) as pilot:
        editor = await focus_editor(pilot)
        editor.read_only = read_only
        if at_once:
            for key in keys:
                app.post_message(events.Key(key, key if len(key) == 1 else None).set_sender(app))
        else:
            await pilot.press(*keys)
        await pilot.pause(0.1)
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
    assert ("screen x" in plain_log) == ("screen enter" in plain_log) == read_only


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
            editor = await focus_editor(pilot)
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



def routes(posted: list[tuple[str, str]], node: str) -> list[str]:
    return [key for where, key in posted if where == node]


@pytest.mark.parametrize("middle", [Box, OnKeyBox, DecoratedBox, KeyMethodBox])
@pytest.mark.parametrize("read_only", [False, True])
async def test_bindings_looked_up_at_once_do_the_same_things(middle, read_only):
    plain_log, plain_text, _ = await run_keys(Plain, middle, read_only=read_only)
    log, text, posted = await run_keys(DirectText, middle, read_only=read_only, app_class=BindingsApp)
    assert (log, text) == (plain_log, plain_text)
    if middle is Box:  # keys that nothing in between takes: a key the editor leaves never goes to it
        assert set(routes(posted, "editor")) <= {"a", "b", "c", "x", "enter", "ctrl+g", "left", "f3", "f4", "f5",
                                                   "f9", "f10", "f11"}


async def test_a_binding_key_goes_nowhere_when_no_key_is_on_its_way():
    _, _, posted = await run_keys(DirectText, keys=["ctrl+g"], app_class=BindingsApp)
    assert posted == []
    log, _, posted = await run_keys(DirectText, keys=["left", "f5", "f4", "f3"], app_class=BindingsApp)
    assert log == ["app f5", "screen f4", "widget f3"] and posted == []


async def test_a_key_back_at_the_app_holds_nothing_back():
    """A key the editor leaves and no binding takes goes to the editor and back to the app; the next binding key
    is looked up at once again."""
    log, _, posted = await run_keys(DirectText, keys=["f10", "ctrl+g"], app_class=BindingsApp)
    assert log == ["screen ctrl+g sees ''"] and posted == [("editor", "f10")]


async def test_a_binding_waits_for_the_keys_typed_before_it():
    """Keys that arrive faster than they are handled: a binding key that arrives while typed keys are on their way
    takes their way (Textual's), so it never runs before them."""
    keys = ["a", "b", "ctrl+g", "c", "ctrl+g"]
    plain = await run_keys(Plain, keys=keys, at_once=True)
    log, text, posted = await run_keys(DirectText, keys=keys, app_class=BindingsApp, at_once=True)
    assert (log, text) == plain[:2]
    assert log[0].startswith("screen ctrl+g sees 'ab")
    assert routes(posted, "editor") == keys  # (nothing was looked up ahead of the typed keys)


async def test_a_binding_key_with_nothing_on_its_way_runs_before_the_keys_after_it():
    """The one difference from Textual's way, with keys that arrive faster than they are handled: Textual hands a
    binding key up the DOM while the keys typed after it are handled, so they can land first (here "a" is in the
    text before Ctrl+G runs). Looked up at once, the binding runs first, as when each key is handled before the
    next arrives. (With keys already on their way, a binding key takes Textual's way: see the test above.)"""
    keys = ["ctrl+g", "a"]
    plain_log, plain_text, _ = await run_keys(Plain, keys=keys, at_once=True)
    log, text, _ = await run_keys(DirectText, keys=keys, app_class=BindingsApp, at_once=True)
    one_by_one = await run_keys(Plain, keys=keys)
    assert (log, text) == one_by_one[:2] == (["screen ctrl+g sees ''"], "a")
    assert (plain_log, plain_text) == (["screen ctrl+g sees 'a'"], "a")  # (Textual's own way)


async def test_a_binding_looked_up_at_once_restarts_the_cursor_blink():
    restarted = []
    app = BindingsApp(DirectText)
    async with app.run_test(size=(60, 12)) as pilot:
        editor = await focus_editor(pilot)
        editor._restart_blink = lambda: restarted.append(1)  # (focusing restarted it too)
        await pilot.press("left")
        await pilot.pause(0.05)
        assert app.posted == [] and restarted  # as TextArea's key handler does for every key


async def test_random_keys_do_the_same_things():
    import random

    pool = ["a", "b", "enter", "left", "right", "home", "end", "backspace", "ctrl+g", "f3", "f4", "f5", "f9",
            "f10", "f11", "shift+left", "ctrl+z"]
    rng = random.Random(14)
    for n in range(8):
        keys = [rng.choice(pool) for _ in range(14)]
        middle = OnKeyBox if n % 4 == 3 else Box
        assert (await run_keys(DirectText, middle, keys=keys, app_class=BindingsApp))[:2] == \
            (await run_keys(Plain, middle, keys=keys))[:2], keys


async def test_a_key_dropped_with_its_widget_does_not_hold_the_others_back():
    import gc

    app = BindingsApp(DirectText)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        orphan = DirectText("", id="orphan")  # never mounted: a key handed to it stays in its queue
        orphan._forward_event(events.Key("f5", None))
        assert len(_keys_out(app)) == 1
        del orphan
        gc.collect()
        assert len(_keys_out(app)) == 0
        await focus_editor(pilot)
        await pilot.press("f5")
        await pilot.pause(0.05)
        assert app.log_ == ["app f5"] and app.posted == [("orphan", "f5")]  # (the one handed to the orphan)
