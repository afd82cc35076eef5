"""The app's garbage: Textual's line caches without reference cycles, full collections rarer while a model call
runs, every interpreter setting put back, and a streamed draft not rebuilt at the end (issue 14)."""

from __future__ import annotations

import gc
import itertools
import sys
from contextlib import contextmanager

import pytest
from conftest import main_screen, wait_idle
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from posttui.llm.offline import OfflineBackend
from posttui.tui import acyclic_caches, runtime_tuning
from posttui.tui.acyclic_caches import _ORIGINAL
from posttui.tui.app import PosttuiApp
from posttui.tui.runtime_tuning import FULL_COLLECTION_EVERY, RuntimeTuning
from posttui.workflow import Chunk, StateChanged

RED, BLUE = Style(color="red"), Style(bgcolor="blue", bold=True)


def strips():
    """Strips of one to three segments, styled and not, with wide characters."""
    pieces = [("ab", None), ("cdé", RED), ("中文", BLUE), ("", RED), ("xyz  ", None)]
    for n in (1, 2, 3):
        for combo in itertools.permutations(pieces, n):
            yield [Segment(text, style) for text, style in combo]


def same(a: Strip, b: Strip) -> bool:
    return list(a) == list(b) and a.cell_length == b.cell_length


@contextmanager
def collector_off():
    """No automatic collection while a test makes strips; ``strips_in_cycles()`` then counts the strips that only
    the cycle collector could free."""
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        yield
    finally:
        if was:
            gc.enable()


def strips_in_cycles(texts: set[str]) -> int:
    """The test's own strips (by their text) that only the cycle collector frees. An app that an earlier test ran
    may still be let go meanwhile (a worker thread ending drops the last reference to its widgets), and its line
    caches hold strips in cycles of their own: those are not this test's to count."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(isinstance(o, Strip) and o.text in texts for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_install_replaces_the_three_methods_once():
    assert acyclic_caches.install() is True
    assert acyclic_caches.install() is True
    assert Strip.divide is acyclic_caches._divide
    assert Strip.crop_extend is acyclic_caches._crop_extend
    assert LRUCache.clear is acyclic_caches._clear


def test_divide_returns_what_textual_returns():
    for segments in strips():
        length = Strip(segments).cell_length
        for cuts in ([length], [length, length + 3], [1, length], [0, length], [2, 3, length], [length + 1], []):
            ours, theirs = Strip(segments), Strip(segments)
            got = acyclic_caches._divide(ours, iter(cuts))  # any iterable, as Textual accepts
            want = _ORIGINAL["divide"](theirs, list(cuts))
            assert [list(s) for s in got] == [list(s) for s in want], (segments, cuts)
            assert [s.cell_length for s in got] == [s.cell_length for s in want]
            assert acyclic_caches._divide(ours, cuts) == got  # and again, from the cache or not


def test_crop_extend_returns_what_textual_returns():
    for segments in strips():
        length = Strip(segments).cell_length
        for start, end, style in ((0, length, None), (0, length + 4, RED), (1, length, None), (0, 1, BLUE),
                                  (2, length + 2, None), (length, length + 1, RED), (0, 0, None)):
            ours, theirs = Strip(segments), Strip(segments)
            got = acyclic_caches._crop_extend(ours, start, end, style)
            assert same(got, _ORIGINAL["crop_extend"](theirs, start, end, style)), (segments, start, end)
            assert same(acyclic_caches._crop_extend(ours, start, end, style), got)


@pytest.mark.parametrize("replacement", [True, False], ids=["ours", "textual's"])
def test_whole_strips_leave_no_cycles(replacement):
    divide = acyclic_caches._divide if replacement else _ORIGINAL["divide"]
    crop_extend = acyclic_caches._crop_extend if replacement else _ORIGINAL["crop_extend"]
    texts = {Strip(segments).text for segments in strips()}
    with collector_off():
        for segments in strips():
            strip = Strip(segments)
            divide(strip, [strip.cell_length])  # what the compositor does to every line it draws
            crop_extend(strip, 0, strip.cell_length, None)
            divide(strip, [1, strip.cell_length])  # cut strips were never cycles: still cached
        del strip
        found = strips_in_cycles(texts)
    if replacement:
        assert found == 0
    else:
        assert found > 0  # Textual's own methods do leave them: this test can fail


@pytest.mark.parametrize("replacement", [True, False], ids=["ours", "textual's"])
def test_a_cleared_lru_cache_leaves_no_cycle(replacement):
    cache = LRUCache(8)
    with collector_off():
        for round_ in range(5):
            for key in range(12):  # some evicted, some kept
                cache[key] = Strip([Segment(f"{round_}:{key}")])
            cache.get(3)
            cache.discard(5)
            (acyclic_caches._clear if replacement else _ORIGINAL["clear"])(cache)
        found = strips_in_cycles({f"{round_}:{key}" for round_ in range(5) for key in range(12)})
    assert (found == 0) if replacement else (found > 0)


def test_a_cleared_lru_cache_works_as_before():
    ours, theirs = LRUCache(4), LRUCache(4)
    for cache, clear in ((ours, acyclic_caches._clear), (theirs, _ORIGINAL["clear"])):
        for key in range(6):
            cache[key] = key * 10
        clear(cache)
        assert len(cache) == 0 and cache.get(1) is None
        for key in range(6):
            cache[key] = key
        cache.get(3)
        cache[9] = 9
    assert list(ours.keys()) == list(theirs.keys()) and [ours.get(k) for k in range(10)] == [
        theirs.get(k) for k in range(10)]


# ----- the interpreter settings -----------------------------------------------------------------------------------
@pytest.fixture
def restored():
    """The process's collector and switch-interval settings, checked unchanged after the test."""
    before = (gc.get_threshold(), sys.getswitchinterval(), gc.get_freeze_count())
    yield
    assert (gc.get_threshold(), sys.getswitchinterval()) == before[:2]
    gc.unfreeze()  # a failed test must not leave the rest of the suite frozen


