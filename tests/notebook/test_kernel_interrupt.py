"""In a real kernel, interrupting ``await s.generate()`` stops the stream the way Stop does: what arrived is kept
as the draft and as a version in the session store."""

from __future__ import annotations

import time

import pytest
from notebook_helpers import EXAMPLE, ROOT

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")


def test_interrupting_the_cell_keeps_what_arrived(tmp_path):
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        setup = (
            f"import sys; sys.path.insert(0, {str(ROOT / 'tests' / 'tui')!r})\n"
            "from scripted import ScriptedBackend\n"
            "import posttui\n"
            "from posttui.notebook import NotebookSession\n"
            "from posttui.session import SessionStore\n"
            "from posttui.workflow import Review\n"
            f"store = SessionStore.open({str(tmp_path / 'sessions.db')!r})\n"
            f"review = Review(posttui.load({str(EXAMPLE)!r}), store=store,\n"
            "                backend=ScriptedBackend(['word '] * 3000, delay=0.01))\n"
            "s = NotebookSession(review)\n"
        )
        assert kc.execute_interactive(setup, timeout=60)["content"]["status"] == "ok"
        kc.execute("await s.generate()")
        time.sleep(2)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=30)
        assert reply["content"]["status"] == "error"
        out = []
        kc.execute_interactive(
            "print(len(s.text), s.review.state, store.current(s.session_id).text == s.text)", timeout=30,
            output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        kept, state, stored = "".join(out).split()
        assert 0 < int(kept) < len("word ") * 3000 and state == "stopped" and stored == "True"
    finally:
        km.shutdown_kernel(now=True)
