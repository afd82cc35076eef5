"""Keys as data (remapping, palette), the start screen, the highlight rendering, store recovery notices."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLE, main_screen, wait_for, wait_idle
from scripted import ScriptedBackend
from test_tui_flow import OFFLINE, chunked, clean_post, with_defects
from textual.widgets import Input, OptionList

from posttui.errors import ConfigError
from posttui.llm.offline import OfflineBackend
from posttui.session import SessionStore
from posttui.tui.app import PosttuiApp
from posttui.tui.keymap import ACTIONS, BY_ID, load_keymap
from posttui.tui.screens.main import MainScreen
from posttui.tui.screens.start import StartScreen

SIZE = (120, 40)


def test_every_action_has_an_id_a_key_and_a_handler():
    assert len({a.id for a in ACTIONS}) == len(ACTIONS)
    assert len({a.key for a in ACTIONS}) == len(ACTIONS)
    for a in ACTIONS:
        owner = "ProblemsTable" if a.id == "fix_one" else "MainScreen"
        if owner == "MainScreen":
            assert hasattr(MainScreen, f"action_{a.action}"), a.id
    assert BY_ID["stop"].key == "escape" and BY_ID["stop"].priority


def test_keymap_file_is_validated(tmp_path):
    good = tmp_path / "keys.toml"
    good.write_text('[keys]\ngenerate = "f5"\n', encoding="utf-8")
    assert load_keymap(good) == {"generate": "f5"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[keys]\nlaunch_rockets = "f9"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="launch_rockets"):
        load_keymap(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("[keys\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_keymap(broken)
    assert load_keymap(tmp_path / "absent.toml") == {}


async def test_remapped_key_runs_the_action(example_paper, store):
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False, keymap={"generate": "f5"},
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+g")
        await pilot.pause(0.3)
        assert screen.editor.text == "" and screen.review.session_id is None
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.editor.text == clean_post(example_paper), what="generation")


async def test_command_palette_offers_and_runs_actions(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"generate")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.editor.text == draft and not screen.busy, what="generation")
        await wait_idle(pilot)
        assert {f.rule for f in screen.review.findings} == {"PT020", "PT031"}
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"fix all")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "\\citet" not in screen.editor.text, what="fixes")


async def test_lint_highlight_reaches_the_rendered_screen(example_paper, store):
    """Pins the private TextArea highlight hook: the error style must show on the offending text."""
    draft = with_defects(clean_post(example_paper)).replace("\\citet{okonkwo2024}", "\\citet{okonkwo2024} é", 1)
    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False,
                     backend_factory=lambda p: ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: not main_screen(app).busy, what="generation")
        await wait_idle(pilot)
        screen = main_screen(app)
        screen.problems.focus()
        await pilot.press("enter")  # jump: the span is on screen
        end = screen.editor.selection.end
        screen.editor.selection = type(screen.editor.selection)(end, end)  # no selection colour on the span
        # Wait for the repaint itself (a fixed pause was flaky under load), then judge the last screenshot.
        shots: list[str] = []

        def error_style_shown() -> bool:
            shots.append(app.export_screenshot())
            return bool(_error_styled_citet(shots[-1]))

        await wait_for(pilot, error_style_shown, what="the error style on \\citet")
    svg = shots[-1]
    classes = set(re.findall(r'class="(terminal-[\w-]+-r\d+)"[^>]*>[^<]*citet', svg))
    assert classes, "the draft's \\citet text is not on screen"
    assert _error_styled_citet(svg), classes


def _error_styled_citet(svg: str) -> set[str]:
    """The screenshot's style classes on ``citet`` text that are red and underlined (the error highlight)."""
    styles = dict(re.findall(r"\.(terminal-[\w-]+-r\d+) \{ ([^}]*) \}", svg))
    classes = set(re.findall(r'class="(terminal-[\w-]+-r\d+)"[^>]*>[^<]*citet', svg))
    return {c for c in classes if "#ff5f5f" in styles.get(c, "") and "underline" in styles.get(c, "")}


