"""The header line: paper, backend and model, what runs (generating, repairing, regenerating "Key results",
writing the image prompt, saving — with elapsed time) or how the last step ended, tokens and cost so far."""

from __future__ import annotations

import time

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ...workflow.review import RUNNING

STATE_STYLE = {
    "idle": "bold #9e9e9e",
    "loading": "bold #87afff",
    "done": "bold #5fafff",
    "stopped": "bold #ffd75f",
    "failed": "bold #ff5f5f",
    "blocked": "bold #ff5f5f",
    "saved": "bold #5fd75f",
}


class StatusHeader(Widget):
    """One line at the top of the main screen."""

    DEFAULT_CSS = """
    StatusHeader { dock: top; height: 1; background: $panel; color: $foreground; }
    """

    paper = reactive("")
    backend = reactive("")
    state = reactive("idle")
    detail = reactive("")
    tokens = reactive(0)
    live_tokens = reactive(0)
    """An estimate of the output tokens of the stream that is running (replaced by the real usage at the end)."""
    cost = reactive(0.0)
    cost_known = reactive(True)
    """False once a call had no known price: the header then says "cost unknown", never a wrong $0."""
    problems = reactive("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started: float | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.state in RUNNING:
            self.refresh()

    def show_paper(self, paper) -> None:
        """The paper's id and title, its LaTeX rendered as text (``$H_0$`` reads ``H_0``, ``\\&`` reads ``&``)."""
        from ...latex_text import latex_to_text

        title = " ".join(latex_to_text(paper.title).split()) if paper.title else ""
        self.paper = f"{paper.arxiv_id or paper.post_name} · {title or paper.origin}"

    def set_state(self, state: str, detail: str = "") -> None:
        if state in RUNNING and state != self.state:
            self.started = time.monotonic()
        self.state = state
        self.detail = detail

    def render(self) -> Text:
        width = self.size.width or 120
        state = self.state
        label = state
        if state in RUNNING:
            what = f'{state} "{self.detail}"' if self.detail else state
            label = f"{what} {max(0.0, time.monotonic() - (self.started or time.monotonic())):.0f}s"
        elif self.detail:
            label = f"{state}: {self.detail}"
        narrow = width < 100
        counts = f"│ {self.problems} " if self.problems else ""
        if len(label) + len(counts) + 4 > width:  # the problem counts stay; a long state gives way
            label = label[: max(1, width - len(counts) - 5)] + "…"
        right = Text()
        right.append(f" ● {label} ", style=STATE_STYLE.get(state, "bold #5fd75f" if state in RUNNING else "bold"))
        right.append(counts)  # kept at every width (issue 13.8): the rest gives way first
        cost = f"${self.cost:.3f}" if self.cost_known else "cost unknown"
        usage = (f"│ {self.tokens:,}+~{self.live_tokens:,} tok {cost} " if self.live_tokens
                 else f"│ {self.tokens:,} tok {cost} ")
        if right.cell_len + len(usage) + 9 <= width:
            right.append(usage)
        left = Text()
        if right.cell_len + 9 <= width:
            left.append(" posttui ", style="bold reverse")
        backend = self.backend
        if narrow:
            backend = backend.replace("offline writer (no API key)", "offline, no key")
        if left.cell_len + right.cell_len + len(backend) + 2 <= width:
            left.append(f" {backend} ", style="italic #d7af5f")
        room = width - left.cell_len - right.cell_len - 1
        paper = self.paper
        if room < len(paper):
            paper = paper[: max(0, room - 1)] + "…" if room > 1 else ""
        left.append(" " + paper)
        pad = max(0, width - left.cell_len - right.cell_len)
        return left + Text(" " * pad) + right
