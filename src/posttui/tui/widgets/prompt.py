"""The Prompt tab: the prompt the model is sent, site or lean (a switch), with its size and estimated tokens.

The prompt is built and measured in a thread. A prompt up to :data:`WRAPPED_LIMIT` characters is shown soft-wrapped
in a TextArea; a bigger one (a 10 MB source) in a :class:`~.lineview.LineView`, which draws only what is on screen
(a TextArea re-wraps every line on each resize: seconds of UI loop for 10 MB, issue 14)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static, Switch, TextArea

from .lineview import LineView

WRAPPED_LIMIT = 200_000
"""Characters up to which the prompt is shown soft-wrapped (a TextArea wraps 200 KB in tens of milliseconds)."""


class PromptPane(Vertical):
    """Shows ``review.prompt()``; the switch changes the review's prompt mode (the next call sends that prompt)."""

    def __init__(self, review, **kwargs):
        super().__init__(**kwargs)
        self.review = review

    def compose(self) -> ComposeResult:
        with Horizontal(id="prompt-bar"):
            yield Label("lean", id="lean-label")
            yield Switch(value=self.review.prompt_mode == "lean", id="lean")
            yield Static("", id="prompt-info")
        yield TextArea("", read_only=True, soft_wrap=True, id="prompt")
        yield LineView(id="prompt-lines")

    def on_mount(self) -> None:
        self.query_one("#prompt-lines").display = False
        self.rebuild()

    @on(Switch.Changed, "#lean")
    def _lean_changed(self, event: Switch.Changed) -> None:
        self.review.prompt_mode = "lean" if event.value else "site"
        self.rebuild()

    @work(thread=True, group="prompt", exclusive=True, exit_on_error=False)
    def rebuild(self) -> None:
        """Build the prompt off the UI thread (a big paper takes a while), then show it."""
        from ...prompt import estimate_tokens

        prompt = self.review.prompt()
        info = f" {self.review.prompt_mode} prompt · {len(prompt):,} chars · ~{estimate_tokens(prompt):,} tokens"
        if len(prompt) > WRAPPED_LIMIT:
            info += " · long lines not wrapped"
        self.app.call_from_thread(self._show, prompt, info)

    def _show(self, prompt: str, info: str) -> None:
        wrapped, lines = self.query_one("#prompt", TextArea), self.query_one("#prompt-lines", LineView)
        big = len(prompt) > WRAPPED_LIMIT
        wrapped.load_text("" if big else prompt)
        lines.load_text(prompt if big else "")
        wrapped.display, lines.display = not big, big
        self.query_one("#prompt-info", Static).update(info)

    @property
    def text(self) -> str:
        """The prompt shown."""
        lines = self.query_one("#prompt-lines", LineView)
        return lines.text if lines.display else self.query_one("#prompt", TextArea).text
