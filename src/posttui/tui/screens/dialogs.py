"""Modal dialogs: confirm, diff to accept or reject, help, messages."""

from __future__ import annotations

import difflib

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from rich.table import Table
from textual.widgets import Button, Label, Static

from ..keymap import ACTIONS


class ConfirmDialog(ModalScreen[bool]):
    """A question with two answers; Escape answers no."""

    BINDINGS = [Binding("escape", "answer(False)", "Cancel", priority=True),
                Binding("y", "answer(True)", "Yes", show=False), Binding("n", "answer(False)", "No", show=False)]

    def __init__(self, title: str, body: str | Text, *, yes: str = "Yes", no: str = "Cancel",
                 danger: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.title_text, self.body, self.yes, self.no, self.danger = title, body, yes, no, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, id="yes", variant="error" if self.danger else "primary")
                yield Button(self.no, id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


def diff_text(old: str, new: str, old_name: str = "current", new_name: str = "proposed") -> Text:
    """A coloured unified diff (or a note when nothing changed)."""
    out = Text()
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2))
    if not lines:
        return Text("No differences.", style="italic")
    for line in lines:
        if line.startswith("+++") or line.startswith("---"):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = ""
        out.append(line + "\n", style=style)
    return out


class DiffDialog(ConfirmDialog):
    """Show what a change would do to the draft (or to a saved post), and ask."""

    def __init__(self, title: str, old: str, new: str, *, yes: str = "Accept", no: str = "Reject",
                 old_name: str = "current", new_name: str = "proposed", danger: bool = False, intro: str = ""):
        body = diff_text(old, new, old_name, new_name)
        if intro:
            body = Text(intro + "\n\n") + body
        super().__init__(title, body, yes=yes, no=no, danger=danger, id="diff-dialog")
        self.old, self.new = old, new


class HelpScreen(ModalScreen[None]):
    """Every key, from the keymap (so remapped keys show as remapped)."""

    BINDINGS = [Binding("escape,f1,q", "dismiss_help", "Close", priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("posttui keys (remap by id in keys.toml; every action is also in the command palette, "
                        "ctrl+p)", classes="dialog-title")
            with VerticalScroll(classes="dialog-body", id="help-body"):
                yield Static(self._table(), id="help-table")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def _table(self) -> Table:
        keymap = dict(getattr(self.app, "keymap_overrides", {}) or {})
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("what it does", ratio=1)
        for a in ACTIONS:
            table.add_row(keymap.get(a.id, a.key), a.id, a.help)
        table.add_row("enter", "jump", "In the Problems list: move the editor's cursor to the problem")
        table.add_row("ctrl+p", "palette", "Command palette: every action by name")
        table.add_row("tab", "", "Move between the panes")
        return table

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
