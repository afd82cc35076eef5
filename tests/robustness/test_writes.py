"""Every write goes through one writer: it never replaces a device, a FIFO or a link, and a closed standard output
never costs the user a save. Each case asserts the exit status, the message and what stays intact."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from posttui.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
@pytest.mark.parametrize("command", ["generate", "prompt"])
def test_out_to_a_device_writes_through_and_never_replaces_it(tmp_path, capsys, command):
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device's numbers, in the temp folder
    assert main([command, str(EXAMPLE), "--out", str(node)]) == 0
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    capsys.readouterr()


def test_fixing_a_symlinked_post_refuses_and_claims_nothing(site, tmp_path, capsys):
    real = tmp_path / "real.md"
    real.write_text("<!-- BEGINNING OF GENERATED POST -->\nSee \\emph{this}.\n")
    link = site / "_posts" / "post.md"
    link.symlink_to(real)
    code = main(["check", str(link), "--fix"])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{link}: is a symbolic link; posttui does not write through links" in err
    assert f"write to the file it points to ({real}) instead" in err
    assert "fixed" not in out
    assert link.is_symlink() and real.read_text().endswith("\\emph{this}.\n")


def test_a_symlinked_out_file_is_refused_before_any_model_call(tmp_path, capsys):
    target = tmp_path / "elsewhere.md"
    target.write_text("keep me")
    link = tmp_path / "draft.md"
    link.symlink_to(target)
    assert main(["generate", str(EXAMPLE), "--out", str(link), "--force"]) == 2
    err = capsys.readouterr().err
    assert "is a symbolic link; posttui does not write through links" in err and "generating" not in err
    assert target.read_text() == "keep me" and link.is_symlink()


def test_a_closed_stdout_does_not_cost_the_save(site):
    """`posttui generate --save | head -1`: the reader goes away, the post is saved all the same."""
    proc = subprocess.Popen([sys.executable, "-m", "posttui", "generate", str(EXAMPLE), "--site", str(site),
                             "--save"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "standard output was closed; carrying on without printing the draft" in err
    assert "Traceback" not in err
    assert len(list((site / "_posts").glob("*.md"))) == 1
