"""The draft's rows, kept through edits (DraftEditor._row_key, issue 14): after every kind of change a user or a
stream makes, each row in view is the row TextArea itself draws, and a streamed chunk redraws only the rows it
changed."""

from __future__ import annotations

import random
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input
from textual.widgets.text_area import Selection

from posttui.tui.widgets.draft import DraftEditor

PIECES = ["word ", "a longer run of words that wraps across the row ", "\n", "\n\n", "## Heading ", "- item ",
          "[link](https://example.org) ", "`code` ", "中文字 ", "\t", "(bracket) ", "**bold** "]


@dataclass
class Finding:
    start: int
    end: int
    severity: str


class Editor(App):
    CSS = """
    DraftEditor.-other { background: #203040; color: #e0d0a0; }
    DraftEditor.-other .text-area--cursor-line { background: #402020; }
    DraftEditor.-other .text-area--selection { background: #206020; }
    DraftEditor.-other .text-area--gutter { color: #ff00ff; }
    DraftEditor.-green-cursor .text-area--cursor { background: #00ff00; }
    """

    def compose(self) -> ComposeResult:
        yield DraftEditor(id="draft")
        yield Input(id="other")


@asynccontextmanager
async def editing(text: str, size: tuple[int, int]):
    """The test app at ``size``, its draft holding ``text``: (app, pilot, the draft)."""
    app = Editor()
    async with app.run_test(size=size) as pilot:
        editor = app.query_one(DraftEditor)
        editor.load_text(text)
        yield app, pilot, editor


