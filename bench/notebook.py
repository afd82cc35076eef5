"""The notebook editor's kernel-side cost while a draft streams: ``python bench/notebook.py``.

A 2,000-chunk stream of the example's post is fed through the editor widget exactly as ``Review.generate`` feeds
it (one :class:`~posttui.workflow.Chunk` event per chunk: the text area's value follows every chunk, the
highlighted view is redrawn at most every 0.1 s). Every widget message is JSON-encoded as the kernel would encode
it before sending (a comm that serialises and counts the bytes; no browser, no zmq socket), so the cost measured is
the kernel's. Reported as ratios to one check of the final draft, measured in the same run (median of 7 runs):

* the whole stream's widget updates, and one update per chunk;
* for scale, the same stream with the highlighted view redrawn on every chunk (no throttle).

Never asserts timings. Needs ipywidgets (``pip install -e '.[jupyter]'``).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import comm
from comm.base_comm import BaseComm

import posttui
from posttui.llm.offline import OfflineWriter
from posttui.notebook import NotebookSession, widget
from posttui.rules.markdown import parse_segment, url_identifier
from posttui.workflow import Chunk, Review

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "synthetic-paper"
CHUNKS = 2_000
RUNS = 7


class EncodingComm(BaseComm):
    """A comm that does the kernel's share of sending: JSON-encode the message (and count its bytes)."""

    sent = 0

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        EncodingComm.sent += len(json.dumps({"msg_type": msg_type, "data": data, "metadata": metadata or {}},
                                            default=str))


def stream_cost(paper, text: str, chunks: list[str]) -> tuple[float, int]:
    """Seconds spent in the editor's handling of every chunk of one stream, and the bytes it sent."""
    editor = NotebookSession(Review(paper)).editor()
    editor.streamed = ""
    EncodingComm.sent = 0
    t0 = time.perf_counter()
    for piece in chunks:
        editor._event(Chunk(piece))
    elapsed = time.perf_counter() - t0
    assert editor.draft_input.value == text
    return elapsed, EncodingComm.sent


def main() -> None:
    comm.create_comm = EncodingComm
    paper = posttui.load(EXAMPLE)
    text = OfflineWriter(paper).post()
    chunks = [text[i * len(text) // CHUNKS:(i + 1) * len(text) // CHUNKS] for i in range(CHUNKS)]
    review = Review(paper)
    review.checker.check(text)  # build the checker and its context first: a running session has them
    checks = []
    for _ in range(RUNS):
        parse_segment.cache_clear()  # a full check: the parse too, as in bench/check.py
        url_identifier.cache_clear()
        t0 = time.perf_counter()
        review.checker.check(text)
        checks.append(time.perf_counter() - t0)
    check = statistics.median(checks)

    throttled = [stream_cost(paper, text, chunks) for _ in range(RUNS)]
    total = statistics.median(t for t, _ in throttled)
    sent = throttled[0][1]
    interval = widget.LIVE_INTERVAL
    widget.LIVE_INTERVAL = 0.0
    try:
        every = statistics.median(stream_cost(paper, text, chunks)[0] for _ in range(RUNS))
    finally:
        widget.LIVE_INTERVAL = interval

    n = len(chunks)
    print(f"final draft: {len(text):,} chars in {n:,} chunks")
    print(f"baseline, one check of the final draft: {check * 1e3:.2f} ms")
    print(f"widget updates for the whole stream: {total * 1e3:.1f} ms = {total / check:.2f}x one check "
          f"({sent / 1e6:.1f} MB of widget messages encoded)")
    print(f"one widget update per chunk: {total / n * 1e6:.1f} us = {total / n / check:.4f}x one check")
    print(f"for scale, the highlighted view redrawn on every chunk: {every * 1e3:.1f} ms = {every / check:.2f}x "
          f"one check")


if __name__ == "__main__":
    main()
