"""The editor widget's Python side, driven like a user in the browser: button clicks, typing, streaming, Stop,
and the approval gate's questions. No browser: ipywidgets keeps the state in the kernel, where these run."""

from __future__ import annotations

import asyncio

import pytest
from notebook_helpers import EXAMPLE, with_citation
from tui.scripted import ScriptedBackend

pytest.importorskip("ipywidgets")

import posttui  # noqa: E402
from posttui.llm.offline import OfflineWriter  # noqa: E402
from posttui.notebook import NotebookSession  # noqa: E402
from posttui.site import Site  # noqa: E402
from posttui.workflow import Review  # noqa: E402


@pytest.fixture
async def editor(site, store):
    e = posttui.editor(EXAMPLE, site=site, backend="offline", store=store)
    yield e
    await e.session.aclose()


def scripted_editor(site, store, chunks, delay=0.0):
    paper = posttui.load(EXAMPLE)
    review = Review(paper, site=Site(site), backend=ScriptedBackend(chunks, delay=delay), store=store)
    return NotebookSession(review).editor()


def button(editor, description):
    """A button anywhere in the widget tree, found by its label as the browser test finds it."""
    found = []

    def walk(widget):
        if getattr(widget, "description", None) == description and hasattr(widget, "on_click"):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(editor.widget)
    assert found, f"no {description!r} button"
    return found[0]


async def click(editor, description):
    """Click, and wait for the task the click started (if any)."""
    button(editor, description).click()
    task = editor.task
    await asyncio.sleep(0)
    return task


async def asked(editor) -> str:
    """Wait for the editor's question (a revision's diff, the approval gate) and return its text."""
    while not editor.decision.children:
        await asyncio.sleep(0.01)
    return editor.decision.children[0].value


async def settle(editor):
    if editor.task is not None:
        await asyncio.wait([editor.task], timeout=20)


async def test_generate_button_streams_into_the_text_area_and_the_view(editor):
    assert editor.buttons["approve"].disabled and not editor.buttons["generate"].disabled
    await click(editor, "Generate")
    assert editor.buttons["stop"].disabled is False and editor.buttons["generate"].disabled
    await settle(editor)
    text = editor.review.text
    assert text and editor.draft_input.value == text
    assert "Key results" in editor.draft_view.value and "No problems" in editor.problems.children[0].value
    assert "done" in editor.status.value and not editor.buttons["approve"].disabled
    assert [label for label, _ in editor.section_choice.options][:2] == ["(opening)", "Background"]


async def test_the_widget_follows_every_chunk_while_streaming(site, store):
    post = OfflineWriter(posttui.load(EXAMPLE)).post()
    chunks = [post[i:i + 40] for i in range(0, len(post), 40)]
    editor = scripted_editor(site, store, chunks, delay=0.005)
    seen = []
    editor.draft_input.observe(lambda change: seen.append(change["new"]), names="value")
    await click(editor, "Generate")
    await settle(editor)
    assert len(seen) >= len(chunks) - 1 and seen[-1] == post
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:]))  # it grew chunk by chunk
    assert editor.review.text == post


async def test_stop_cancels_mid_stream_and_keeps_what_arrived(site, store):
    chunks = ["---\nlayout: post\n"] + [f"word{i} " for i in range(400)]
    editor = scripted_editor(site, store, chunks, delay=0.01)
    task = await click(editor, "Generate")
    while len(editor.draft_input.value) < 100:
        await asyncio.sleep(0.01)
    assert editor.review.busy
    await click(editor, "Stop")
    await asyncio.wait([task], timeout=10)
    kept = editor.review.text
    assert 100 <= len(kept) < len("".join(chunks)) and editor.draft_input.value == kept
    assert editor.review.state == "stopped" and "stopped" in editor.status.value
    assert not editor.draft_input.disabled and editor.buttons["stop"].disabled
    assert editor.review.store.current(editor.review.session_id).text == kept  # kept as a version


