"""The stylesheets live in the top-level styles/ folder and must be inside the wheel (as posttui/styles)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_stylesheet(tmp_path):
    styles = sorted(p.name for p in (ROOT / "styles").glob("*.tcss"))
    assert "app.tcss" in styles
    try:
        import hatchling  # noqa: F401

        isolation = ["--no-isolation"]  # the build backend is already installed: no download needed
    except ImportError:
        isolation = []
    out = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        pytest.fail(f"wheel build failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    wheels = list(tmp_path.glob("posttui-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        for name in styles:
            member = f"posttui/styles/{name}"
            assert member in names, f"{member} missing from the wheel"
            assert wheel.read(member) == (ROOT / "styles" / name).read_bytes()


def test_styles_are_found_in_the_repository_checkout():
    from posttui.tui.styles import styles_dir

    assert (styles_dir() / "app.tcss").is_file()