async def test_start_screen_inside_a_site_lists_prompts_and_opens_a_source(store, site, tmp_path):
    (site / "prompts" / "content").mkdir(parents=True)
    (site / "prompts" / "content" / "2024-01-01-2401.00001.txt").write_text(
        '{% raw %}\nTitle: Create a Markdown Blog Post\n---\nlayout: post\ntitle:  "A \\"quoted\\"\n  title"\n'
        'date: 2024-01-01\n---\n' + "x" * 100_000, encoding="utf-8")
    (site / "prompts" / "content" / "2023-05-06-2305.00002.txt").write_text("no front matter", encoding="utf-8")
    (site / "prompts" / "content" / "2022-02-02-2202.00003.txt").write_text(
        '---\ntitle: "Sampling with $\\beta$-flows"\n---\n', encoding="utf-8")
    app = PosttuiApp(store=store, site=site, backend_name="offline", offer_resume=False,
                     backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, StartScreen)
        prompts = app.screen.query_one("#prompts", OptionList)
        # Date, id and title (issue 13.7), newest first.
        assert prompts.get_option_at_index(0).prompt == '2024-01-01  2401.00001  A "quoted" title'
        assert prompts.get_option_at_index(1).prompt == "2023-05-06  2305.00002  (no title found)"
        assert prompts.get_option_at_index(2).prompt == "2022-02-02  2202.00003  Sampling with β-flows"
        # Tabbing into a list highlights its first row, so Enter acts at once.
        assert prompts.highlighted is None
        while not prompts.has_focus:
            await pilot.press("tab")
        assert prompts.highlighted == 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Could not open" in (n.title or "") and "2401.00001" in (n.title or "")
                                          for n in app._notifications), what="the prompt opened")
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen), what="start screen")
        app.clear_notifications()
        assert str(site) in str(app.screen.query_one("#site-line").render())
        # A bad source: a clear error, back on the start screen.
        app.screen.query_one(Input).focus()
        app.screen.query_one(Input).value = str(tmp_path / "nope")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Could not open" in (n.title or "") for n in app._notifications),
                       what="error")
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen), what="start screen")
        # The example opens.
        app.screen.query_one(Input).focus()
        app.screen.query_one(Input).value = str(EXAMPLE)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        assert main_screen(app).review.paper.arxiv_id == "2611.01234"
        assert app.site.root == site.resolve()


async def test_resume_by_session_id(example_paper, store):
    s = store.create("2611.01234", origin=str(EXAMPLE), title="t")
    store.add_version(s.id, "half a draft", "stream", complete=False)
    app = PosttuiApp(store=store, resume=s.id, backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id == s.id and screen.editor.text == "half a draft"


async def test_a_corrupt_session_database_is_reported(tmp_path, example_paper):
    db = tmp_path / "sessions.db"
    db.write_bytes(b"garbage" * 200)
    store = SessionStore.open(db)
    app = PosttuiApp(paper=example_paper, store=store, backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert any("moved to" in n.message for n in app._notifications)
    store.close()


async def test_large_source_is_highlighted_only_where_it_is_shown(example_paper, store):
    from dataclasses import replace

    from posttui.paper import TexFile
    from posttui.tui.widgets.source import LatexView, latex_line_highlights

    tex = example_paper.site_tex
    big = replace(example_paper, tex_files=[TexFile("main.tex", (tex * 130)[:500_000])])
    app = PosttuiApp(paper=big, store=store, offer_resume=False, backend_factory=lambda p: OfflineBackend(p))
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        view = main_screen(app).query_one(LatexView)
        assert view.document.line_count > 9000
        assert len(view._highlights) < 100  # only the rows drawn so far
        view.focus()
        view.scroll_end(animate=False)
        last = view.document.line_count - 2
        await wait_for(pilot, lambda: last in view._highlights, what="the last rows to be drawn")
        assert len(view._highlights) < 200
        assert view._highlights[last] == latex_line_highlights(view.document.get_line(last))


def test_latex_line_highlights_use_byte_columns():
    from posttui.tui.widgets.source import latex_line_highlights

    line = "é \\cite{a} % note"
    got = latex_line_highlights(line)
    names = [n for _, _, n in got]
    assert names == ["tex.cite", "tex.brace", "tex.brace", "tex.comment"]
    start, end, _ = got[0]
    assert line.encode()[start:end] == b"\\cite"
    assert line.encode()[got[-1][0]:] == b"% note"


def test_launch_options_find_or_check_the_site(tmp_path, monkeypatch):
    from posttui.errors import SiteError
    from posttui.tui.launch import make_app

    site = tmp_path / "site"
    (site / "_posts" / "2024").mkdir(parents=True)
    (site / "_config.yml").write_text("title: t\n", encoding="utf-8")
    monkeypatch.chdir(site / "_posts" / "2024")
    app = make_app([])
    assert app.site.root == site.resolve() and app.source is None
    monkeypatch.chdir(tmp_path)
    app = make_app(["examples/x", "--backend", "offline", "--lean", "--new"])
    assert app.site is None and app.source == "examples/x" and app.lean and not app.offer_resume
    assert app.backend_name == "offline"
    with pytest.raises(SiteError, match="not a Jekyll site"):
        make_app(["--site", str(tmp_path)])
    with pytest.raises(SiteError, match="no such site folder"):
        make_app(["--site", str(tmp_path / "nope")])
    app.store.close()


def test_launch_without_a_terminal_says_what_to_use(capsys, monkeypatch, tmp_path):
    from posttui.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POSTTUI_FORCE_TUI", raising=False)
    assert main([]) == 2  # stdout is captured: not a terminal
    assert "posttui generate" in capsys.readouterr().err
