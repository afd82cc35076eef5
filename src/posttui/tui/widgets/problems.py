"""The Problems list: one row per finding (severity, rule, line, message); Enter jumps to it, `f` fixes it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ..direct_keys import DirectKeys
from ..keymap import bindings, key_of

SEVERITY_STYLE = {"error": "bold #ff5f5f", "warning": "#ffd75f", "info": "#87afff", "pending": "italic #8a8a8a"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2, "pending": 3}
MAX_ROWS = 500
"""Rows listed at most: a draft with thousands of problems (a broken paste, a runaway model) must not block the
app while the table is rebuilt; the rest are counted in a last row and appear as the listed ones are fixed."""


def severity_of(finding) -> str:
    return str(getattr(finding.severity, "value", finding.severity))


class ProblemsTable(DirectKeys, DataTable):
    """Findings of the current draft, errors first."""

    BINDINGS = [Binding("enter", "jump", "Jump", show=True, id="jump"), *bindings(("fix_one",))]

    @dataclass
    class Jump(Message):
        """The user asked to see a finding in the editor."""

        finding: object

    @dataclass
    class FixOne(Message):
        """The user asked to apply the fix of one finding."""

        finding: object

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.findings: list = []
        """The listed findings (at most MAX_ROWS), errors first."""
        self.not_listed = 0
        """How many findings the list leaves out."""
        self._shown: tuple[list[tuple], int] | None = None
        """What the list shows: its rows (severity, rule, line, fix mark, message, column) and the count left out."""

    def on_mount(self) -> None:
        self.add_column("sev", key="sev", width=7)
        self.add_column("rule", key="rule", width=6)
        self.add_column("line", key="line", width=5)
        self.add_column("fix", key="fix", width=3)
        self.add_column("message", key="message")

    def show(self, findings) -> None:
        """List ``findings``. Rows that would read as they do now are kept (only the findings behind them change):
        a streamed draft is checked every few chunks, mostly with the same results, and rebuilding the table took
        5-13 ms of the UI loop each time, and a redraw (bench/tui.py)."""
        ordered = sorted(findings, key=lambda f: (SEVERITY_ORDER.get(severity_of(f), 9), f.line, f.column))
        keep = self.cursor_row
        self.findings = ordered[:MAX_ROWS]
        self.not_listed = len(ordered) - len(self.findings)
        rows = [(severity_of(f), f.rule, str(f.line), "✓" if getattr(f, "fix", None) else "", f.message, f.column)
                for f in self.findings]  # (the column is not listed, but the detail line below the list shows it)
        if (rows, self.not_listed) == self._shown:
            return
        self._shown = (rows, self.not_listed)
        self.clear()
        for i, (sev, rule, line, fix, message, _column) in enumerate(rows):
            self.add_row(Text(sev, style=SEVERITY_STYLE.get(sev, "")), rule, line, fix, message, key=str(i))
        if self.not_listed:
            self.add_row(
                Text("…", style="dim"), "", "", "",
                Text(f"{self.not_listed:,} more problems not listed: fix the ones above "
                     f"({key_of(self.app, 'fix_all')} fixes all that can be fixed) and the rest appear here",
                     style="italic dim"),
                key="more",
            )
        if self.findings:
            self.move_cursor(row=min(keep, len(self.findings) - 1))

    @property
    def selected(self):
        if not self.findings or self.cursor_row < 0 or self.cursor_row >= len(self.findings):
            return None
        return self.findings[self.cursor_row]

    def action_jump(self) -> None:
        if self.selected is not None:
            self.post_message(self.Jump(self.selected))

    def action_fix_selected(self) -> None:
        if self.selected is not None:
            self.post_message(self.FixOne(self.selected))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_jump()
