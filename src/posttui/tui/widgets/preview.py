"""The rendered preview: the post drawn by Rich's Markdown renderer once per text and width, off the UI loop.

Textual's Markdown widget builds a widget per block: a 20 KB post with tables takes over a second to lay out.
Here the whole post is rendered to lines in a worker thread (about 50 ms for 20 KB) and the view only copies the
visible lines when it paints, so scrolling and typing stay instant however long the post is.

While a draft streams, :meth:`PreviewView.stream` renders it block by block (blocks split at blank lines outside
code fences): finished blocks come from a cache, only the changed tail is rendered, in a thread, at most one render
at a time with the newest text winning. When the stream settles, :meth:`show` renders the whole post exactly.
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

from ..direct_keys import DirectKeys
from .framestyle import FrameStyle


def render_markdown(text: str, width: int, *, yielding: bool = False) -> list[list[Segment]]:
    """The post as lines of segments at ``width`` cells (a private console: safe in a thread). ``yielding`` (in a
    worker thread): the render lets the UI loop have the GIL as it goes, as :class:`_Yielding` says."""
    console = Console(width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      legacy_windows=False)
    renderable = Markdown(text, hyperlinks=True)
    if not yielding:
        return console.render_lines(renderable, console.options.update_width(width), pad=True)
    from ..background import in_pieces, wait_for_quiet

    with in_pieces():
        wait_for_quiet(QUIET, 0.25)
        return console.render_lines(_Yielding(renderable), console.options.update_width(width), pad=True)


QUIET = 0.03
"""Seconds the UI loop keeps up before a whole post's rendering starts. When a stream ends, the app redraws the
draft, the problems and the status in steps of 30-45 ms over about 150 ms; a rendering beside them took the GIL
for half of each step's first milliseconds, and a key pressed then waited 70-90 ms (bench/tui.py)."""


class _Yielding:
    """A renderable that renders another, every few dozen segments stepping aside while the UI loop is behind.

    A whole post's rendering (50 ms of Python for 20 KB) shares the GIL with the UI loop, which then ran each step at
    half speed: the frame that ends a stream took 80-90 ms of wall time for 40 ms of work (bench/tui.py, with a
    busy-loop process beside it). The segments are those of the renderable itself, unchanged."""

    EVERY = 64

    def __init__(self, renderable):
        self.renderable = renderable

    def __rich_console__(self, console, options):
        from ..background import yield_to_ui

        for n, segment in enumerate(console.render(self.renderable, options), 1):
            if not n % self.EVERY:
                yield_to_ui()
            yield segment


def markdown_blocks(text: str) -> list[str]:
    """``text`` cut at blank lines outside code fences (each piece renders on its own)."""
    blocks, current, fence = [], [], None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = marker if fence is None else (None if marker == fence else fence)
        if not line.strip() and fence is None:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


class PreviewView(DirectKeys, FrameStyle, ScrollView, can_focus=True):
    """A scrollable, read-only rendering of Markdown."""

    DEFAULT_CSS = """
    PreviewView { scrollbar-gutter: stable; padding: 0 1; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.text = ""
        self._lines: list[Strip] = []
        self._rendered: tuple[str, int] | None = None
        self._blocks: dict[tuple[str, int], list[Strip]] = {}
        """Rendered blocks of the streaming draft, by (block text, width); replaced whole by the render thread."""
        self._streamed: str | None = None
        self._streaming = False
        self._transform = None

    def stream(self, text: str, transform=None) -> None:
        """Show a draft that is still streaming: only blocks not rendered before are rendered (in a thread).
        ``transform`` (e.g. the reader's view of the post) runs in that thread too."""
        self._streamed, self._transform = text, transform
        if not self._streaming:
            self._streaming = True
            self.run_worker(self._stream_render(), group="preview-stream", exit_on_error=False)

    async def _stream_render(self) -> None:
        try:
            done = None
            while self._streamed is not None and self._streamed != done:
                raw, width, transform = self._streamed, self.scrollable_content_region.width, self._transform
                if width <= 0:
                    return

                def render(raw=raw, width=width, transform=transform):
                    # In the thread: the new blocks' strips, and the whole list (the UI step only swaps it in);
                    # each block waits while the UI loop is behind (the stream's frames come first).
                    from ..background import in_pieces, yield_to_ui

                    text = transform(raw) if transform is not None else raw
                    blocks = markdown_blocks(text)
                    cache, known = self._blocks, {}  # only the current blocks are kept
                    with in_pieces():
                        for b in dict.fromkeys(blocks):
                            strips = cache.get((b, width))
                            if strips is None:
                                yield_to_ui()
                                strips = [Strip(line, width) for line in render_markdown(b, width)]
                            known[(b, width)] = strips
                    lines: list[Strip] = []
                    for i, block in enumerate(blocks):
                        if i:
                            lines.append(Strip.blank(width))
                        lines.extend(known[(block, width)])
                    return text, lines, known

                text, lines, known = await asyncio.to_thread(render)
                done = raw
                if self._streamed is None:
                    return  # the stream settled meanwhile: the full rendering follows
                self._blocks = known
                self.text, self._lines, self._rendered = text, lines, (text, width)
                self.virtual_size = Size(width, len(lines))
                self.refresh()
                await asyncio.sleep(0.25)  # at most four renders a second while the draft streams
        finally:
            self._streaming = False

    def end_stream(self) -> None:
        """The stream settled: drop the block cache (:meth:`show` renders the whole post next)."""
        self._streamed, self._streaming = None, False
        self._blocks.clear()

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
        lines = await asyncio.to_thread(render_markdown, text, width, yielding=True) if text else []
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
            return Strip.blank(width, self.line_style)
        return self._lines[index].crop(scroll_x, scroll_x + width).apply_style(self.line_style)

    @property
    def plain_lines(self) -> list[str]:
        """The rendered lines as plain text (for tests and copying)."""
        return [strip.text for strip in self._lines]
