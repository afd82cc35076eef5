"""The app as a daily tool (issue 13): quitting and cancelling while a model call runs, persisted undo and redo,
the cursor and the scroll kept across fixes and undo, keys from the keymap, narrow terminals, the state that
follows the problems, the palette, the dialogs and the progress of a revision."""

from __future__ import annotations

import re

import pytest
from conftest import ask_to_quit, main_screen, wait_for, wait_idle
from scripted import ScriptedBackend
from test_tui_flow import OFFLINE, chunked, clean_post, generate, make_app, with_defects
from textual.widgets import Footer

from posttui.errors import ConfigError
from posttui.tui.app import PosttuiApp
from posttui.tui.keymap import help_rows, load_keymap
from posttui.tui.screens.dialogs import ConfirmDialog, DiffDialog, ProgressDialog, diff_text
from posttui.workflow.review import RUNNING

SIZE = (120, 40)


def slow(paper, *, delay: float = 0.05, size: int = 40, **kw) -> ScriptedBackend:
    return ScriptedBackend(chunked(clean_post(paper), size), delay=delay, model=OFFLINE, **kw)


# ----- 2: quitting while a stream runs asks first ---------------------------------------------------------------
async def test_quit_during_a_stream_asks_before_stopping_it(example_paper, store):
    backend = slow(example_paper)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(screen.editor.text) >= 200, what="some text")
        await ask_to_quit(pilot)
        assert "Generating is still running" in str(app.screen.body)
        seen = len(screen.review.text or screen._known_text)
        await pilot.pause(0.3)
        assert screen.review.state == "generating" and backend.cancelled == 0  # asking stopped nothing
        assert len(screen._known_text) > seen  # the stream kept arriving under the question
        await pilot.press("n")  # Stay
        await wait_for(pilot, lambda: app.screen is screen, what="dialog closed")
        assert screen.busy and backend.cancelled == 0
        await wait_for(pilot, lambda: not screen.busy, what="the stream to finish")
        assert screen.editor.text == clean_post(example_paper) and screen.status.state == "done"
        await ask_to_quit(pilot)
        await pilot.press("y")
        await pilot.pause(0.2)
    assert app.return_value == 0


# ----- 3 and 12: every model call can be stopped; a revision streams into a dialog --------------------------------
async def test_repair_streams_into_a_dialog_and_escape_stops_it(example_paper, store):
    post = clean_post(example_paper)
    draft = with_defects(post)
    backend = ScriptedBackend(chunked(draft, 4000), delay=0.05, model=OFFLINE,
                              replies=[chunked(post, 40), chunked(post, 40)])
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        assert screen.editor.text == draft
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressDialog), what="progress dialog")
        dialog = app.screen
        assert screen.status.state == "repairing"
        assert "repairing" in screen.status.render().plain
        await wait_for(pilot, lambda: len(dialog.text) >= 400, what="text in the dialog")
        assert post.startswith(dialog.text)
        await pilot.pause(0.15)
        shown = str(dialog.query_one("#progress-text").render())
        assert shown and post.startswith(shown.rstrip("\n")[: len(shown) // 2])  # drawn, not only collected
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.busy, timeout=1.0, what="stop")
        assert backend.cancelled == 1 and screen.status.state == "stopped"
        await wait_for(pilot, lambda: app.screen is screen, timeout=1.0, what="dialog closed")
        assert screen.editor.text == draft  # nothing applied
        header = screen.status.render().plain
        await pilot.pause(1.2)
        assert screen.status.render().plain == header and screen.status.state not in RUNNING  # no ticking
        # A second repair runs to the end: the dialog gives way to the diff.
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), timeout=30, what="diff")
        await pilot.press("y")
        await wait_idle(pilot)
        assert screen.editor.text == post


async def test_escape_stops_the_image_prompt_call_of_approve(example_paper, store, site):
    post = clean_post(example_paper)
    backend = ScriptedBackend(chunked(post, 4000), model=OFFLINE)
    app = make_app(example_paper, store, backend=backend, site=site)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        backend.chunks, backend.delay = chunked(post, 40), 0.3  # the image prompt call is slow
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.status.state == "writing the image prompt", what="image prompt call")
        assert "writing the image prompt" in screen.status.render().plain
        await pilot.pause(0.5)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.busy, timeout=1.0, what="stop")
        assert backend.cancelled == 1 and screen.status.state == "stopped"
        assert not list((site / "_posts").iterdir())  # nothing saved
        assert screen.review.unsaved


