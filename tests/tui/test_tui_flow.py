"""The app driven headless through the user's workflow: open, generate, see and fix problems, approve, resume."""

from __future__ import annotations


import pytest
from conftest import ask_to_quit, main_screen, wait_for, wait_idle
from scripted import ScriptedBackend
from textual.widgets import DataTable, TextArea

from posttui.llm.offline import OfflineBackend, OfflineWriter
from posttui.prompt import build_prompt, wrap_saved
from posttui.session import paper_key
from posttui.tui.app import PosttuiApp
from posttui.tui.screens.dialogs import ConfirmDialog, DiffDialog
from posttui.tui.widgets.source import LatexView

SIZE = (120, 40)
OFFLINE = "posttui-offline"


def clean_post(paper) -> str:
    return OfflineWriter(paper).post()


def with_defects(post: str) -> str:
    """A draft with a fixable error (PT020), a fixable warning (PT031) and nothing else wrong."""
    bad = post.replace("Okonkwo et al. showed", "\\citet{okonkwo2024} showed", 1)
    bad = bad.replace("(https://doi.org/10.3847/1538-4357/ac6a1f)", "(http://dx.doi.org/10.3847/1538-4357/ac6a1f)", 1)
    assert bad != post
    return bad


def without_featured_link(post: str) -> str:
    bad = post.replace("In [2611.01234](https://arxiv.org/abs/2611.01234), ", "In this paper, ", 1)
    assert bad != post
    return bad


def chunked(text: str, size: int = 200) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def make_app(paper, store, *, site=None, backend=None, **kw) -> PosttuiApp:
    backend = backend or OfflineBackend(paper)
    return PosttuiApp(paper=paper, store=store, site=site, backend_factory=lambda p: backend, **kw)


async def generate(pilot) -> None:
    await wait_idle(pilot)
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: not main_screen(pilot.app).busy, what="generation")
    await wait_idle(pilot)


