"""The app's split-up background work (posttui.tui.background) gives the same results as the one-piece calls."""

from __future__ import annotations

import pytest

from posttui.prompt import estimate_tokens
from posttui.tui import background
from posttui.tui.background import estimate_tokens_in_pieces, pieces, split_lines

HOSTILE = [
    "",
    "\n",
    "\n\n\n",
    "no newline at all",
    "ends with a newline\n",
    "crlf\r\nlines\r\n\r\n",
    "  \n  \t\n   spaces around newlines  \n",
    "é ü 中文 ١٢٣ 123abc٤ ½ \x1c\x1d sep",
    "x" * 5000 + "\n" + "y" * 3,
    "\\section{A}\n%comment 12345\n$x^2$ and 3.14159 \\cite{k}\n" * 300,
]


@pytest.fixture(params=[7, 64, 1000])
def small_chunks(request, monkeypatch):
    """Pieces of a few characters, so every input is cut many times (in the app they are 256 KB)."""
    monkeypatch.setattr(background, "CHUNK", request.param)
    return request.param


@pytest.mark.parametrize("text", HOSTILE)
def test_split_lines_is_one_split(text, small_chunks):
    lines, width = split_lines(text)
    assert lines == text.split("\n")
    assert width == max(map(len, text.split("\n")))


@pytest.mark.parametrize("text", HOSTILE)
def test_pieces_join_to_the_text_and_end_after_newlines(text, small_chunks):
    parts = list(pieces(text, small_chunks))
    assert "".join(parts) == text
    assert all(p.endswith("\n") for p in parts[:-1])


@pytest.mark.parametrize("text", HOSTILE)
def test_token_estimate_in_pieces_is_the_same_number(text, small_chunks):
    assert estimate_tokens_in_pieces(text) == estimate_tokens(text)


def test_token_estimate_in_pieces_on_the_example_prompt(small_chunks):
    from pathlib import Path

    import posttui

    prompt = posttui.load(Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper").prompt("site")
    assert estimate_tokens_in_pieces(prompt) == estimate_tokens(prompt)


def test_no_waiting_without_work_in_pieces():
    """The heartbeat only counts while some thread works in pieces: otherwise a stale stamp never holds anyone."""
    heartbeat = background._Heartbeat()
    heartbeat.last = 0.0
    assert not heartbeat.behind()


def test_paper_work_runs_one_thread_at_a_time():
    """The lane: heavy paper work in several threads never overlaps (each extra thread takes GIL from the UI)."""
    import threading

    inside: list[int] = []
    overlaps: list[bool] = []
    guard = threading.Lock()

    def work():
        with background.paper_work():
            with guard:
                inside.append(1)
                overlaps.append(len(inside) > 1)
            threading.Event().wait(0.02)
            with guard:
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert overlaps == [False] * 4
