"""The rendered preview: the post drawn by Rich's Markdown renderer once per text and width, off the UI loop.

Textual's Markdown widget builds a widget per block: a 20 KB post with tables takes over a second to lay out.
Here the whole post is rendered to lines in a worker thread (about 50 ms for 20 KB) and the view only copies the
visible lines when it paints, so scrolling and typing stay instant however long the post is.
"""

from __future__ import annotations

import asyncio
import io

from rich.console import Console
from rich.markdown import Markdown
from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


def render_markdown(text: str, width: int) -> list[list[Segment]]:
    """The post as lines of segments at ``width`` cells (a private console: safe in a thread)."""
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      legacy_windows=False)
    return console.render_lines(Markdown(text, hyperlinks=True), console.options.update_width(width), pad=True)


class PreviewView(ScrollView, can_focus=True):
    """A scrollable, read-only rendering of Markdown."""

    DEFAULT_CSS = """
    PreviewView { scrollbar-gutter: stable; padding: 0 1; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.text = ""
        self._lines: list[Strip] = []
        self._rendered: tuple[str, int] | None = None

    async def show(self, text: str) -> None:
        """Render ``text`` (in a thread) and show it; returns when the lines are in place."""
        self.text = text
        await self._render_now()

    async def _render_now(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        key = (self.text, width)
        if key == self._rendered:
            return
        text = self.text
        lines = await asyncio.to_thread(render_markdown, text, width) if text else []
        if (self.text, self.scrollable_content_region.width) != key:
            return  # a newer text or width arrived meanwhile; its own render follows
        self._lines = [Strip(line, width) for line in lines]
        self._rendered = key
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def on_resize(self) -> None:
        if self.text:
            self.run_worker(self._render_now(), group="preview-resize", exclusive=True, exit_on_error=False)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._lines[index].crop(scroll_x, scroll_x + width).apply_style(self.rich_style)

    @property
    def plain_lines(self) -> list[str]:
        """The rendered lines as plain text (for tests and copying)."""
        return [strip.text for strip in self._lines]