async def test_open_example_fills_every_pane(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.query_one(LatexView).text == example_paper.site_tex
        refs = screen.query_one("#references", DataTable)
        assert refs.row_count == len(example_paper.references) > 0
        authors = screen.query_one("#authors", DataTable)
        assert authors.row_count == len(example_paper.authors) > 0
        prompt = build_prompt(example_paper, "site", model=OFFLINE)
        assert screen.query_one("#prompt", TextArea).text == prompt
        header = screen.status.render().plain
        assert "2611.01234" in header and "offline writer (no API key)" in header
        # The lean switch rebuilds the prompt pane with fewer tokens.
        await pilot.click("#tab-prompt")
        screen.query_one("#left").active = "tab-prompt"
        await pilot.pause()
        screen.query_one("#lean").value = True
        lean = build_prompt(example_paper, "lean", model=OFFLINE)
        await wait_for(pilot, lambda: screen.query_one("#prompt", TextArea).text == lean, what="lean prompt")


async def test_generate_offline_is_clean_and_recorded(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        assert screen.editor.text == clean_post(example_paper)
        assert [f for f in screen.review.findings if f.severity.value == "error"] == []
        assert screen.status.state == "done"
        versions = store.versions(screen.review.session_id)
        assert [(v.origin, v.complete, v.finish_reason) for v in versions] == [("stream", True, "STOP")]
        assert versions[0].text == screen.editor.text
        session = store.get(screen.review.session_id)
        assert session.paper_key == paper_key(example_paper) and session.backend == "offline"
        assert session.prompt == build_prompt(example_paper, "site", model=OFFLINE)
        assert session.input_tokens > 0 and session.output_tokens > 0
        # The preview shows the post as a reader sees it (no front matter, no markers).
        from posttui.tui.widgets.preview import PreviewView

        shown = " ".join(" ".join(screen.query_one(PreviewView).plain_lines).split())
        assert "Key results" in shown and "Tempered nested sampling" in shown
        assert "BEGINNING OF GENERATED POST" not in shown and "layout: post" not in shown
        # The references the draft links to are marked in the References pane.
        refs = screen.query_one("#references", DataTable)
        marked = sum(1 for row in range(refs.row_count) if str(refs.get_row_at(row)[0]) == "●")
        assert marked >= 3


async def test_problems_appear_jump_and_fix(example_paper, store):
    draft = with_defects(clean_post(example_paper))
    backend = ScriptedBackend(chunked(draft), delay=0.005, model=OFFLINE)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        rules = sorted(f.rule for f in screen.review.findings)
        assert rules == ["PT020", "PT031"], rules
        # Highlights are in the editor, on the right rows, in byte columns.
        marks = {m.severity for m in screen.editor.marks}
        assert marks == {"error", "warning"}
        # Errors are listed first; Enter jumps the cursor to the span.
        table = screen.problems
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        first = table.findings[0]
        assert first.rule == "PT020"
        sel = screen.editor.selected_text
        assert sel == "\\citet{okonkwo2024}"
        # The list keeps the focus (issue 13.1): `f` right after Enter fixes the problem; it never types an "f"
        # over the selected span.
        assert table.has_focus and not screen.editor.has_focus
        expected = screen.review.checker.fix_one(screen.editor.text, first)
        await pilot.press("f")
        await wait_idle(pilot)
        assert "\\citet" not in screen.editor.text and screen.editor.text == expected
        assert sorted(f.rule for f in screen.review.findings) == ["PT031"]
        # Fix all applies the rest.
        await pilot.press("ctrl+l")
        await wait_idle(pilot)
        assert screen.review.findings == []
        assert "https://doi.org/10.3847/1538-4357/ac6a1f" in screen.editor.text
        origins = [v.origin for v in store.versions(screen.review.session_id)]
        assert origins == ["stream", "fix", "fix"]
        # Undo goes back one version at a time.
        await pilot.press("ctrl+u")
        await wait_idle(pilot)
        assert "dx.doi.org" in screen.editor.text and "\\citet" not in screen.editor.text
        await pilot.press("ctrl+u")
        await wait_idle(pilot)
        assert screen.editor.text == draft


async def test_approve_writes_the_site_files(example_paper, store, site):
    app = make_app(example_paper, store, site=site)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.status.state == "saved", what="save")
        name = example_paper.post_name
        post = (site / "_posts" / f"{name}.md").read_bytes()
        assert post == clean_post(example_paper).encode("utf-8")
        prompt = (site / "prompts" / "content" / f"{name}.txt").read_bytes()
        assert prompt == wrap_saved(build_prompt(example_paper, "site", model=OFFLINE)).encode("utf-8")
        image_prompt = (site / "prompts" / "images" / f"{name}.txt").read_bytes()
        assert image_prompt == wrap_saved(OfflineWriter(example_paper).image_prompt().strip()).encode("utf-8")
        assert store.get(screen.review.session_id).saved_path.endswith(f"_posts/{name}.md")
        assert not screen.review.unsaved


async def test_approve_outside_a_site_says_how_to_name_one(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        messages = [n.message for n in app._notifications]
        assert any("No site to save into" in m and "--site DIR" in m for m in messages), messages


async def test_approve_refuses_with_errors_unless_overridden(example_paper, store, site):
    draft = without_featured_link(clean_post(example_paper))
    backend = ScriptedBackend(chunked(draft), model=OFFLINE)
    app = make_app(example_paper, store, site=site, backend=backend)
    post = site / "_posts" / f"{example_paper.post_name}.md"
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        assert "PT010" in {f.rule for f in screen.review.errors}
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="errors dialog")
        assert app.screen.id == "errors-dialog"
        assert "PT010" in str(app.screen.body)
        await pilot.press("escape")  # back to the draft
        await wait_for(pilot, lambda: app.screen is screen, what="dialog closed")
        await pilot.pause(0.1)
        assert not post.exists() and screen.status.state == "blocked"
        # Override in the dialog.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="errors dialog")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: screen.status.state == "saved", what="save")
        assert post.read_text(encoding="utf-8") == draft


async def test_existing_post_shows_a_diff_and_is_kept_unless_accepted(example_paper, store, site):
    post = site / "_posts" / f"{example_paper.post_name}.md"
    post.write_text("an older post\n", encoding="utf-8")
    app = make_app(example_paper, store, site=site)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff dialog")
        body = str(app.screen.body)
        assert "-an older post" in body and "+<!-- BEGINNING OF GENERATED POST -->" in body
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert post.read_text(encoding="utf-8") == "an older post\n"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="diff dialog")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: screen.status.state == "saved", what="save")
        assert post.read_text(encoding="utf-8") == clean_post(example_paper)


