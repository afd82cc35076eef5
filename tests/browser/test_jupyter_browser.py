"""The notebook editor in a real browser: JupyterLab on 127.0.0.1, Debian's chromium driven by Playwright.

The whole run is scripts/jupyter_screenshot.py (the script that also makes screenshots/jupyter-editor.png): open
the example notebook, run all cells, click Generate, paste a LaTeX citation, see it highlighted, click Fix, click
Approve, find the post in the site folder. .ci/run installs chromium and the browser extras, so it runs there."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "jupyter_screenshot.py"


def load_script():
    spec = importlib.util.spec_from_file_location("jupyter_screenshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_editor_generates_fixes_and_approves_in_jupyterlab(tmp_path):
    script = load_script()
    why = script.missing()
    if why and os.environ.get("POSTTUI_BROWSER_TEST") == "required":
        pytest.fail(f"the browser test must run here (POSTTUI_BROWSER_TEST=required): {why}")
    if why:
        pytest.skip(f"no browser run here: {why}")
    out = tmp_path / "jupyter-editor.png"
    post = script.run(out)
    assert post.name.endswith(".md")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
