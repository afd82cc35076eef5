"""The preview's whole-post render steps aside for the UI loop as it goes, and renders exactly what Rich renders
(issue 14)."""

from __future__ import annotations

import pytest

from posttui.llm.offline import OfflineWriter
from posttui.tui import background
from posttui.tui.widgets import preview


def long_post(base: str, parts: int = 40) -> str:
    """``base`` and ``parts`` more sections of headings, paragraphs, lists, a table and code (about 20 KB)."""
    extra = [f"## Part {n}\n\nParagraph {n}: the annealing schedule raises the foreground likelihood to a power "
             f"that grows from zero to one, with [a link](https://example.org/{n}) and `code`.\n\n"
             f"- step {n}.1\n- step {n}.2 with **bold**\n\n| run | calls |\n|---|---|\n| {n}a | {1000 + n} |\n\n"
             f"```python\nx = {n}\n```\n" for n in range(parts)]
    return base + "\n" + "\n".join(extra)


@pytest.fixture(scope="module")
def posts(example_paper):
    post = OfflineWriter(example_paper).post()
    return [post, long_post(post), "", "x", "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n"]


@pytest.mark.parametrize("width", [1, 20, 44, 80, 157])
def test_the_yielding_render_is_rich_s_render(posts, width):
    for text in posts:
        assert preview.render_markdown(text, width, yielding=True) == preview.render_markdown(text, width)


def test_the_render_steps_aside_every_few_dozen_segments(posts, monkeypatch):
    calls = []
    monkeypatch.setattr(background, "yield_to_ui", lambda *a, **k: calls.append(1))
    lines = preview.render_markdown(posts[1], 80, yielding=True)
    segments = sum(len(line) for line in lines)
    assert segments > 4 * preview._Yielding.EVERY
    # Rich's own segments (before lines are cut and padded) are at least as many as the lines' less the padding
    assert len(calls) >= (segments - len(lines)) // preview._Yielding.EVERY - 1
    assert background.HEARTBEAT.users == 0  # the heartbeat it started is stopped again
    calls.clear()
    preview.render_markdown(posts[1], 80)
    assert calls == []  # (not in the UI thread's own renders)