async def test_typing_shows_the_problem_in_place_and_its_fix_button_fixes_it(editor):
    await click(editor, "Generate")
    await settle(editor)
    clean = editor.review.text
    editor.draft_input.value = with_citation(clean)  # what the browser sends when the text area loses focus
    assert 'class="posttui-error"' in editor.draft_view.value
    assert "PT020" in editor.draft_view.value and "1 problem" in editor.problems.children[0].value
    await click(editor, "Fix")
    assert "\\citet" not in editor.review.text and "posttui-error" not in editor.draft_view.value
    assert editor.draft_input.value == editor.review.text
    await click(editor, "Undo")
    assert "\\citet" in editor.draft_input.value
    await click(editor, "Redo")
    assert "\\citet" not in editor.draft_input.value
    editor.draft_input.value = with_citation(clean)
    await click(editor, "Fix all")
    assert "\\citet" not in editor.review.text and "1 fix applied" in editor.status.value


async def test_repair_shows_the_diff_and_accept_makes_it_the_draft(editor):
    await click(editor, "Generate")
    await settle(editor)
    editor.draft_input.value = with_citation(editor.review.text)
    await click(editor, "Repair")
    question = await asked(editor)
    assert "Repair of the open problems" in question and "okonkwo2024" in question
    await click(editor, "Accept")
    await settle(editor)
    assert "\\citet" not in editor.review.text and not editor.decision.children


async def test_regenerate_section_rejected_leaves_the_draft(editor):
    await click(editor, "Generate")
    await settle(editor)
    editor.draft_input.value = editor.review.text.replace("## Key results", "## Key results\n\nMine.", 1)
    before = editor.review.text
    editor.section_choice.value = dict(editor.section_choice.options)["Key results"]
    await click(editor, "Regenerate section")
    assert "Key results" in await asked(editor)
    await click(editor, "Reject")
    await settle(editor)
    assert editor.review.text == before and "rejected" in editor.status.value


async def test_approve_asks_about_errors_then_about_files_in_the_way(editor, site):
    posts = site / "_posts"
    await click(editor, "Generate")
    await settle(editor)
    editor.draft_input.value = with_citation(editor.review.text)
    await click(editor, "Approve")
    assert "1 error-level problem open" in await asked(editor)
    await click(editor, "Back to the draft")
    await settle(editor)
    assert list(posts.iterdir()) == [] and "not saved" in editor.status.value
    await click(editor, "Approve")
    await asked(editor)
    await click(editor, "Save anyway")
    await settle(editor)
    post = posts / f"{editor.review.paper.post_name}.md"
    assert "\\citet" in post.read_text(encoding="utf-8") and "saved" in editor.status.value
    await click(editor, "Fix all")
    await click(editor, "Approve")
    question = await asked(editor)
    assert "Already in the site" in question and "okonkwo2024" in question  # the post's diff
    await click(editor, "Keep the old files")
    await settle(editor)
    assert "\\citet" in post.read_text(encoding="utf-8")
    await click(editor, "Approve")
    await asked(editor)
    await click(editor, "Overwrite")
    await settle(editor)
    assert "\\citet" not in post.read_text(encoding="utf-8")


async def test_panes_fill_when_shown(editor):
    assert "\\documentclass" in editor.source.value or "\\begin" in editor.source.value
    editor.tabs.selected_index = 1
    assert "okonkwo2024" in editor.references.value
    editor.tabs.selected_index = 2
    assert "<table>" in editor.authors.value
    editor.tabs.selected_index = 3
    site_prompt = editor.prompt_text.value
    assert "tokens" in editor.prompt_info.value and site_prompt
    editor.lean.value = "lean"
    assert editor.prompt_text.value != site_prompt and editor.review.prompt_mode == "lean"


async def test_one_call_at_a_time(site, store):
    editor = scripted_editor(site, store, ["a"] * 50, delay=0.01)
    first = await click(editor, "Generate")
    assert editor.start(asyncio.sleep(0)) is None and "still running" in editor.status.value
    editor.stop()
    await asyncio.wait([first], timeout=10)
