"""The app tells the user exactly what the CLI tells them: every refused source of the catalogue, opened in the app.

For each source case that the CLI refuses (exit 2), the same input is opened in the Textual app (headless); the
app must land back on its start screen with an error notification whose text is the library error, the very text
the CLI prints after ``posttui: error:``.
"""

from __future__ import annotations

import time

import pytest
from catalogue import Ctx, squash
from test_sources import CASES

import posttui
from posttui.errors import PosttuiError
from posttui.session import SessionStore

REFUSED = [c for c in CASES if c.exit == 2 and c.library is not None]


@pytest.mark.parametrize("case", [c.param() for c in REFUSED])
async def test_app_shows_the_cli_message(case, tmp_path, monkeypatch, capsys, request):
    from posttui.cli import main
    from posttui.tui.app import PosttuiApp
    from posttui.tui.screens.start import StartScreen

    ctx = Ctx(tmp_path, monkeypatch, facts={"tmp": tmp_path, "cleanup": []})
    request.addfinalizer(lambda: [cleanup() for cleanup in ctx.facts["cleanup"]])
    if case.name.startswith("arxiv-"):
        ctx.facts["server"] = request.getfixturevalue("arxiv")
    argv = [str(a) for a in case.setup(ctx)]
    source = argv[-1]
    with pytest.raises(PosttuiError) as info:
        posttui.load(source)
    expected = str(info.value)
    capsys.readouterr()
    assert main(argv) == 2
    assert squash(f"posttui: error: {expected}") in squash(capsys.readouterr().err)

    store = SessionStore.memory()
    app = PosttuiApp(source=source, store=store, backend_name="offline", offer_resume=False)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            end = time.monotonic() + 30
            errors = []
            while time.monotonic() < end:
                errors = [n for n in app._notifications if n.severity == "error"]
                if errors and isinstance(app.screen, StartScreen):
                    break
                await pilot.pause(0.05)
            assert errors, "the app showed no error"
            assert isinstance(app.screen, StartScreen), "the app did not return to its start screen"
            assert errors[-1].message == expected
            assert errors[-1].title == f"Could not open {source}"
    finally:
        store.close()


from test_sources import arxiv  # noqa: E402,F401 - the fake arXiv fixture for the arxiv-* cases
