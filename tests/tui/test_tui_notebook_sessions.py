"""Sessions are shared between the notebook and the app: each resumes what the other started (posttui resume ID
opens the app with ``resume=ID``, which is what these drive headless)."""

from __future__ import annotations

from pathlib import Path

from conftest import main_screen, wait_for, wait_idle
from scripted import ScriptedBackend

import posttui
from posttui.llm.offline import OfflineBackend
from posttui.tui.app import PosttuiApp

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"
SIZE = (120, 40)


async def test_a_notebook_session_resumes_in_the_app(site, store):
    session = posttui.open(EXAMPLE, site=site, backend="offline", store=store)
    await session.generate()
    session.edit(session.text.replace("## Key results", "## Key results\n\nWritten in a notebook.", 1))
    app = PosttuiApp(store=store, site=site, backend_factory=lambda paper: OfflineBackend(paper),
                     resume=session.session_id)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any(type(s).__name__ == "MainScreen" for s in app.screen_stack),
                       what="the main screen")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id == session.session_id
        assert "Written in a notebook." in screen.review.text
        assert screen.editor.text == screen.review.text
    await session.aclose()


async def test_an_app_session_resumes_in_the_notebook(site, store):
    backend = ScriptedBackend(["---\nlayout: post\n", "title: from the app\n"])
    app = PosttuiApp(source=str(EXAMPLE), store=store, site=site, backend_factory=lambda paper: backend,
                     offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any(type(s).__name__ == "MainScreen" for s in app.screen_stack),
                       what="the main screen")
        await wait_idle(pilot)
        await pilot.press("ctrl+g")
        review = main_screen(app).review
        await wait_for(pilot, lambda: "from the app" in review.text and not review.busy, what="generation")
        session_id = main_screen(app).review.session_id
        text = main_screen(app).review.text
    assert "from the app" in text
    resumed = posttui.open(session=session_id, site=site, backend="offline", store=store)
    assert resumed.session_id == session_id and resumed.text == text
    resumed.edit(text + "\nand the notebook\n")
    assert store.current(session_id).text.endswith("and the notebook\n")
    await resumed.aclose()
