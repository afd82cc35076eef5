"""The app as a daily tool (issue 13, items 13-19): references explained, titles as text, an obvious focus,
syntax highlighting, a live preview and honest saved posts."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import main_screen, wait_for, wait_idle
from textual.widgets import DataTable, Static

import posttui
from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp
from conftest import EXAMPLE

SIZE = (120, 40)


def make_app(paper, store, *, site=None, backend=None, **kw) -> PosttuiApp:
    backend = backend or OfflineBackend(paper)
    return PosttuiApp(paper=paper, store=store, site=site, backend_factory=lambda p: backend, **kw)


def fresh_paper(**changes):
    """The example paper read afresh (its lazily built references may be changed by a test)."""
    paper = posttui.load(EXAMPLE)
    return dataclasses.replace(paper, **changes) if changes else paper


async def show_references(pilot):
    screen = main_screen(pilot.app)
    screen.query_one("#left").active = "tab-references"
    await wait_for(pilot, lambda: screen.query("#references-note"), what="the References tab")
    await pilot.pause()
    return screen


# ----- 13: the References tab -------------------------------------------------------------------------------------
async def test_empty_bibliography_is_explained_with_pt030(store):
    paper = fresh_paper(bbl="", bib="")
    assert len(paper.references) == 0
    app = make_app(paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = await show_references(pilot)
        note = screen.query_one("#references-note", Static)
        text = str(note.render())
        assert note.display and "no bibliography" in text and "PT030" in text and "3 reference links" in text
        assert not screen.query_one("#references", DataTable).display  # no empty table


async def test_reference_rows_show_the_identifier_origin_and_why_unresolved(store):
    paper = fresh_paper()
    refs = paper.references
    found = next(r for r in refs if not r.doi and not r.arxiv) if any(not r.doi and not r.arxiv for r in refs) \
        else refs[-1]
    found.doi, found.doi_origin = "10.1000/xyz123", "Crossref"
    missing = next(r for r in refs if r is not found)
    missing.doi = missing.arxiv = ""
    missing.unresolved = "Semantic Scholar: no match; Crossref: no confident match"
    app = make_app(paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = await show_references(pilot)
        table = screen.query_one("#references", DataTable)
        assert not screen.query_one("#references-note").display  # a bibliography from the source: no note
        origins = {table.get_row_at(i)[1]: str(table.get_row_at(i)[5]) for i in range(table.row_count)}
        assert origins[found.key] == "Crossref"
        assert origins[missing.key] == "unresolved"
        rows = [r.key for r in table.rows_shown]
        assert "from Crossref" in table.describe(rows.index(found.key))
        assert "Crossref: no confident match" in table.describe(rows.index(missing.key))


# ----- 14: the header -----------------------------------------------------------------------------------------------
async def test_header_renders_latex_in_the_title_as_text(store):
    paper = fresh_paper()
    paper = fresh_paper(metadata={**paper.metadata, "title": r"Measuring $\Lambda$CDM \& the $H_0$ tension"})
    app = make_app(paper, store)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_idle(pilot)
        header = main_screen(app).status.render().plain
        assert "ΛCDM & the H_0 tension" in header
        assert "$\\Lambda" not in header and "$H_0$" not in header and "\\&" not in header


# ----- 15: focus ----------------------------------------------------------------------------------------------------
async def test_the_focused_pane_is_obvious(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        panes = {name: screen.query_one(name) for name in ("#left", "#draft", "#problems-pane")}

        def borders():
            return {name: pane.styles.border_top[0] for name, pane in panes.items()}

        assert screen.focused is screen.editor
        assert borders() == {"#left": "round", "#draft": "heavy", "#problems-pane": "round"}
        screen.problems.focus()
        await pilot.pause()
        assert borders() == {"#left": "round", "#draft": "round", "#problems-pane": "heavy"}
        assert screen.query_one("#problems-pane").styles.border_title_style.bold


# ----- 18: no false claims in the saved post ------------------------------------------------------------------------
async def test_approve_without_an_image_saves_no_image_claim(example_paper, store, site):
    from fake_gemini import FakeGemini

    from posttui.claims import claims_image, without_image
    from posttui.config import Config
    from posttui.llm.gemini import GeminiBackend
    from posttui.llm.offline import OfflineWriter

    with FakeGemini(chunk_size=400, script=["success", "success"]) as fake:
        config = Config(gemini_base_url=fake.base_url, image_generation=False)
        post = OfflineWriter(example_paper, config=config, model="gemini-2.5-pro").post()
        assert claims_image(post)  # Gemini writes the template's image lines
        fake.text = post
        backend = GeminiBackend(config, key="test-key", attempts=1, model="gemini-2.5-pro")
        app = PosttuiApp(paper=example_paper, store=store, site=site, config=config, offer_resume=False,
                         backend_factory=lambda p: backend)
        async with app.run_test(size=SIZE) as pilot:
            await wait_idle(pilot)
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: not main_screen(app).busy, what="generation")
            await wait_idle(pilot)
            screen = main_screen(app)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.status.state in ("saved", "failed", "blocked"), what="save")
            assert screen.status.state == "saved", [n.message for n in app._notifications]
            saved = (site / "_posts" / f"{example_paper.post_name}.md").read_text(encoding="utf-8")
            assert saved == without_image(post) and not claims_image(saved)
            assert "Content generated by [gemini-2.5-pro]" in saved
            assert any("saved without the image line" in n.message for n in app._notifications)
            await wait_for(pilot, lambda: screen.editor.text == saved, what="the settled draft in the editor")
            assert not screen.review.unsaved and not screen.unsaved
            await wait_idle(pilot)
            assert not [f for f in screen.review.findings if f.rule in ("PT003", "PT005")]


# ----- 16: syntax highlighting ----------------------------------------------------------------------------------------
async def test_draft_is_highlighted_as_markdown_with_lint_on_top(example_paper, store):
    from posttui.tui.widgets.draft import Mark

    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        editor = main_screen(app).editor
        assert editor.language == "markdown"
        editor.load_text("# Title\n\nSome *text* and a [link](https://example.org).\n\n- item\n")
        editor._marks = [Mark(0, 2, 0, 7, "error")]
        editor._build_highlight_map()
        names = [name for _, _, name in editor._highlights[0]]
        assert "heading" in names and "heading.marker" in names
        assert names[-1] == "lint.error"  # appended after the syntax ranges: drawn on top
        assert "list.marker" in [name for _, _, name in editor._highlights[4]]
        svg = app.export_screenshot()
        assert "#ff8700" in svg.lower() or "ff8700" in svg.lower()  # the heading colour is drawn


async def test_source_pane_highlights_latex_and_scrolls_a_10_mb_source(example_paper, store):
    """The Source pane draws only what is on screen: a 10 MB source opens and pages instantly (bench/tui.py)."""
    from posttui.paper import TexFile
    from posttui.tui.widgets.source import LatexView

    tex = example_paper.site_tex
    big = dataclasses.replace(example_paper,
                              tex_files=[TexFile("main.tex", (tex * (10_000_000 // len(tex) + 1))[:10_000_000])])
    app = make_app(big, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.query(LatexView), what="the main screen")
        view = app.screen.query_one(LatexView)
        await wait_for(pilot, lambda: len(view.text) == 10_000_000, what="the lines indexed in a thread")
        assert view.document.line_count > 100_000
        assert view.document.lines == big.site_tex.split("\n")  # the pieces add up to one split
        assert view._width == max(map(len, view.document.lines))
        view.focus()
        await pilot.press("pagedown", "pagedown")
        assert view.scroll_y > 0
        assert 0 < len(view._highlights) < 200  # only the drawn rows were highlighted
        assert any(name.startswith("tex.") for row in list(view._highlights.values()) for _, _, name in row)


async def test_first_frame_shortcuts_draw_what_textual_draws(example_paper, store):
    """Issue 14: the empty draft editor wraps its placeholder once per frame and the Source and Preview panes take
    rich_style once per frame; every row must still be what Textual itself draws."""
    from textual.widgets import TextArea

    from posttui.tui.widgets.preview import PreviewView
    from posttui.tui.widgets.source import LatexView

    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        editor = main_screen(app).editor
        assert not editor.text and editor.placeholder
        rows = range(editor.size.height + 2)
        assert [editor.render_line(y) for y in rows] == [TextArea.render_line(editor, y) for y in rows]
        assert editor.render_line(0).text.startswith("No draft yet")
        for view in (app.screen.query_one(LatexView), app.screen.query_one(PreviewView)):
            assert view.line_style == view.rich_style  # outside a frame: the widget's own style
            seen = []
            original = type(view).render_line
            view.render_line = lambda y, v=view: seen.append(v.line_style) or original(v, y)
            view._styles_cache.clear()  # draw every row afresh
            view.render_lines(view.region.reset_offset)
            assert seen and set(seen) == {view.rich_style}
            assert view._frame_style is None  # dropped after the frame: a theme change is seen next frame


# ----- 17: the preview during a stream ---------------------------------------------------------------------------------
def test_markdown_blocks_keep_fences_whole():
    from posttui.tui.widgets.preview import markdown_blocks

    text = "# H\n\npara one\nstill one\n\n```\ncode\n\nmore code\n```\n\n- a\n- b\n"
    assert markdown_blocks(text) == ["# H", "para one\nstill one", "```\ncode\n\nmore code\n```", "- a\n- b"]


async def test_preview_follows_the_stream_rendering_only_new_blocks(example_paper, store):
    from scripted import ScriptedBackend

    from posttui.llm.offline import OfflineWriter
    from posttui.tui.widgets import preview as preview_module

    post = OfflineWriter(example_paper).post()
    pieces = [post[i : i + 60] for i in range(0, len(post), 60)]
    backend = ScriptedBackend(pieces, delay=0.03)
    rendered: list[str] = []
    original = preview_module.render_markdown

    def counting(text, width, **options):
        rendered.append(text)
        return original(text, width, **options)

    preview_module.render_markdown = counting
    try:
        app = make_app(example_paper, store, backend=backend)
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_idle(pilot)
            screen = main_screen(app)
            assert screen.view == "split"
            seen: list[str] = []
            await pilot.press("ctrl+g")
            while not screen.streaming:
                await pilot.pause(0.005)
            while screen.streaming:
                text = screen.query_one("#preview-pane").text
                if text and (not seen or seen[-1] != text):
                    seen.append(text)
                await pilot.pause(0.01)
            during = list(rendered)
            await wait_idle(pilot)
            assert screen.preview_shown == screen.editor.text == post  # the settled post rendered in full
    finally:
        preview_module.render_markdown = original
    assert len(seen) >= 2, "the preview showed the draft while it streamed"
    assert all(len(a) <= len(b) for a, b in zip(seen, seen[1:]))  # it grew with the stream
    from collections import Counter

    assert during and max(Counter(during).values()) == 1  # no block was rendered twice: only the changed tail
    assert sum(map(len, during)) < 3 * len(post)  # not the whole draft per update
