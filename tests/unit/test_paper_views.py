"""A paper's derived views (document, references, authors) are computed once per paper, however many threads ask
at once, and one paper's analysis never waits for another's (issue 14: the app's panes ask from several threads)."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

import posttui
import posttui.latex

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"


@pytest.fixture
def counted_analysis(monkeypatch):
    """posttui.latex.analyse_paper, called through, with every call recorded; ``gate`` holds each call until set."""
    calls: list[object] = []
    started = threading.Event()
    gate = threading.Event()
    real = posttui.latex.analyse_paper

    def analyse(paper, **options):
        calls.append(paper)
        started.set()
        assert gate.wait(10), "the analysis was held for 10 s"
        return real(paper, **options)

    monkeypatch.setattr(posttui.latex, "analyse_paper", analyse)
    return calls, started, gate


def test_threads_asking_at_once_analyse_the_paper_once(counted_analysis):
    calls, started, gate = counted_analysis
    paper = posttui.load(EXAMPLE)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(paper.document)) for _ in range(4)]
    for t in threads:
        t.start()
    assert started.wait(10)
    gate.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1
    assert len(results) == 4 and all(r is results[0] for r in results) and results[0] is not None
    assert paper.__dict__["document"] is results[0]  # stored where sources/local.py drops it to re-analyse


def test_two_papers_are_analysed_side_by_side(counted_analysis):
    """A lock per paper: the second paper's analysis starts while the first one's is still running."""
    calls, started, gate = counted_analysis
    first = posttui.load(EXAMPLE)
    second = dataclasses.replace(first)
    t1 = threading.Thread(target=lambda: first.document)
    t1.start()
    assert started.wait(10)
    t2 = threading.Thread(target=lambda: second.document)
    t2.start()
    for _ in range(200):
        if len(calls) == 2:
            break
        threading.Event().wait(0.01)
    both_running = len(calls) == 2
    gate.set()
    t1.join(10)
    t2.join(10)
    assert both_running, "the second paper waited for the first one's analysis"
    assert first.document is not second.document


def test_a_failed_view_is_computed_again(monkeypatch):
    paper = posttui.load(EXAMPLE)
    real = posttui.latex.analyse_paper
    attempts: list[int] = []

    def flaky(p, **options):
        attempts.append(1)
        if len(attempts) == 1:
            raise posttui.latex.LatexError("broken once")
        return real(p, **options)

    monkeypatch.setattr(posttui.latex, "analyse_paper", flaky)
    with pytest.raises(posttui.latex.LatexError):
        paper.document  # noqa: B018
    assert paper.document is not None and len(attempts) == 2
