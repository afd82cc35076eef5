"""The Prompt tab: the prompt the model is sent, site or lean (a switch), with its size and estimated tokens.

The prompt is built and measured in a thread. A prompt up to :data:`WRAPPED_LIMIT` characters is shown soft-wrapped
in a TextArea; a bigger one (a 10 MB source) in a :class:`~.lineview.LineView`, which draws only what is on screen
(a TextArea re-wraps every line on each resize: seconds of UI loop for 10 MB, issue 14)."""

from __future__ import annotations

from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static, Switch, TextArea

from ..direct_keys import TextAreaKeys
from .lineview import LineView

WRAPPED_LIMIT = 200_000
"""Characters up to which the prompt is shown soft-wrapped (a TextArea wraps 200 KB in tens of milliseconds)."""


class PromptText(TextAreaKeys, TextArea):
    """The prompt, soft-wrapped and read-only; a key it does not use goes straight to the app (:mod:`..direct_keys`)."""


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
        yield PromptText("", read_only=True, soft_wrap=True, id="prompt")
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
        """Build the prompt off the UI thread (a big paper takes a while) and show it; a big prompt's token
        estimate follows (a second of Python for 10 MB, counted in pieces that let the UI loop run)."""
        from ...prompt import estimate_tokens
        from ..background import estimate_tokens_in_pieces, paper_work

        worker = get_current_worker()
        mode = self.review.prompt_mode
        with paper_work(self.review.paper):
            prompt = self.review.prompt(mode)
            big = len(prompt) > WRAPPED_LIMIT
            tokens = None if big else estimate_tokens(prompt)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show, prompt, self._info(mode, prompt, tokens))
        if tokens is None:
            with paper_work(self.review.paper):
                tokens = estimate_tokens_in_pieces(prompt)
            if not worker.is_cancelled:
                self.app.call_from_thread(self.query_one("#prompt-info", Static).update,
                                          self._info(mode, prompt, tokens))

    @staticmethod
    def _info(mode: str, prompt: str, tokens: int | None) -> str:
        count = "counting tokens…" if tokens is None else f"~{tokens:,} tokens"
        info = f" {mode} prompt · {count} · {len(prompt):,} chars"  # the tokens first: a narrow pane cuts the end
        return info + (" · long lines not wrapped" if len(prompt) > WRAPPED_LIMIT else "")

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
