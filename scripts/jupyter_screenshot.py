"""Drive the notebook editor in a real browser, as a user would, and save its screenshot.

JupyterLab serves a copy of ``examples/notebook.ipynb`` on 127.0.0.1; Debian's chromium, driven by Playwright
(``executable_path``, no browser download), opens it, runs all cells, clicks the editor's Generate, pastes a
LaTeX citation into the draft (as a user might), sees the problem highlighted in place, clicks Fix, clicks Approve,
and checks that the post is in the site folder. The PNG of the editor (with the highlighted problem) goes to
``screenshots/jupyter-editor.png`` unless ``--out`` says otherwise.

Everything runs in one temporary folder (HOME, Jupyter's settings, the notebook's temporary sites), deleted at
the end. Exits non-zero, saying where, when any step fails.

    python scripts/jupyter_screenshot.py [--out PATH] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"
"""Debian's chromium binary (``/usr/bin/chromium`` is a shell wrapper)."""
SETTINGS = {
    # no news pop-up over the screenshot; outputs never saved back into the notebook file
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def missing(chromium: str = CHROMIUM) -> str | None:
    """Why the browser run cannot happen here, or None when it can."""
    if not Path(chromium).is_file():
        return f"no chromium at {chromium} (apt-get install chromium)"
    for module in ("playwright", "jupyterlab", "ipywidgets"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[jupyter,browser-test]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def run(out: Path, chromium: str = CHROMIUM, timeout: float = 90.0) -> Path:
    """Do the whole run; returns the post it approved. Raises AssertionError naming the step that failed."""
    from playwright.sync_api import expect, sync_playwright

    work = Path(tempfile.mkdtemp(prefix="posttui-jupyter-"))
    server = None
    try:
        home, root, tmp = work / "home", work / "root", work / "tmp"
        for folder in (home, root, tmp):
            folder.mkdir()
        for name, value in SETTINGS.items():
            path = home / ".jupyter" / "lab" / "user-settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value), encoding="utf-8")
        shutil.copy(ROOT / "examples" / "notebook.ipynb", root / "notebook.ipynb")
        shutil.copytree(ROOT / "examples" / "synthetic-paper", root / "synthetic-paper")
        port, token = _free_port(), secrets.token_hex(16)
        env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
        env.update(HOME=str(home), TMPDIR=str(tmp), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
                   JUPYTER_RUNTIME_DIR=str(work / "runtime"), POSTTUI_DATA_DIR=str(work / "data"),
                   POSTTUI_CACHE_DIR=str(work / "cache"), POSTTUI_CONFIG=str(work / "config.toml"))
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"))  # noqa: SIM115
        base = f"http://127.0.0.1:{port}"
        end = time.monotonic() + 60
        while not _get(f"{base}/api/status?token={token}"):
            if server.poll() is not None or time.monotonic() > end:
                raise AssertionError("JupyterLab did not start:\n" + (work / "server.log").read_text()[-2000:])
            time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_page(viewport={"width": 1500, "height": 1250})
            page.set_default_timeout(timeout * 1000)
            page.goto(f"{base}/lab/tree/notebook.ipynb?token={token}")
            page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).first.wait_for()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile("^Run All Cells")).click()
            editor = page.locator(".posttui-editor")
            editor.wait_for()
            site = Path(re.search(r"editor site: (\S+)", page.locator("body").inner_text()).group(1))
            editor.scroll_into_view_if_needed()
            editor.get_by_role("button", name="Generate", exact=True).click()
            draft = editor.locator(".widget-textarea textarea").first
            expect(draft).to_have_value(re.compile("Key results"))
            expect(editor.locator(".widget-html-content").filter(has_text="No problems.").first).to_be_visible()
            text = draft.input_value()
            draft.fill(text.replace("Okonkwo et al. showed", "\\citet{okonkwo2024} showed", 1))
            draft.blur()  # the text area sends its value when it loses focus (continuous_update off)
            mark = editor.locator("mark.posttui-error")
            expect(mark.first).to_be_visible()
            assert "okonkwo2024" in mark.first.inner_text() and "PT020" in mark.first.get_attribute("title")
            draft.evaluate("(el) => { const i = el.value.indexOf('\\\\citet');"
                           " el.scrollTop = el.scrollHeight * i / el.value.length - 120; }")
            mark.first.scroll_into_view_if_needed()
            editor.scroll_into_view_if_needed()
            out.parent.mkdir(parents=True, exist_ok=True)
            editor.screenshot(path=str(out))
            editor.get_by_role("button", name="Fix", exact=True).click()
            expect(mark).to_have_count(0)
            editor.get_by_role("button", name="Approve", exact=True).click()
            try:
                expect(editor).to_contain_text(re.compile(r"saved: [^·]*_posts/"))
            except AssertionError:
                raise AssertionError(f"not saved; the editor says: {editor.inner_text()[:1500]}") from None
            browser.close()
        posts = list((site / "_posts").glob("*.md"))
        assert len(posts) == 1, f"expected one post in {site}/_posts, found {posts}"
        post = posts[0].read_text(encoding="utf-8")
        assert "\\citet" not in post and "okonkwo2024" not in post, "the fixed draft was not the one saved"
        return posts[0]
    finally:
        if server is not None:
            try:
                urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
                    f"http://127.0.0.1:{port}/api/shutdown?token={token}", method="POST"), timeout=5)
            except OSError:
                pass
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "jupyter-editor.png")
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args(argv)
    why = missing(args.chromium)
    if why:
        print(f"jupyter_screenshot: cannot run: {why}", file=sys.stderr)
        return 2
    post = run(args.out, args.chromium)
    print(f"approved {post.name}; screenshot {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
