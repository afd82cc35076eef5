"""Modal dialogs: confirm, diff to accept or reject, help, messages."""

from __future__ import annotations

import difflib
import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from rich.table import Table
from textual.widgets import Button, Footer, Label, Static

from ..keymap import help_rows, key_of


class ConfirmDialog(ModalScreen[bool]):
    """A question with two answers: `y` (or the first button) and `n` or Escape (the second). Its own footer
    lists those keys and covers the main screen's, whose keys do not work under the dialog."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n", "answer(False)", "No"),
                Binding("escape", "answer(False)", "Cancel", priority=True)]

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
                yield Button(f"{self.yes} (y)", id="yes", variant="error" if self.danger else "primary")
                yield Button(f"{self.no} (n)", id="no")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


def diff_text(old: str, new: str, old_name: str = "current", new_name: str = "proposed") -> Text:
    """A coloured unified diff (or a note when nothing changed). Where a changed line pairs with its new version,
    the words that changed are marked within it, so an edited paragraph does not read as one red and one green
    block."""
    a, b = old.splitlines(), new.splitlines()
    groups = list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(2))
    if not groups:
        return Text("No differences.", style="italic")
    out = Text()
    out.append(f"--- {old_name}\n+++ {new_name}\n", style="bold")
    for group in groups:
        first, last = group[0], group[-1]
        out.append(f"@@ -{_span(first[1], last[2])} +{_span(first[3], last[4])} @@\n", style="cyan")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in a[i1:i2]:
                    out.append(f" {line}\n")
                continue
            olds, news = a[i1:i2], b[j1:j2]
            pairs = min(len(olds), len(news)) if tag == "replace" else 0
            removed = [_words_changed(olds[k], news[k])[0] for k in range(pairs)]
            added = [_words_changed(olds[k], news[k])[1] for k in range(pairs)]
            removed += [Text(line) for line in olds[pairs:]]
            added += [Text(line) for line in news[pairs:]]
            for line in removed:
                out.append_text(_marked("-", line, "red", "bold white on #5f0000"))
            for line in added:
                out.append_text(_marked("+", line, "green", "bold white on #005f00"))
    return out


def _span(start: int, end: int) -> str:
    """A hunk range as unified diffs write it (1-based start, length)."""
    length = end - start
    return f"{start + 1 if length else start},{length}" if length != 1 else f"{start + 1}"


WORD = re.compile(r"\s+|\w+|[^\w\s]")


def _words_changed(old: str, new: str) -> tuple[Text, Text]:
    """``old`` and ``new`` with the words only one of them has marked (style ``changed``)."""
    x, y = WORD.findall(old), WORD.findall(new)
    before, after = Text(), Text()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
        style = "" if tag == "equal" else "changed"
        before.append("".join(x[i1:i2]), style=style)
        after.append("".join(y[j1:j2]), style=style)
    return before, after


def _marked(sign: str, line: Text, colour: str, changed: str) -> Text:
    out = Text(sign, style=colour)
    for span_text, style in _pieces(line):
        out.append(span_text, style=changed if style == "changed" else colour)
    out.append("\n")
    return out


def _pieces(line: Text):
    plain, cuts = line.plain, sorted({0, len(line.plain), *(p for s in line.spans for p in (s.start, s.end))})
    marked = [(s.start, s.end) for s in line.spans if s.style == "changed"]
    for start, end in zip(cuts, cuts[1:]):
        yield plain[start:end], "changed" if any(a <= start and end <= b for a, b in marked) else ""


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
        yield Footer(compact=True, show_command_palette=False)

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False, header_style="bold")
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("what it does", ratio=1)
        for row in help_rows(getattr(self.app, "keymap_overrides", None)):
            table.add_row(*row)
        return table

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)


class ProgressDialog(ModalScreen[None]):
    """What a running revision (Repair, Regenerate) writes, shown as it arrives; Escape stops the call.

    Chunks are collected as they come and drawn at most ten times a second (a fast stream must not redraw per
    chunk); the view follows the end of the text."""

    DEFAULT_CSS = """
    ProgressDialog { align: center middle; }
    ProgressDialog .dialog-body { height: auto; max-height: 50vh; }
    ProgressDialog .dim { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "stop", "Stop", priority=True)]

    def __init__(self, title: str, on_stop, *, id: str | None = "progress-dialog"):
        super().__init__(id=id)
        self.title_text, self.on_stop = title, on_stop
        self.received: list[str] = []
        self._shown = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog progress"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body", id="progress-body"):
                yield Static("Waiting for the model's first words …", id="progress-text")
            yield Label(f"{key_of(self.app, 'stop')} stops the call; the draft stays as it is.", classes="dim")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_interval(0.1, self._draw)

    def write(self, chunk: str) -> None:
        """Called with each piece of the new text (``on_chunk`` of :meth:`posttui.workflow.Review.propose`)."""
        self.received.append(chunk)

    @property
    def text(self) -> str:
        return "".join(self.received)

    def _draw(self) -> None:
        if len(self.received) == self._shown:
            return
        self._shown = len(self.received)
        text = self.text
        self.query_one("#progress-text", Static).update(Text(text if len(text) <= 4000 else "…" + text[-4000:]))
        body = self.query_one("#progress-body", VerticalScroll)
        self.call_after_refresh(body.scroll_end, animate=False)  # once the new height is known

    def action_stop(self) -> None:
        self.on_stop()