async def test_stop_cancels_the_stream_at_once_and_keeps_the_text(example_paper, store):
    post = clean_post(example_paper)
    backend = ScriptedBackend(chunked(post, 40), delay=0.05, model=OFFLINE)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(screen.editor.text) >= 200, what="some text")
        assert screen.status.state == "generating"
        screen.editor.focus()  # Escape is a priority binding: a focused editor does not swallow it
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.busy, timeout=1.0, what="stop")
        kept = screen.editor.text
        assert 200 <= len(kept) < len(post) and post.startswith(kept)
        assert backend.cancelled == 1
        assert screen.status.state == "stopped"
        latest = store.latest(screen.review.session_id)
        assert latest.text == kept and latest.complete and latest.finish_reason == "STOPPED"
        await pilot.pause(0.2)
        assert screen.editor.text == kept  # nothing arrives after the stop


async def test_regenerate_section_and_repair_are_diffs_to_accept_or_reject(example_paper, store):
    post = clean_post(example_paper)
    damaged = post.replace("## Key results\n", "## Key results\n\nA sentence that should not be here.\n", 1)
    damaged = without_featured_link(damaged)
    backend = OfflineBackend(example_paper)
    app = make_app(example_paper, store, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot)
        screen = main_screen(app)
        screen.review.record(damaged, "edit")
        screen.show_text(damaged)
        await wait_idle(pilot)
        # Regenerate the section under the cursor (Key results): reject first, then accept.
        row = damaged.split("\n").index("A sentence that should not be here.")
        screen.editor.move_cursor((row, 3))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="regenerate diff")
        assert "-A sentence that should not be here." in str(app.screen.body)
        await pilot.click("#no")
        await wait_idle(pilot)
        assert screen.editor.text == damaged
        screen.editor.move_cursor((row, 3))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="regenerate diff")
        await pilot.click("#yes")
        await wait_idle(pilot)
        assert "A sentence that should not be here." not in screen.editor.text
        assert "PT010" in {f.rule for f in screen.review.findings}
        # Repair the remaining error with the model.
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffDialog), what="repair diff")
        await pilot.click("#yes")
        await wait_idle(pilot)
        assert screen.editor.text == post and screen.review.errors == []
        origins = [v.origin for v in store.versions(screen.review.session_id)]
        assert origins == ["edit", "regenerate", "repair"]
        # Three requests: section, repair, and each carried the original prompt first.
        assert screen.review.session_id is not None


