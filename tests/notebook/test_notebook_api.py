"""The notebook API (posttui.open): the review loop of the workflow with notebook reprs and the app's gate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notebook_helpers import EXAMPLE, with_citation

import posttui
from posttui.errors import PosttuiError
from posttui.notebook import NotebookSession
from posttui.notebook.render import draft_html
from posttui.workflow import ApprovalError


@pytest.fixture
async def session(site, store):
    s = posttui.open(EXAMPLE, site=site, backend="offline", store=store)
    yield s
    await s.aclose()


def posts(site):
    return sorted(p.name for p in (site / "_posts").iterdir())


async def test_generate_offline_streams_a_clean_draft(session):
    assert "No draft yet" in session._repr_html_()
    await session.generate()
    assert session.text.startswith("---") and "Key results" in session.text
    assert session.review.state == "done"
    assert list(session.problems) == [] and "No problems" in session.problems._repr_html_()
    assert session.draft._repr_markdown_() == session.text
    assert session.session_id is not None


async def test_problems_render_with_the_spans_highlighted(session):
    await session.generate()
    session.edit(with_citation(session.text))
    problems = session.problems
    assert [f.rule for f in problems] == ["PT020"] and problems.fixable == list(problems)
    html = problems._repr_html_()
    assert "PT020" in html and "\\citet{okonkwo2024}" in html
    draft = session.draft._repr_html_()
    start = problems[0].start
    # the offending span is wrapped in an error mark whose hover title carries the message
    marked = draft.split('<mark class="posttui-error"', 1)[1]
    assert marked.split(">", 1)[1].startswith(session.text[start:problems[0].end])
    assert "title=\"PT020 error, line" in draft and "| PT020 |" in problems._repr_markdown_()


async def test_fix_is_a_proposal_with_a_diff_accepted_or_rejected(session):
    await session.generate()
    clean = session.text
    session.edit(with_citation(clean))
    proposal = session.fix(0)
    assert proposal.text != session.text and "\\citet{okonkwo2024}" not in proposal.text
    html = proposal._repr_html_()
    assert "-" in html and "okonkwo2024" in html and "no error remains" in html
    proposal.reject()
    assert "\\citet" in session.text  # rejected: unchanged
    with pytest.raises(PosttuiError, match="already rejected"):
        proposal.accept()
    proposal = session.fix()
    proposal.accept()
    assert "\\citet" not in session.text and list(session.problems) == []
    assert session.fix() is None  # nothing left to fix
    assert session.undo() is not None and "\\citet" in session.text
    assert session.redo() is not None and "\\citet" not in session.text


async def test_a_proposal_for_an_older_draft_is_refused(session):
    await session.generate()
    session.edit(with_citation(session.text))
    proposal = session.fix(0)
    session.edit(session.text + "\nMore.\n")
    with pytest.raises(PosttuiError, match="changed since"):
        proposal.accept()


async def test_repair_and_regenerate_show_their_diff(session):
    await session.generate()
    session.edit(session.text.replace("## Key results", "## Key results\n\nA sentence of mine.", 1))
    regenerated = await session.regenerate("Key results")
    assert "Key results" in regenerated.title and "A sentence of mine." not in regenerated.text
    assert "A sentence of mine." in regenerated._repr_html_()
    regenerated.accept()
    assert "A sentence of mine." not in session.text
    session.edit(with_citation(session.text))
    repaired = await session.repair()
    assert "\\citet" not in repaired.text
    repaired.accept()
    assert list(session.problems) == []


async def test_approve_refuses_errors_unless_allowed(session, site):
    await session.generate()
    session.edit(with_citation(session.text))
    with pytest.raises(ApprovalError, match="error-level") as refused:
        await session.approve()
    assert "allow_errors=True" in str(refused.value)
    assert posts(site) == []
    with pytest.raises(ApprovalError):  # overwrite never lets errors through
        await session.approve(overwrite=True)
    assert posts(site) == []
    report = await session.approve(allow_errors=True)
    assert posts(site) == [session.review.paper.post_name + ".md"] and report.written


async def test_replacing_needs_overwrite_after_the_diff_was_shown(session, site, monkeypatch):
    shown = []
    monkeypatch.setattr("posttui.notebook.session.show", shown.append)
    await session.generate()
    await session.approve()
    post = site / "_posts" / (session.review.paper.post_name + ".md")
    first = post.read_text(encoding="utf-8")
    session.edit(session.text.replace("## Key results", "## Key results\n\nA new sentence.", 1))
    with pytest.raises(ApprovalError, match="overwrite=True"):
        await session.approve()  # shows the change
    assert "A new sentence." in shown[-1]._repr_html_() and post.read_text(encoding="utf-8") == first
    await session.approve(overwrite=True)
    assert "A new sentence." in post.read_text(encoding="utf-8")


async def test_overwrite_before_the_diff_was_seen_shows_it_first(session, site, monkeypatch):
    shown = []
    monkeypatch.setattr("posttui.notebook.session.show", shown.append)
    await session.generate()
    await session.approve()
    session.edit(session.text.replace("## Key results", "## Key results\n\nOne more line.", 1))
    with pytest.raises(ApprovalError, match="again to replace"):
        await session.approve(overwrite=True)
    assert "One more line." in shown[-1]._repr_html_()
    session.edit(session.text.replace("One more line.", "One more line. And another.", 1))  # its own look
    with pytest.raises(ApprovalError):
        await session.approve(overwrite=True)
    await session.approve(overwrite=True)
    post = site / "_posts" / (session.review.paper.post_name + ".md")
    assert "One more line. And another." in post.read_text(encoding="utf-8")


async def test_references_and_authors_render(session):
    await session.generate()
    refs = session.references._repr_html_()
    assert "okonkwo2024" in refs and "●" in refs
    assert "<table>" in session.authors._repr_html_()
    assert session.prompt(lean=True) != session.prompt(lean=False)


async def test_a_session_is_resumed_by_id(site, store):
    first = posttui.open(EXAMPLE, site=site, backend="offline", store=store)
    await first.generate()
    first.edit(first.text + "\nMine.\n")
    again = NotebookSession.open(session=first.session_id, site=site, backend="offline", store=store)
    assert again.text == first.text and again.review.resume_note
    assert again.review.origin == str(EXAMPLE.resolve())


def test_the_draft_html_escapes_and_marks_empty_spans():
    from posttui.rules.base import Finding, Severity

    text = "a <b>x</b> end"
    point = Finding("PT999", Severity.INFO, "here", 2, 2, 1, 3, 1, 3)
    span = Finding("PT998", Severity.WARNING, "tag & co", 2, 10, 1, 3, 1, 11)
    html = draft_html(text, [point, span])
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert html.count("<mark") == 2 and "tag &amp; co" in html and "⁁" in html


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80),
                                                st.sampled_from(["error", "warning", "info"])), max_size=6))
def test_the_highlighted_draft_shows_the_text_exactly_whatever_the_spans(text, spans):
    """Overlapping, nested, empty or out-of-range spans never lose, repeat or reorder a character."""
    import html as html_module
    import re

    from posttui.rules.base import Finding, Severity

    findings = [Finding("PT999", Severity(sev), "m", min(a, b), max(a, b), 1, 1, 1, 1) for a, b, sev in spans]
    rendered = draft_html(text, findings)
    visible = re.sub(r"<mark[^>]*>⁁</mark>", "", rendered)
    assert html_module.unescape(re.sub(r"<[^>]+>", "", visible)) == text
    inside = [f for f in findings if f.end <= len(text) and f.start < f.end and text[f.start:f.end]]
    assert bool(inside) <= ("<mark" in rendered)
