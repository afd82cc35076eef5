"""A TextArea's wrapped height in constant time (tui/wrapped_height.py, issue 14): always Textual's own sum, through
edits that add, join and split lines, tabs and wide characters, resizes and wrapping switched off; and the rows a
TextArea draws with it are the rows it draws without it."""

from __future__ import annotations

import random

import pytest
from conftest import main_screen, wait_idle
from textual.app import App, ComposeResult
from textual.document._document import Document
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Region
from textual.widgets import TextArea

from posttui.llm.offline import OfflineBackend
from posttui.tui import wrapped_height
from posttui.tui.app import PosttuiApp
from posttui.tui.wrapped_height import _ORIGINAL, _height

PIECES = ["word ", "a much longer run of words that wraps ", "\t", "中文字 ", "\n", "\n\n", "é", "x" * 70, " "]


def random_location(rng: random.Random, document: Document) -> tuple[int, int]:
    row = rng.randrange(document.line_count)
    return row, rng.randrange(len(document.get_line(row)) + 1)


def textual_height(document: WrappedDocument) -> int:
    return _ORIGINAL.fget(document)


def test_install_is_idempotent_and_replaces_the_property():
    assert wrapped_height.install() is True
    assert wrapped_height.install() is True
    assert WrappedDocument.height is wrapped_height._FAST
    assert WrappedDocument.height is not _ORIGINAL


def test_install_keeps_textuals_code_when_the_internals_differ(monkeypatch):
    monkeypatch.setattr(WrappedDocument, "height", _ORIGINAL)
    monkeypatch.setattr(wrapped_height, "_height", lambda self: -1)  # as if the rows were kept elsewhere
    assert wrapped_height.install() is False
    assert WrappedDocument.height is _ORIGINAL


@pytest.mark.parametrize("seed", range(6))
def test_the_height_is_textuals_sum_through_random_edits_and_widths(seed):
    rng = random.Random(seed)
    document = Document("".join(rng.choice(PIECES) for _ in range(40)))
    wrapped = WrappedDocument(document, width=rng.choice([0, 7, 20, 41]))
    for step in range(120):
        if step % 17 == 16:
            wrapped.wrap(rng.choice([0, 1, 5, 13, 80]), tab_width=rng.choice([2, 4, 8]))
        else:
            a, b = sorted(random_location(rng, document) for _ in range(2))
            insert = "".join(rng.choice(PIECES) for _ in range(rng.randrange(4)))
            result = document.replace_range(a, b, insert)
            wrapped.wrap_range(a, b, result.end_location)
        assert _height(wrapped) == textual_height(wrapped), f"step {step}"


class Editor(App):
    def compose(self) -> ComposeResult:
        yield TextArea(soft_wrap=True, show_line_numbers=True)


async def test_a_text_area_draws_the_same_rows_with_it():
    wrapped_height.install()
    rng = random.Random(7)
    app = Editor()
    async with app.run_test(size=(50, 20)) as pilot:
        area = app.query_one(TextArea)
        area.load_text("".join(rng.choice(PIECES) for _ in range(300)))
        for width, scroll in ((50, 0), (31, 12), (80, 40)):
            await pilot.resize_terminal(width, 20)
            area.scroll_to(y=scroll, animate=False)
            await pilot.pause()
            area.insert("inserted text that wraps a little\n\t中文\n", (3, 0))
            await pilot.pause()
            drawn = {}
            for name, prop in (("fast", wrapped_height._FAST), ("textual", _ORIGINAL)):
                WrappedDocument.height = prop
                area._line_cache.clear()
                drawn[name] = [list(strip) for strip in area.render_lines(Region(0, 0, area.size.width,
                                                                                  area.size.height + 5))]
            WrappedDocument.height = wrapped_height._FAST
            assert drawn["fast"] == drawn["textual"]
            assert area.wrapped_document.height == textual_height(area.wrapped_document) > area.size.height


async def test_the_app_installs_it_when_the_main_screen_opens(example_paper, store, monkeypatch):
    monkeypatch.setattr(WrappedDocument, "height", _ORIGINAL)  # as a fresh process has it
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(pilot)
        assert WrappedDocument.height is wrapped_height._FAST
        editor = main_screen(app).editor
        assert editor.wrapped_document.height == textual_height(editor.wrapped_document)
