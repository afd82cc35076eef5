"""Findings that read as the shown ones redraw nothing (issue 14): a streamed draft is checked every few chunks,
mostly with the same results, and each time the Problems table was rebuilt and the draft's highlights queried
again from the whole syntax tree."""

from __future__ import annotations

import asyncio
import threading
import time

from textual.app import App

from posttui.rules.base import Finding, Severity
from posttui.tui import background
from posttui.tui.widgets import preview
from posttui.tui.widgets.draft import DraftEditor
from posttui.tui.widgets.problems import MAX_ROWS, ProblemsTable

TEXT = "# Title\n\nSee \\cite{a} and \\cite{b} here.\n\nMore text.\n"


def finding(start: int, *, rule: str = "PT010", message: str = "a \\cite is left in", severity=Severity.ERROR,
            line: int = 3, column: int | None = None, text: str = TEXT) -> Finding:
    column = start - text.rfind("\n", 0, start) if column is None else column
    return Finding(rule, severity, message, start, start + 5, line, column, line, column + 5)


class Counting(ProblemsTable):
    rebuilt = 0

    def clear(self, columns: bool = False):
        self.rebuilt += 1
        return super().clear(columns)


class Highlighting(DraftEditor):
    built = 0

    def _build_highlight_map(self) -> None:
        self.built += 1
        super()._build_highlight_map()


class Both(App):
    def compose(self):
        yield Highlighting(TEXT, id="draft")
        yield Counting(id="problems")


async def test_the_same_rows_keep_the_table_and_take_the_new_findings():
    app = Both()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(Counting)
        a, b = finding(13), finding(27)
        table.show([a, b])
        await pilot.pause()
        table.move_cursor(row=1)
        assert table.rebuilt == 1 and table.row_count == 2
        a2, b2 = finding(13), finding(27)  # the same rows, from a newer check
        table.show([b2, a2])
        assert table.rebuilt == 1 and table.cursor_row == 1
        assert table.findings[0] is a2 and table.findings[1] is b2  # fixes and jumps use the newer findings
        # Anything a row or the detail line shows rebuilds: the message, the rule, the line, the fix, the column,
        # how many there are
        changes = [
            [finding(13, message="other"), b2], [finding(13, rule="PT011"), b2], [finding(13, line=4), b2],
            [finding(13, column=2), b2], [a2], [a2, b2, finding(40, line=5)],
            [finding(13, severity=Severity.WARNING), b2],
        ]
        for findings in changes:
            table.show([a2, b2])
            before = table.rebuilt
            table.show(findings)
            assert table.rebuilt == before + 1, findings
            table.show(findings)
            assert table.rebuilt == before + 1
        table.show([])
        assert table.row_count == 0 and table.findings == []
        await pilot.pause()


async def test_a_capped_list_rebuilds_when_only_the_count_left_out_changes():
    app = Both()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(Counting)
        many = [finding(13, column=i) for i in range(MAX_ROWS + 3)]
        table.show(many)
        built = table.rebuilt
        assert table.row_count == MAX_ROWS + 1 and table.not_listed == 3
        table.show(many + [finding(13, column=MAX_ROWS + 3)])
        assert table.rebuilt == built + 1 and table.not_listed == 4
        assert "4 more problems" in str(table.get_row("more")[-1])
        await pilot.pause()


async def test_the_same_marks_leave_the_highlights_as_they_are():
    app = Both()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(Highlighting)
        findings = [finding(13)]
        editor.show_findings(findings)
        built = editor.built
        highlights = {row: list(spans) for row, spans in editor._highlights.items()}
        assert any(name == "lint.error" for spans in highlights.values() for *_, name in spans)
        editor.show_findings([finding(13)])
        assert editor.built == built
        # An edit rebuilds them with the marks there are; the same marks again then change nothing either
        editor.insert("x", (4, 0))
        built = editor.built
        assert editor._highlights[2] == highlights[2]
        editor.show_findings([finding(13)])
        assert editor.built == built
        editor.show_findings([finding(27)])
        assert editor.built == built + 1 and editor.marks[0].start == 27 - TEXT.rfind("\n", 0, 27) - 1
        editor.show_findings([])
        assert not any(name.startswith("lint.") for spans in editor._highlights.values() for *_, name in spans)
        await pilot.pause()


def test_a_whole_post_render_waits_while_the_ui_loop_is_behind(monkeypatch):
    """The preview's whole-post render starts once the UI loop has kept up for a moment (at most a quarter of a
    second later), so it does not take the GIL from the steps that end a stream."""
    loop = asyncio.new_event_loop()
    monkeypatch.setattr(background.HEARTBEAT, "loop", loop)
    stamps: list[float] = []
    stop = threading.Event()

    def ui_loop():  # steps of 20 ms for 0.12 s: the heartbeat goes stale in each
        asyncio.set_event_loop(loop)

        async def busy():
            end = time.monotonic() + 0.12
            while time.monotonic() < end:
                time.sleep(0.02)
                await asyncio.sleep(0)
            stamps.append(time.monotonic())
            while not stop.is_set():
                await asyncio.sleep(0.002)

        loop.run_until_complete(busy())

    thread = threading.Thread(target=ui_loop)
    thread.start()
    try:
        time.sleep(0.01)
        started = time.monotonic()
        lines = preview.render_markdown("# Title\n\nSome *text*.\n", 40, yielding=True)
        took = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        loop.close()
    assert lines == preview.render_markdown("# Title\n\nSome *text*.\n", 40)
    assert stamps and stamps[0] - started + preview.QUIET - 0.01 <= took < 0.25 + 0.1
    assert background.HEARTBEAT.users == 0