def text_of(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def location(rng: random.Random, editor: DraftEditor) -> tuple[int, int]:
    row = rng.randrange(editor.document.line_count)
    return row, rng.randrange(len(editor.document[row]) + 1)


def rows_differ(editor: DraftEditor) -> list[int]:
    """Rows in view (and a few past the end) where the cached row is not the row TextArea draws."""
    editor._theme.apply_css(editor)  # (as TextArea.render_lines does before drawing)
    return [y for y in range(editor.size.height + 3)
            if list(editor.render_line(y)) != list(editor._render_line(y))]


def record_draws(editor: DraftEditor) -> list[int]:
    """The rows TextArea is asked to draw from now on (the row cache's misses)."""
    drawn: list[int] = []
    textual_draw = editor._render_line
    editor._render_line = lambda y: drawn.append(y) or textual_draw(y)
    return drawn


def lines_drawn(editor: DraftEditor, drawn: list[int]) -> set[int]:
    """The document lines of the rows drawn, once the next frame has asked for every row in view."""
    for y in range(editor.size.height):
        editor.render_line(y)
    scroll_y = editor.scroll_offset[1]
    return {editor.wrapped_document._offset_to_line_info[scroll_y + y][0] for y in drawn}


async def change(pilot, editor: DraftEditor, rng: random.Random, step: int) -> str:
    kind = rng.choice(["append", "append", "append", "insert", "delete", "select", "cursor", "findings", "scroll",
                       "focus", "resize", "read_only", "numbers", "load", "restyle", "cursor_colour", "theme"])
    if kind == "append":
        editor.append_text(text_of(rng, rng.randrange(1, 4)))
    elif kind == "insert":
        editor.insert(text_of(rng, 2), location(rng, editor))
    elif kind == "delete":
        a, b = sorted((location(rng, editor), location(rng, editor)))
        editor.delete(a, b)
    elif kind == "select":
        editor.selection = Selection(location(rng, editor), location(rng, editor))
    elif kind == "cursor":
        editor.selection = Selection.cursor(location(rng, editor))
    elif kind == "findings":
        size = len(editor.text)
        spans = sorted(rng.randrange(size + 1) for _ in range(2 * rng.randrange(4)))
        editor.show_findings([Finding(a, b, rng.choice(["error", "warning", "info", "pending"]))
                              for a, b in zip(spans[::2], spans[1::2])])
    elif kind == "scroll":
        editor.scroll_to(y=rng.randrange(max(1, editor.wrapped_document.height)), animate=False)
    elif kind == "focus":
        (editor if rng.random() < 0.5 else pilot.app.query_one(Input)).focus()
    elif kind == "resize":
        await pilot.resize_terminal(rng.choice([30, 47, 80, 120]), rng.choice([10, 16, 30]))
    elif kind == "read_only":
        editor.read_only = not editor.read_only
    elif kind == "numbers":
        editor.show_line_numbers = not editor.show_line_numbers
    elif kind == "restyle":  # the CSS gives the draft, its cursor line, selection and gutter other colours
        editor.toggle_class("-other")
    elif kind == "cursor_colour":  # only the cursor looks different
        editor.toggle_class("-green-cursor")
    elif kind == "theme":
        pilot.app.theme = "textual-light" if pilot.app.theme == "textual-dark" else "textual-dark"
    else:
        editor.load_text(text_of(rng, rng.randrange(0, 60)))
    await pilot.pause()
    return kind


@pytest.mark.parametrize("seed", [14, 15, 16])
async def test_every_row_is_the_row_textarea_draws_through_random_changes(seed):
    rng = random.Random(seed)
    async with editing(text_of(rng, 80), (60, 20)) as (app, pilot, editor):
        editor.focus()
        await pilot.pause()
        kinds = []
        for step in range(160):
            kinds.append(await change(pilot, editor, rng, step))
            assert rows_differ(editor) == [], f"after step {step}: {kinds[-3:]}"
        assert {"append", "findings", "select", "focus", "resize", "read_only", "numbers", "load", "restyle",
                "cursor_colour", "theme"} <= set(kinds)


async def test_read_only_redraws_only_the_cursor_row():
    """The draft is read-only while a draft streams: switching restyles it, but only the cursor looks different."""
    rng = random.Random(5)
    async with editing(text_of(rng, 150), (70, 30)) as (app, pilot, editor):
        editor.focus()
        editor.selection = Selection.cursor((3, 0))
        editor.scroll_to(y=0, animate=False)
        await pilot.pause()
        drawn = record_draws(editor)
        for n, read_only in enumerate((True, False, True)):
            drawn.clear()
            editor.read_only = read_only
            await pilot.pause()
            assert lines_drawn(editor, drawn) == ({3} if n == 0 else set()), drawn  # (then both are cached)
            assert rows_differ(editor) == []
        drawn.clear()
        editor.toggle_class("-other")  # a restyle that changes every row's look redraws every row
        await pilot.pause()
        with app.batch_update():
            app.screen._compositor.render_update(full=True)
        assert len(set(drawn)) == editor.size.height
        assert rows_differ(editor) == []


async def test_a_streamed_chunk_redraws_only_the_rows_it_changes():
    rng = random.Random(3)
    async with editing(text_of(rng, 150), (70, 30)) as (app, pilot, editor):
        editor.append_text("the stream goes on ")  # (the cursor follows the end, and the view with it)
        await pilot.pause()
        drawn = record_draws(editor)
        for _ in range(5):
            drawn.clear()
            editor.append_text("and one more word ")
            await pilot.pause()
            # the line that grew (TextArea redraws all 30 rows)
            assert lines_drawn(editor, drawn) == {editor.document.line_count - 1}, drawn
            assert len(drawn) < editor.size.height // 3
        assert rows_differ(editor) == []


async def test_the_cursor_blink_and_a_matching_bracket_redraw_their_rows():
    text = "(a bracket that opens here\nand goes on\nand closes here)\nafter\n"
    async with editing(text, (40, 12)) as (app, pilot, editor):
        editor.focus()
        await pilot.pause()
        for where in [(0, 0), (2, 15), (1, 3), (0, 0)]:  # on the opening and the closing bracket, off, on again
            editor.selection = Selection.cursor(where)
            await pilot.pause()
            assert rows_differ(editor) == [], where
            for _ in range(2):  # what the blink timer does (the tests' cursor never blinks on its own)
                editor._cursor_visible = not editor._cursor_visible
                await pilot.pause()
                assert rows_differ(editor) == [], (where, editor._cursor_visible)
        assert editor._matching_bracket_location == (2, 15)


async def test_the_scrollbar_has_its_css_before_the_draft_is_first_restyled():
    """Textual gives a new scrollbar its CSS only at the draft's next restyle, and then lays the whole screen out
    again; the draft gives it at once (the end of the first stream restyles the draft)."""
    async with editing("a line\n" * 200, (60, 20)) as (app, pilot, editor):
        await pilot.pause()
        bar = editor._vertical_scrollbar
        assert bar is not None and bar.display
        assert "scrollbar_size_vertical" in bar.styles.base._rules
        layouts = []
        refresh = bar.refresh
        bar.refresh = lambda *regions, **options: layouts.append(options.get("layout")) or refresh(*regions, **options)
        editor.read_only = True
        await pilot.pause()
        assert not any(layouts)
        assert rows_differ(editor) == []