async def test_external_change_to_the_draft_file_reloads_and_rechecks(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        path = screen.review.draft_file.path
        assert path is not None and path.read_text(encoding="utf-8") == screen.editor.text
        await pilot.pause(0.3)  # the watcher is running
        changed = with_defects(screen.editor.text)
        # An editor saving by rename: write a temporary file, then move it over the draft.
        tmp = path.with_name(path.name + ".swp")
        tmp.write_text(changed, encoding="utf-8")
        tmp.replace(path)
        await wait_for(pilot, lambda: screen.editor.text == changed, timeout=10, what="reload")
        await wait_idle(pilot)
        assert sorted(f.rule for f in screen.review.findings) == ["PT020", "PT031"]
        assert store.latest(screen.review.session_id).origin == "edit"
        # Deleting the file does not break the watcher; writing it again reloads again.
        path.unlink()
        await pilot.pause(0.4)
        path.write_text(clean_post(example_paper), encoding="utf-8")
        await wait_for(pilot, lambda: screen.editor.text == clean_post(example_paper), timeout=10, what="reload 2")


async def test_edit_in_editor_reloads_on_return(example_paper, store, tmp_path, monkeypatch):
    script = tmp_path / "fake-editor.py"
    script.write_text("import sys\np = sys.argv[1]\nopen(p, 'a', encoding='utf-8').write('Added in the editor.\\n')\n")
    import sys

    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        before = screen.editor.text
        await pilot.press("ctrl+e")
        await wait_idle(pilot)
        assert screen.editor.text == before + "Added in the editor.\n"
        assert store.latest(screen.review.session_id).origin == "edit"


async def test_quit_asks_when_unsaved(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        await ask_to_quit(pilot)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.is_running
        await ask_to_quit(pilot)
        await pilot.click("#yes")
        await pilot.pause(0.2)
    assert app.return_value == 0


async def test_reopening_the_paper_offers_to_resume(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        first_session = main_screen(app).review.session_id
        text = main_screen(app).editor.text
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="resume dialog")
        assert app.screen.id == "resume-dialog"
        await pilot.click("#yes")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id == first_session and screen.editor.text == text
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="resume dialog")
        await pilot.click("#no")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id is None and screen.editor.text == ""


@pytest.mark.parametrize("mode", ["success", "midstream"])
async def test_generate_through_the_fake_gemini_server(example_paper, store, mode):
    from fake_gemini import FakeGemini

    from posttui.config import Config
    from posttui.llm.gemini import GeminiBackend

    post = OfflineWriter(example_paper, model="gemini-2.5-pro").post()  # a post whose footer names Gemini
    with FakeGemini(text=post, chunk_size=300, mode=mode) as fake:
        backend = GeminiBackend(Config(gemini_base_url=fake.base_url), key="test-key", attempts=1,
                                model="gemini-2.5-pro")
        app = make_app(example_paper, store, backend=backend)
        async with app.run_test(size=SIZE) as pilot:
            await generate(pilot)
            screen = main_screen(app)
            header = screen.status.render().plain
            assert "gemini:gemini-2.5-pro" in header
            if mode == "success":
                assert screen.editor.text == post
                assert screen.status.state == "done"
                assert screen.status.tokens == 1500 and screen.status.cost > 0
                body = fake.generate_requests()[0].body
                assert body["contents"][0]["parts"][0]["text"] == build_prompt(example_paper, "site",
                                                                              model="gemini-2.5-pro")
            else:
                kept = screen.editor.text
                assert kept and post.startswith(kept) and kept != post
                assert screen.status.state == "failed"
                assert store.latest(screen.review.session_id).text == kept
                assert any("Generation failed" in (n.title or "") for n in app._notifications)


async def test_stop_closes_the_gemini_connection(example_paper, store):
    from fake_gemini import FakeGemini

    from posttui.config import Config
    from posttui.llm.gemini import GeminiBackend

    post = OfflineWriter(example_paper, model="gemini-2.5-pro").post()
    with FakeGemini(text=post, chunk_size=50, mode="slow", delay=0.1) as fake:
        backend = GeminiBackend(Config(gemini_base_url=fake.base_url), key="test-key", attempts=1,
                                model="gemini-2.5-pro")
        app = make_app(example_paper, store, backend=backend)
        async with app.run_test(size=SIZE) as pilot:
            await wait_idle(pilot)
            screen = main_screen(app)
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: len(screen.editor.text) >= 100, what="some text")
            await pilot.press("escape")
            await wait_for(pilot, lambda: not screen.busy, timeout=1.0, what="stop")
            assert screen.status.state == "stopped"
            assert fake.disconnected.wait(3), "the server never saw the client go away"
            kept = screen.editor.text
            assert post.startswith(kept) and len(kept) < len(post)


