"""The core library must work with no UI: importing it must never import Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import posttui


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(posttui.__path__, prefix="posttui."):
        if info.name.startswith("posttui.tui") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_core_modules_exist():
    names = core_modules()
    assert "posttui.paper" in names and "posttui.cli" in names


def test_core_never_imports_textual():
    modules = core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported textual: {out.stdout.strip()[:300]}"