class Events:
    """What RuntimeTuning.follow needs of a Review: ``subscribe`` (the app test below drives a real one)."""

    def __init__(self):
        self.listeners = []

    def subscribe(self, listener):
        self.listeners.append(listener)

    def emit(self, event):
        for listener in self.listeners:
            listener(event)


class Later:
    """``later`` as the app's ``set_timer`` gives it, fired by the test: the calls waiting, and their handles."""

    def __init__(self):
        self.waiting: list[list] = []

    def __call__(self, seconds, callback):
        handle = self.Handle(self, [seconds, callback])
        self.waiting.append(handle.call)
        return handle

    def fire(self):
        calls, self.waiting = self.waiting, []
        for _, callback in calls:
            callback()

    class Handle:
        def __init__(self, later, call):
            self.later, self.call = later, call

        def stop(self):
            self.later.waiting.remove(self.call)


def test_full_collections_come_back_only_once_a_call_has_settled(restored):
    later = Later()
    tuning, review = RuntimeTuning(later=later), Events()
    tuning.follow(review)
    default = gc.get_threshold()
    raised = (default[0], default[1], FULL_COLLECTION_EVERY)
    tuning.start()
    try:
        review.emit(StateChanged("generating"))
        review.emit(StateChanged("done"))  # the stream ended: its final check and preview come now
        assert gc.get_threshold() == raised and [c[0] for c in later.waiting] == [runtime_tuning.SETTLE]
        review.emit(StateChanged("blocked"))  # more idle states wait on the same timer
        assert len(later.waiting) == 1
        later.fire()
        assert gc.get_threshold() == default and later.waiting == []
        review.emit(StateChanged("repairing"))
        review.emit(StateChanged("done"))
        review.emit(StateChanged("regenerating"))  # a call before the last one settled: still raised, no timer
        assert gc.get_threshold() == raised and later.waiting == []
        review.emit(StateChanged("stopped"))
        assert gc.get_threshold() == raised and len(later.waiting) == 1
    finally:
        tuning.stop()  # with a timer waiting: it is stopped, and everything is back at once
    assert gc.get_threshold() == default and later.waiting == [] and gc.get_freeze_count() == 0


def test_full_collections_are_rarer_only_while_a_model_call_runs(restored):
    tuning, review = RuntimeTuning(), Events()
    tuning.follow(review)
    default = gc.get_threshold()
    review.emit(StateChanged("generating"))  # not started: nothing changes
    assert gc.get_threshold() == default
    tuning.start()
    try:
        assert gc.get_freeze_count() > 0 and sys.getswitchinterval() == pytest.approx(0.001)
        for state, running in (("generating", True), ("idle", False), ("repairing", True), ("saving", True),
                               ("done", False), ("failed", False), ("regenerating", True), ("stopped", False)):
            review.emit(StateChanged(state))
            expected = (default[0], default[1], FULL_COLLECTION_EVERY) if running else default
            assert gc.get_threshold() == expected, state
        review.emit(Chunk("text"))  # other events change nothing
        assert gc.get_threshold() == default
        review.emit(StateChanged("generating"))
    finally:
        tuning.stop()  # while a call runs: put back all the same
    assert gc.get_threshold() == default and gc.get_freeze_count() == 0
    tuning.stop()  # twice is harmless


async def test_the_app_restores_what_it_tuned_and_streams_without_strip_cycles(example_paper, store, restored,
                                                                                monkeypatch):
    """A real run's settings (``tune_runtime``): while the offline writer streams, the full-collection threshold is
    raised, and it comes back once the stream has settled; once the app ends everything is back. Between frames,
    drawing leaves no Strip in a cycle."""
    monkeypatch.setattr(runtime_tuning, "SETTLE", 0.3)
    seen: list[tuple[int, int, int]] = []
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p), tune_runtime=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        screen.review.subscribe(lambda e: seen.append(gc.get_threshold()) if isinstance(e, StateChanged) else None)
        await pilot.press("ctrl+g")
        await wait_idle(pilot)
        assert FULL_COLLECTION_EVERY in [t[2] for t in seen]
        await pilot.pause(0.6)  # (SETTLE after the call ended)
        assert gc.get_threshold()[2] != FULL_COLLECTION_EVERY
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for key in ("pagedown", "pageup", "f2", "f2", "f2"):  # frames of every pane, the draft re-wrapped
                await pilot.press(key)
                await pilot.pause(0.05)
            screen.editor.load_text(screen.editor.text + "\nOne more line.\n")
            await pilot.pause(0.1)
            gc.collect()
            cyclic = [o for o in gc.garbage if isinstance(o, Strip)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        assert cyclic == []


async def test_the_streamed_draft_is_kept_not_rebuilt(example_paper, store):
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+g")
        await wait_idle(pilot)
        editor = screen.editor
        assert editor.text == screen.review.text and editor.text.strip()
        document = editor.document
        editor.insert("x", (0, 0))
        editor.delete((0, 0), (0, 1))  # the same text again, with two steps to undo
        assert editor.text == screen.review.text and editor.history.undo_stack
        screen.show_text(screen.review.text)  # as the end of every stream does
        assert editor.document is document and not editor.history.undo_stack
        await pilot.pause(0.05)
        screen.show_text(screen.review.text + "\nAnother paragraph.\n")  # a different text is loaded
        assert editor.document is not document and editor.text.endswith("Another paragraph.\n")
