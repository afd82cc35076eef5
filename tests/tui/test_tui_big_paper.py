"""A big paper in the app (issue 14): the panes fill from threads that take turns, and the LaTeX analysis runs once
however many panes ask for it at once. (How long the UI loop waits is bench/tui.py's business, not a test's.)"""

from __future__ import annotations

import dataclasses
import threading

from conftest import main_screen, wait_for
from textual.widgets import DataTable, Static

import posttui.latex
from posttui.llm.offline import OfflineBackend
from posttui.paper import TexFile
from posttui.prompt import estimate_tokens
from posttui.tui.app import PosttuiApp
from posttui.tui.widgets.lineview import BIG, LineView
from posttui.tui.widgets.prompt import PromptPane
from posttui.tui.widgets.source import LatexView

SIZE = (120, 40)


def big_paper(example_paper, size: int = 2 * BIG):
    """The example paper with its TeX repeated to ``size`` characters (above the thread-indexing threshold)."""
    tex = example_paper.site_tex
    return dataclasses.replace(example_paper, tex_files=[TexFile("main.tex", (tex * (size // len(tex) + 1))[:size])])


async def test_a_big_paper_opens_with_its_panes_filled_and_is_analysed_once(example_paper, store, monkeypatch):
    calls: list[int] = []
    running: list[int] = []
    overlapped: list[bool] = []
    real = posttui.latex.analyse_paper
    lock = threading.Lock()

    def analyse(paper, **options):  # called through; records whether two analyses ever ran at the same time
        with lock:
            calls.append(1)
            running.append(1)
            overlapped.append(len(running) > 1)
        try:
            return real(paper, **options)
        finally:
            with lock:
                running.pop()

    monkeypatch.setattr(posttui.latex, "analyse_paper", analyse)
    paper = big_paper(example_paper)
    # The lean prompt and the References tab's citation counts both need the analysis, and ask for it at once.
    app = PosttuiApp(paper=paper, store=store, backend_factory=lambda p: OfflineBackend(p), offer_resume=False,
                     lean=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query(LatexView), what="the main screen")
        screen = main_screen(app)
        source = screen.query_one(LatexView)
        await wait_for(pilot, lambda: source.text == paper.site_tex, what="the Source pane's lines")
        assert source.document.line_count == paper.site_tex.count("\n") + 1
        await wait_for(pilot, lambda: screen.review.checker_ready, what="the checker")

        screen.query_one("#left").active = "tab-prompt"
        await wait_for(pilot, lambda: screen.query(PromptPane), what="the Prompt tab")
        pane = screen.query_one(PromptPane)
        prompt = screen.review.prompt("lean")
        info = pane.query_one("#prompt-info", Static)
        tokens = f"~{estimate_tokens(prompt):,} tokens"
        await wait_for(pilot, lambda: tokens in str(info.render()), what="the token estimate")
        assert pane.text == prompt and "lean prompt" in str(info.render())
        if len(prompt) > BIG:
            assert pane.query_one("#prompt-lines", LineView).display

        screen.query_one("#left").active = "tab-references"
        await wait_for(pilot, lambda: screen.query("#references"), what="the References tab")
        table = screen.query_one("#references", DataTable)
        await wait_for(pilot, lambda: table.row_count == len(paper.references), what="the references")
        counts = paper.document.citation_counts
        assert any(counts.values())
        cited = {str(table.get_row_at(i)[1]): int(str(table.get_row_at(i)[3])) for i in range(table.row_count)}
        assert cited == {r.key: counts.get(r.key, 0) for r in paper.references}
    assert len(calls) == 1, "the LaTeX analysis ran more than once"
    assert overlapped == [False]
