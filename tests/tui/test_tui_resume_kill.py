"""Resume after a killed process: the app streams in a subprocess, gets SIGKILL, and the draft is still there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from conftest import EXAMPLE, main_screen, wait_for, wait_idle

from posttui.llm.offline import OfflineBackend, OfflineWriter
from posttui.session import SessionStore
from posttui.tui.app import PosttuiApp
from posttui.tui.screens.dialogs import ConfirmDialog

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    import posttui
    from posttui.llm.offline import OfflineBackend
    from posttui.session import SessionStore
    from posttui.tui.app import PosttuiApp

    paper = posttui.load(sys.argv[1])
    store = SessionStore.open(sys.argv[2])

    async def main():
        backend = OfflineBackend(paper, delay=0.05, chunk_size=20)
        app = PosttuiApp(paper=paper, store=store, backend_factory=lambda p: backend, offer_resume=False)
        async with app.run_test(size=(100, 30)) as pilot:
            while app.screen.__class__.__name__ != "MainScreen" or app.screen.review.checker is None:
                await pilot.pause(0.05)
            await pilot.press("ctrl+g")
            while True:
                print(len(app.screen.editor.text), flush=True)
                await pilot.pause(0.1)

    asyncio.run(main())
    """
)


async def test_resume_after_sigkill_mid_stream(tmp_path, example_paper):
    db = tmp_path / "sessions.db"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(EXAMPLE), str(db)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ})
    seen: list[tuple[float, int]] = []

    def read():
        for line in proc.stdout:
            seen.append((time.monotonic(), int(line)))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (seen and seen[-1][1] > 600):
        time.sleep(0.05)
    assert seen and seen[-1][1] > 600, "the child did not stream"
    time.sleep(0.7)
    killed_at = time.monotonic()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    reader.join(timeout=5)
    full = OfflineWriter(example_paper).post()

    store = SessionStore.open(db)
    session = store.list()[0]
    stored = store.latest(session.id)
    assert not stored.complete  # the stream never finished
    assert full.startswith(stored.text) and len(stored.text) < len(full)
    received_a_second_before = max(n for t, n in seen if t <= killed_at - 1.0)
    assert len(stored.text) >= received_a_second_before

    backend = OfflineBackend(example_paper)
    app = PosttuiApp(paper=example_paper, store=store, backend_factory=lambda p: backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="resume dialog")
        await pilot.click("#yes")
        await wait_idle(pilot)
        screen = main_screen(app)
        assert screen.review.session_id == session.id
        assert screen.editor.text == stored.text
        assert any("interrupted" in n.message for n in app._notifications)
        # Generating again finishes the post in the same session.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: not screen.busy, what="generation")
        await wait_idle(pilot)
        assert screen.editor.text == full
    store.close()
