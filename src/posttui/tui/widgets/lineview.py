"""A read-only view of any amount of text that costs only what is on screen.

Textual's TextArea keeps a wrapped copy of every line and sums the whole document's height while it draws: a
10 MB TeX source took seconds per resize on the UI loop (issue 14, bench/tui.py). Here the text is split into lines
once (one C call, ~16 ms for 10 MB), the virtual size is the line count by the longest line, and each paint draws the
visible lines only, with line numbers and an optional per-line highlighter that runs the first time a line is shown.
Scrolling keys come from ScrollView (arrows, page up/down, home/end).
"""

from __future__ import annotations

from typing import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..direct_keys import DirectKeys
from .framestyle import FrameStyle

Highlighter = Callable[[str], "list[tuple[int, int | None, str]]"]
"""(start byte, end byte or None for the line end, style name) ranges of one line, as TextArea highlights."""


BIG = 1_000_000
"""Characters from which :meth:`LineView.load_text` indexes the lines in a thread, in pieces (a 10 MB split and
its longest line took 50 ms of UI loop)."""


class Lines:
    """The text as lines (the part of a TextArea document this view needs)."""

    def __init__(self, text: str, lines: list[str] | None = None):
        self.text = text
        self.lines = text.split("\n") if lines is None else lines

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def get_line(self, row: int) -> str:
        return self.lines[row]


class _LazyHighlights(dict):
    """Highlights computed for a line the first time it is drawn."""

    def __init__(self, view: "LineView"):
        super().__init__()
        self.view = view

    def __missing__(self, row: int):
        doc, highlighter = self.view.document, self.view.highlighter
        if highlighter is None or not 0 <= row < doc.line_count:
            return []
        value = self[row] = highlighter(doc.get_line(row).expandtabs(4))
        return value


def _char_ranges(line: str, ranges) -> list[tuple[int, int, str]]:
    """Byte-column ranges as character ranges."""
    if line.isascii():
        return [(s, len(line) if e is None else e, name) for s, e, name in ranges]
    data = line.encode("utf-8")
    return [(len(data[:s].decode("utf-8", "ignore")), len(line) if e is None else len(data[:e].decode("utf-8", "ignore")),
             name) for s, e, name in ranges]


class LineView(DirectKeys, FrameStyle, ScrollView, can_focus=True):
    """Read-only text with line numbers; ``styles`` maps highlight names to Rich styles."""

    DEFAULT_CSS = """
    LineView { height: 1fr; background: $surface; }
    """

    def __init__(self, text: str = "", *, highlighter: Highlighter | None = None,
                 styles: dict[str, Style] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.highlighter = highlighter
        self.styles_by_name = dict(styles or {})
        self._highlights = _LazyHighlights(self)
        self.document = Lines("")
        self._width = 0
        self._loading: object = None
        self.load_text(text)

    @property
    def text(self) -> str:
        return self.document.text

    def load_text(self, text: str) -> None:
        """Show ``text`` from its first line; a big text once its lines are indexed in a thread (meanwhile the view
        shows what it showed; :attr:`text` is what is shown)."""
        self._loading = object()
        if len(text) >= BIG and self.is_attached:
            token = self._loading

            def index() -> None:  # not a partial: Textual names the worker by its repr, which would copy the text
                self._index(text, token)

            self.run_worker(index, thread=True, group="lines", exit_on_error=False)
            return
        lines = text.split("\n")
        self._show(Lines(text, lines), max(map(len, lines), default=0), self._loading)

    def _index(self, text: str, token: object) -> None:
        from ..background import in_pieces, split_lines

        with in_pieces():
            lines, width = split_lines(text)
        if token is self._loading:
            self.app.call_from_thread(self._show, Lines(text, lines), width, token)

    def _show(self, document: Lines, width: int, token: object) -> None:
        if token is not self._loading:
            return  # a newer text was loaded meanwhile
        self.document = document
        self._highlights.clear()
        self._width = width
        self._update_size()
        self.scroll_to(0, 0, animate=False, immediate=True) if self.is_mounted else None
        self.refresh()

    @property
    def _gutter(self) -> int:
        return len(str(self.document.line_count)) + 2

    def _update_size(self) -> None:
        self.virtual_size = Size(self._width + self._gutter + 1, self.document.line_count)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.line_style
        doc = self.document
        if row >= doc.line_count:
            return Strip.blank(width, base)
        gutter = self._gutter
        number = Segment(f"{row + 1:>{gutter - 2}}  ", base + Style(color="#6c6c6c"))
        line = doc.get_line(row).expandtabs(4)
        text = Text(line, style=base, no_wrap=True, end="")
        for start, end, name in _char_ranges(line, self._highlights[row]):
            style = self.styles_by_name.get(name)
            if style is not None:
                text.stylize(style, start, end)
        content = Strip(list(text.render(self.app.console)), text.cell_len)
        content = content.crop(scroll_x, scroll_x + max(0, width - gutter)).extend_cell_length(
            max(0, width - gutter), base)
        return Strip.join([Strip([number], gutter), content]).crop(0, width)
