"""The Prompt tab: the prompt the model is sent, site or lean (a switch), with its size and estimated tokens."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static, Switch, TextArea


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

    def on_mount(self) -> None:
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
        self.app.call_from_thread(self._show, prompt, info)

    def _show(self, prompt: str, info: str) -> None:
        self.query_one("#prompt", TextArea).load_text(prompt)
        self.query_one("#prompt-info", Static).update(info)
