"""Signals during a save: whatever arrives at any point, the site holds the old files or the new ones, and the next
run works. Real processes, real signals; the save is slowed down (each fsync waits) so that the signal lands in
the middle of it, at the moment the save's journal appears."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"

SLOW_FSYNC = """
import os, time
_real = os.fsync
def _slow(fd):
    time.sleep(float(os.environ.get("POSTTUI_TEST_FSYNC_DELAY", "0.3")))
    return _real(fd)
os.fsync = _slow
"""


def _env(tmp_path: Path, slow: bool) -> dict:
    env = dict(os.environ)
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SLOW_FSYNC)
    if slow:
        env["PYTHONPATH"] = os.pathsep.join([str(hook), env.get("PYTHONPATH", "")])
    return env


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and p.name != "_config.yml"}


def _save(site: Path, env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "posttui", "generate", str(EXAMPLE), "--site", str(site), "--save",
                             "--out", str(site.parent / f"draft-{time.monotonic_ns()}.md"), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_journal(site: Path, proc: subprocess.Popen) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if list(site.glob(".posttui-*.journal")) or proc.poll() is not None:
            return
        time.sleep(0.005)
    raise AssertionError("the save never started")


def _first_save(site: Path, env: dict) -> dict[str, bytes]:
    proc = _save(site, {k: v for k, v in env.items() if k != "PYTHONPATH"} | {"PYTHONPATH": ""})
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return _files(site)


@pytest.mark.parametrize("sig, replacing", [
    (signal.SIGTERM, False),
    (signal.SIGINT, False),
    (signal.SIGINT, True),
    (signal.SIGTERM, True),
    (signal.SIGKILL, False),
    (signal.SIGKILL, True),
])
def test_a_signal_during_the_save_leaves_the_old_or_the_new_state(site, tmp_path, sig, replacing):
    env = _env(tmp_path, slow=True)
    old = _first_save(site, env) if replacing else {}
    if replacing:  # make the new save differ from the old one, so "old" and "new" can be told apart
        for path in site.rglob("*.md"):
            path.write_text(path.read_text() + "\nedited by hand\n")
        old = _files(site)
    proc = _save(site, env, *(["--force"] if replacing else []))
    _wait_for_journal(site, proc)
    time.sleep(0.4)  # within the commit: at least one file is being written
    proc.send_signal(sig)
    proc.communicate(timeout=120)
    after = {k: v for k, v in _files(site).items() if ".journal" not in k and not k.startswith(".posttui-")}
    old_files = {k: v for k, v in old.items() if not k.startswith(".posttui-")}
    if sig != signal.SIGKILL:
        # The commit finishes before the process ends: the new state, complete, and nothing left behind.
        assert not list(site.glob(".posttui-*")), sorted(p.name for p in site.glob(".posttui-*"))
        assert len(after) == 3 and after != old_files
    # Whatever happened, the next run works (a killed save is rolled back first) and leaves the new state.
    retry = _save(site, {k: v for k, v in env.items() if k != "PYTHONPATH"} | {"PYTHONPATH": ""}, "--force")
    out, err = retry.communicate(timeout=120)
    assert retry.returncode == 0, err
    assert not list(site.glob(".posttui-*"))
    final = _files(site)
    assert len(final) == 3 and all("edited by hand" not in v.decode() for v in final.values())


def test_a_killed_save_is_rolled_back_to_the_old_files_by_the_next_save(site, tmp_path):
    """SIGKILL cannot be deferred: the journal lets the next save put back exactly the old files first."""
    env = _env(tmp_path, slow=True)
    _first_save(site, env)
    for path in site.rglob("*.md"):
        path.write_text("the old post, edited by hand\n")
    old = _files(site)
    proc = _save(site, env, "--force")
    end = time.monotonic() + 60
    while not list(site.glob(".posttui-*.journal/journal.json")) and time.monotonic() < end:
        time.sleep(0.005)
    time.sleep(0.5)  # the journal holds its copies; the new files are being written
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert _files(site) != old  # half a save is on disk ...
    from posttui.site import Site

    name = next(site.glob("_posts/*.md")).stem
    recovered = Site(site).recover(name)  # ... until the next save (or this) rolls it back
    assert recovered and _files(site) == old
    shutil.rmtree(tmp_path / "hook")
