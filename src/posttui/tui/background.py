"""Heavy paper work off the UI loop without starving it: one thread at a time, in pieces that let the loop run.

A thread computing in Python shares the GIL with the UI loop: with three of them (the LaTeX analysis, the checker,
the prompt's token count) a 15 ms frame of a 10 MB paper took 80-130 ms of wall time (bench/tui.py,
POSTTUI_BENCH_STALLS=2). So the app's heavy paper work runs under :func:`paper_work` (one such thread at a time),
and the work the app itself splits up (line indexes, token counts) calls :func:`yield_to_ui` between pieces:
it sleeps, GIL released, while the UI loop is behind with its steps.
"""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager

_LANE = threading.Lock()

CHUNK = 256 * 1024
"""Characters per piece of split-up work: about a millisecond of C work (a split, a regex pass) per piece."""

_BEAT = 0.002
_LATE = 0.006
"""The UI loop is behind when its heartbeat (every 2 ms while pieces are worked on) is 6 ms old. Until a thread
notices, it shares the GIL with the UI step that made the loop late: with 4 and 12 ms, the steps that end a stream
(30-45 ms of work each) took 10-20 ms longer beside the preview's rendering (bench/tui.py)."""


class _Heartbeat:
    """A plain asyncio callback, outside Textual's message queues (it never keeps the app from being idle), that
    stamps the time every few milliseconds while some thread works in pieces."""

    def __init__(self):
        self.loop: asyncio.AbstractEventLoop | None = None
        self.last = time.monotonic()
        self.users = 0
        self.lock = threading.Lock()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def _beat(self) -> None:
        self.last = time.monotonic()
        if self.users > 0 and self.loop is not None:
            self.loop.call_later(_BEAT, self._beat)

    def start(self) -> None:
        with self.lock:
            self.users += 1
            first = self.users == 1
        self.last = time.monotonic()
        if first and self.loop is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self._beat)
            except RuntimeError:  # the loop closed meanwhile: nothing to yield to
                pass

    def stop(self) -> None:
        with self.lock:
            self.users -= 1

    def behind(self) -> bool:
        return (self.users > 0 and self.loop is not None and self.loop.is_running()
                and time.monotonic() - self.last > _LATE)


HEARTBEAT = _Heartbeat()


def attach(loop: asyncio.AbstractEventLoop) -> None:
    """Name the UI loop (the app does this when it starts)."""
    HEARTBEAT.attach(loop)


@contextmanager
def in_pieces():
    """Around work in a thread that calls :func:`yield_to_ui` between its pieces (the heartbeat runs meanwhile)."""
    HEARTBEAT.start()
    try:
        yield
    finally:
        HEARTBEAT.stop()


BIG_PAPER = 1_000_000
"""Characters of TeX from which a paper's work waits for the UI loop to settle first (a smaller paper's analysis
takes tens of milliseconds: it may as well run at once)."""


@contextmanager
def paper_work(paper=None, settle: float = 0.15, limit: float = 1.5):
    """Hold the paper-work lane (in a worker thread): heavy paper work runs one thread at a time; for a big
    ``paper`` it starts once the UI loop has kept up for ``settle`` seconds (at most ``limit`` seconds later): a
    LaTeX analysis cannot stop for the loop once it runs, so it should not start in the middle of the screen's
    first layouts (with 50 ms it still met the hidden tabs' mounting, 0.1 s after the first frame)."""
    if paper is None or sum(len(f.text) for f in getattr(paper, "tex_files", ())) < BIG_PAPER:
        settle = 0.0
    with _LANE, in_pieces():
        wait_for_quiet(settle, limit)
        yield


def wait_for_quiet(settle: float, limit: float) -> None:
    """In a worker thread working in pieces: return once the UI loop has kept up for ``settle`` seconds, or
    ``limit`` seconds from now."""
    start = quiet_since = time.monotonic()
    while True:
        now = time.monotonic()
        if HEARTBEAT.behind():
            quiet_since = now
        if now - quiet_since >= settle or now - start >= limit:
            return
        time.sleep(0.005)


def yield_to_ui(limit: float = 0.25) -> None:
    """Between two pieces of work in a thread: let the GIL go, and wait (at most ``limit`` seconds) while the UI
    loop is behind."""
    end = time.monotonic() + limit
    time.sleep(0)
    while HEARTBEAT.behind() and time.monotonic() < end:
        time.sleep(0.002)


def pieces(text: str, size: int = CHUNK):
    """``text`` cut just after newlines into pieces of about ``size`` characters (the last may have no newline):
    per-line work on the pieces adds up to the work on the whole."""
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos + size) if pos + size < n else -1
        if end < 0:
            yield text[pos:]
            return
        yield text[pos : end + 1]
        pos = end + 1


def split_lines(text: str) -> tuple[list[str], int]:
    """``text.split("\\n")`` and the longest line's length, in pieces that yield to the UI loop (one split of
    10 MB holds the GIL for 20-50 ms)."""
    lines: list[str] = []
    width = 0
    pos, n = 0, len(text)
    while True:
        end = text.find("\n", pos + CHUNK) if pos + CHUNK < n else -1
        part = (text[pos:] if end < 0 else text[pos:end]).split("\n")
        width = max(width, max(map(len, part)))
        lines.extend(part)
        if end < 0:
            return lines, width
        pos = end + 1
        yield_to_ui()


def estimate_tokens_in_pieces(text: str) -> int:
    """:func:`posttui.prompt.estimate_tokens` of ``text`` (a second per 10 MB of Python), piece by piece: cut
    after newlines, no piece of its count spans a cut, so the sum is the same number."""
    from ..prompt import estimate_tokens

    total = 0
    for piece in pieces(text, CHUNK // 4):
        total += estimate_tokens(piece)
        yield_to_ui()
    return total