async def test_approve_with_image_generation_saves_the_png(example_paper, store, site):
    from fake_gemini import FakeGemini

    from posttui.config import Config
    from posttui.llm.gemini import GeminiBackend

    with FakeGemini(chunk_size=400, script=["success", "success", "image"]) as fake:
        config = Config(gemini_base_url=fake.base_url, image_generation=True, image_model="gemini-2.5-flash-image")
        # A post whose footer names the models in use (Gemini for the text, the image model for the picture).
        post = OfflineWriter(example_paper, config=config, model="gemini-2.5-pro").post()
        fake.text = post
        backend = GeminiBackend(config, key="test-key", attempts=1, model="gemini-2.5-pro")
        app = PosttuiApp(paper=example_paper, store=store, site=site, config=config, offer_resume=False,
                         backend_factory=lambda p: backend)
        async with app.run_test(size=SIZE) as pilot:
            await generate(pilot)
            screen = main_screen(app)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: screen.status.state in ("saved", "failed", "blocked"), what="save")
            name = example_paper.post_name
            assert screen.status.state == "saved", [n.message for n in app._notifications]
            image = site / "assets" / "images" / "posts" / f"{name}.png"
            assert image.read_bytes() == fake.image_bytes
            assert (site / "_posts" / f"{name}.md").read_text(encoding="utf-8") == post


async def test_typing_is_kept_as_versions_and_not_clobbered_by_the_watcher(example_paper, store):
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        screen = main_screen(app)
        screen.editor.focus()
        screen.editor.move_cursor(screen.editor.document.end)
        await pilot.press(*"Hello")
        await wait_for(pilot, lambda: store.latest(screen.review.session_id).origin == "edit", timeout=5, what="edit version")
        await pilot.press(*" world")  # typed after the draft file was written
        await pilot.pause(0.8)  # the watcher has seen the app's own write by now
        assert screen.editor.text.endswith("Hello world")
        await wait_for(pilot, lambda: store.latest(screen.review.session_id).text.endswith("Hello world"), timeout=5,
                       what="second edit version")
        assert screen.review.draft_file.path.read_text(encoding="utf-8").endswith("Hello world")


async def test_site_settings_select_the_rules(example_paper, store, site):
    (site / ".posttui.toml").write_text('[check]\nignore = ["PT031"]\n', encoding="utf-8")
    draft = with_defects(clean_post(example_paper))
    backend = ScriptedBackend(chunked(draft), model=OFFLINE)
    app = make_app(example_paper, store, site=site, backend=backend)
    async with app.run_test(size=SIZE) as pilot:
        await generate(pilot)
        assert [f.rule for f in main_screen(app).review.findings] == ["PT020"]


async def test_ten_thousand_problems_are_counted_but_the_list_is_capped(example_paper, store):
    from posttui.tui.widgets.problems import MAX_ROWS, ProblemsTable

    bad = "\n\n".join(f"See \\citep{{ref{i}}} for details." for i in range(10_000))
    draft = clean_post(example_paper).replace("<!-- END OF GENERATED POST -->",
                                              bad + "\n\n<!-- END OF GENERATED POST -->", 1)
    app = make_app(example_paper, store)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await wait_idle(pilot)
        screen.review.record(draft, "edit")
        screen.show_text(draft)
        await wait_for(pilot, lambda: len(screen.review.findings) >= 10_000, what="check", timeout=60)
        table = screen.query_one(ProblemsTable)
        assert table.row_count == MAX_ROWS + 1 and table.not_listed == len(screen.review.findings) - MAX_ROWS
        assert "more problems not listed" in str(table.get_row("more")[-1])
        errors = len(screen.review.errors)
        assert errors >= 10_000 and f"Problems: {errors} errors" in str(screen.query_one("#problems-pane").border_title)
        await pilot.press("f3")  # still answering keys
        assert app.focused is table
