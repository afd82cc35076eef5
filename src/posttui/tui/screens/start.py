"""The start screen: type an arXiv id or a path, pick a saved prompt of the site, or resume a recent session."""

from __future__ import annotations

import re
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..direct_keys import DirectKeys


class PickList(DirectKeys, OptionList):
    """An option list that highlights its first row when it gets the focus, so Enter works at once."""

    def on_focus(self) -> None:
        if self.highlighted is None:
            self.action_first()


def describe_saved_prompt(path: Path) -> str:
    """``DATE  ID  title`` for a saved prompt ``prompts/content/DATE-ID.txt`` (the title read from its head)."""
    from ...prompt import saved_prompt_title

    stem = path.stem
    date, arxiv_id = (stem[:10], stem[11:]) if re.match(r"\d{4}-\d\d-\d\d-.", stem) else ("", stem)
    title = saved_prompt_title(path) or "(no title found)"
    if "$" in title or "\\" in title:  # LaTeX in arXiv titles ($\beta$-flows) reads as text
        from ...latex_text import latex_to_text

        title = latex_to_text(title)
    title = title if len(title) <= 60 else title[:59] + "…"  # one row per prompt
    return f"{date}  {arxiv_id}  {title}".strip()


class StartScreen(Screen):
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="quit", priority=True),
                Binding("f1", "app.help", "Help", id="help")]

    def compose(self) -> ComposeResult:
        app = self.app
        with Vertical(id="start"):
            yield Static("[b]posttui[/b] — turn a paper into a reviewed post for your group's site", id="start-title")
            # The input comes first: on a small terminal it stays visible and the notes below are cut instead.
            yield Label("Open a paper: arXiv id or URL, a folder, .tar.gz, .tex, or a saved prompt file")
            yield Input(placeholder="e.g. 2511.10640 or examples/synthetic-paper", id="source-input")
            if app.site is not None:
                yield Static(f"Site: [b]{app.site.root}[/b]", id="site-line")
            else:
                yield Static(
                    "[b $warning]No Jekyll site here.[/] Posts are saved into a site (a folder with _config.yml and "
                    "_posts/): start posttui inside it, or run [b]posttui --site DIR[/b]. You can still open a "
                    "paper and write a draft.", id="site-line")
            yield Static(f"Backend: {app.backend_hint}", id="backend-line")
            with Horizontal(id="start-lists"):
                with Vertical(classes="start-col"):
                    yield Label("Recent sessions")
                    yield PickList(id="sessions")
                with Vertical(classes="start-col"):
                    yield Label("Saved prompts in the site")
                    yield PickList(id="prompts")
        yield Footer()

    def on_mount(self) -> None:
        sessions = self.query_one("#sessions", OptionList)
        for s in self.app.store.list(limit=30):
            title = s.title if len(s.title) < 50 else s.title[:49] + "…"
            sessions.add_option(Option(f"#{s.id} {s.updated[:10]} {s.paper_key[-24:]}  {title}", id=f"s{s.id}"))
        if not sessions.option_count:
            sessions.add_option(Option("(none yet)", id="none", disabled=True))
        prompts = self.query_one("#prompts", OptionList)
        if self.app.site is not None:
            for p in self.app.site.saved_prompts():
                prompts.add_option(Option(describe_saved_prompt(p), id=f"p:{p}"))
        if not prompts.option_count:
            prompts.add_option(Option("(none)", id="none", disabled=True))
        self.query_one(Input).focus()

    @on(Input.Submitted, "#source-input")
    def _open(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.app.open_source(event.value.strip())

    @on(OptionList.OptionSelected, "#sessions")
    def _resume(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id.startswith("s"):
            self.app.resume(int(event.option.id[1:]))

    @on(OptionList.OptionSelected, "#prompts")
    def _open_prompt(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id.startswith("p:"):
            self.app.open_source(str(Path(event.option.id[2:])))


class LoadingScreen(Screen):
    """Shown while a paper loads (an arXiv download can take a few seconds)."""

    def __init__(self, what: str):
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        from textual.widgets import LoadingIndicator

        with Vertical(id="loading"):
            yield Static(f"Opening {self.what} …", id="loading-text")
            yield LoadingIndicator()