# ----- 4: undo and redo survive a restart ---------------------------------------------------------------------
async def test_undo_is_persisted_and_redo_goes_forward(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    backend = ScriptedBackend(chunked(draft), model=OFFLINE)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+l")
        await wait_idle(pilot)
        fixed = screen.editor.text
        assert fixed != draft
        await pilot.press("ctrl+u")
        await wait_idle(pilot)
        assert screen.editor.text == draft
        session = screen.review.session_id
    # Quit and resume: the undone version is what comes back.
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="resume dialog")
        await pilot.press("y")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id == session and screen.editor.text == draft
        await pilot.press("ctrl+y")
        await wait_idle(pilot)
        assert screen.editor.text == fixed
        await pilot.press("ctrl+y")
        await pilot.pause(0.1)
        assert screen.editor.text == fixed
        assert any("No later version" in n.message for n in app._notifications)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="resume dialog")
        await pilot.press("y")
        await wait_idle(pilot)
        assert main_screen(app).editor.text == fixed


# ----- 5: the cursor and the scroll stay where they were ----------------------------------------------------------
async def test_fixes_and_undo_keep_the_cursor_and_the_scroll(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    backend = ScriptedBackend(chunked(draft), model=OFFLINE)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        editor = screen.editor
        row = editor.document.line_count - 3
        editor.move_cursor((row, 2))
        editor.scroll_to(0, editor.max_scroll_y - 2, animate=False)
        await pilot.pause(0.1)
        where = (editor.cursor_location, editor.scroll_offset.y)
        assert where[1] > 10
        screen.problems.focus()
        screen.problems.move_cursor(row=0)
        for key in ("f", "ctrl+l", "ctrl+u", "ctrl+y"):
            await pilot.press(key)
            await wait_idle(pilot)
            await pilot.pause(0.1)
            assert editor.cursor_location == where[0], key
            assert abs(editor.scroll_offset.y - where[1]) <= 1, (key, editor.scroll_offset.y, where)
        assert [v.origin for v in store.versions(screen.review.session_id)] == ["stream", "fix", "fix"]


# ----- 6: keys.toml -------------------------------------------------------------------------------------------
def test_a_key_bound_twice_is_an_error_naming_both_actions(tmp_path):
    path = tmp_path / "keys.toml"
    path.write_text('[keys]\napprove = "ctrl+g"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'ctrl\+g' is bound to both 'generate' and 'approve'") as caught:
        load_keymap(path)
    assert str(path) in str(caught.value)
    path.write_text('[keys]\nfix_all = "enter"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="jump"):
        load_keymap(path)
    path.write_text('[keys]\ngenerate = "f5"\nrepair = "ctrl+g"\n', encoding="utf-8")  # a key freed is free
    assert load_keymap(path) == {"generate": "f5", "repair": "ctrl+g"}
    with pytest.raises(ConfigError, match="both"):
        PosttuiApp(keymap={"help": "ctrl+s"})


async def test_placeholder_and_hints_name_the_remapped_keys(example_paper, store):
    from posttui.llm.offline import OfflineBackend

    app = PosttuiApp(paper=example_paper, store=store, offer_resume=False, backend_factory=OfflineBackend,
                     keymap={"generate": "f5", "help": "f9", "fix_all": "ctrl+k"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        placeholder = str(screen.editor.placeholder)
        assert "f5 writes one" in placeholder and "f9 lists every key" in placeholder
        assert "ctrl+g" not in placeholder
        svg = app.export_screenshot()
        assert "f5" in svg and "^g" not in svg  # the footer shows the key that runs Generate


# ----- 8: narrow terminals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(40, 12), (60, 20), (79, 24)])
async def test_narrow_terminals_show_the_draft_and_f2_cycles_the_panes(example_paper, store, size):
    draft = with_defects(clean_post(example_paper))
    app = make_app(example_paper, store, backend=ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=size) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        left, preview = screen.query_one("#left"), screen.query_one("#preview-pane")

        def shown():
            return [w.id for w in (left, screen.editor, preview) if w.display and w.region.width > 0]

        assert shown() == ["draft"] and screen.editor.region.height >= 3
        assert "1E 1W 0I" in screen.status.render().plain
        views = []
        for _ in range(3):
            await pilot.press("f2")
            await pilot.pause(0.2)
            views.append((screen.view, shown()))
        assert views == [("preview", ["preview-pane"]), ("paper", ["left"]), ("editor", ["draft"])]


async def test_header_keeps_the_problem_counts_at_80_columns(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    app = make_app(example_paper, store, backend=ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=(80, 24)) as pilot:
        await generate(pilot)
        header = main_screen(app).status.render().plain
        assert "blocked: 1 error" in header and "1E 1W 0I" in header and len(header) <= 80


async def test_start_screen_input_is_visible_at_40x12(store):
    app = PosttuiApp(store=store, backend_name="offline")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause(0.2)
        box = app.screen.query_one("#source-input").region
        assert box.height >= 3 and box.bottom <= 11  # above the footer
        await pilot.press(*"2611")
        assert app.screen.query_one("#source-input").value == "2611"


# ----- 9: the state follows the problems --------------------------------------------------------------------
async def test_state_says_blocked_while_an_error_is_open(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    app = make_app(example_paper, store, backend=ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        assert (screen.status.state, screen.status.detail) == ("blocked", "1 error")
        assert "● blocked: 1 error" in screen.status.render().plain
        await pilot.press("ctrl+l")
        await wait_idle(pilot)
        assert screen.status.state == "done" and "blocked" not in screen.status.render().plain
        # Typing an error in again blocks again.
        screen.editor.focus()
        screen.editor.move_cursor((screen.editor.document.line_count - 1, 0))
        screen.editor.insert("See \\citet{okonkwo2024}.\n")
        await pilot.pause(0.5)
        await wait_idle(pilot)
        assert screen.status.state == "blocked"


# ----- 10: the palette --------------------------------------------------------------------------------------
async def _palette(pilot, query: str) -> list[str]:
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await pilot.pause(0.2)
    await pilot.press(*query)
    await pilot.pause(0.5)
    options = pilot.app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_shows_unavailable_actions_with_the_reason(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        hits = await _palette(pilot, "repair")
        assert any("Repair (ctrl+t)" in h and "unavailable: there is no draft yet (ctrl+g writes one)" in h
                   for h in hits), hits
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert any("Repair is unavailable: there is no draft yet" in n.message for n in app._notifications)
        assert main_screen(app).review.state == "idle"


async def test_palette_screenshot_is_saved_into_the_data_folder(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        hits = await _palette(pilot, "screenshot")
        assert sum("Screenshot" in h for h in hits) == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Screenshot saved" in n.message for n in app._notifications),
                       what="screenshot")
        message = next(n.message for n in app._notifications if "Screenshot saved" in n.message)
        folder = app.config.data_path() / "screenshots"
        saved = list(folder.glob("posttui-*.svg"))
        assert len(saved) == 1 and str(saved[0]) in message
        assert saved[0].read_text(encoding="utf-8").startswith("<svg")


# ----- 11: dialogs ------------------------------------------------------------------------------------------
async def test_dialogs_show_their_keys_over_the_main_footer(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=(80, 24)) as pilot:
        await generate(pilot)
        app.clear_notifications()
        await ask_to_quit(pilot)
        await pilot.pause(0.2)
        assert app.screen.query_one(Footer)
        lines = [line for line in _screen_text(app.export_screenshot()) if line.strip()]
        assert re.search(r"\by Yes\b.*\bn No\b", lines[-1]) and "Generate" not in lines[-1]
        labels = [str(b.label) for b in app.screen.query("Button")]
        assert labels == ["Quit (y)", "Stay (n)"]
        await pilot.press("n")
        await pilot.pause(0.1)
        assert app.is_running


def test_diffs_mark_the_words_that_changed_within_a_line():
    old = "Intro.\n\nThe method reduces the cost by a factor of four on every data set.\n\nEnd.\n"
    new = "Intro.\n\nThe method reduces the cost by a factor of 4.2 on every data set.\n\nEnd.\n"
    text = diff_text(old, new)
    assert "-The method reduces the cost by a factor of four on every data set." in text.plain
    assert "+The method reduces the cost by a factor of 4.2 on every data set." in text.plain
    marked = sorted(text.plain[s.start:s.end] for s in text.spans if " on #" in str(s.style))
    assert marked == ["4.2", "four"]


# ----- the README's key table is the help screen's --------------------------------------------------------------
def test_readme_key_table_matches_the_help_screen():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("| key | id | what it does |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in section.strip().splitlines()[1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append((cells[0].strip("`"), cells[1].strip("`"), cells[2]))
    assert rows == help_rows()


def _screen_text(svg: str) -> list[str]:
    import html

    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    lines = []
    for _, cells in sorted(rows.items()):
        line = ""
        for x, text in sorted(cells):
            line = line.ljust(round(x / 12.2)) + text  # 12.2 px per cell in Textual's SVG export
        lines.append(line.replace("\xa0", " "))
    return lines


async def test_review_events_reach_the_screen_on_the_ui_thread(example_paper, store, site, monkeypatch):
    """The approval gate checks the draft in a worker thread; the state it settles is still drawn by the UI."""
    import threading

    from posttui.tui.widgets.status import StatusHeader
    from test_tui_flow import without_featured_link

    threads = []
    original = StatusHeader.set_state

    def recording(self, state, detail=""):
        threads.append(threading.get_ident())
        original(self, state, detail)

    monkeypatch.setattr(StatusHeader, "set_state", recording)
    draft = without_featured_link(clean_post(example_paper))
    app = make_app(example_paper, store, site=site, backend=ScriptedBackend(chunked(draft), model=OFFLINE))
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        screen.review._set_state("done")  # so that the gate's check settles the state again
        threads.clear()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="errors dialog")
        await pilot.press("n")
        assert threads and set(threads) == {threading.get_ident()}
        assert screen.status.state == "blocked"
