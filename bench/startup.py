"""Start-up cost: ``python bench/startup.py``.

CPU time (process level, best of 7) of ``posttui --version``, ``posttui --help`` and a few headless commands'
``--help``, each as a multiple of ``python -c pass`` measured in the same run (goal <= 3x for --version and
--help), and the heavy modules each one imports (it should import only what it uses).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _proc import best  # noqa: E402

HEAVY = ("asyncio", "ssl", "feedparser", "yaml", "pylatexenc", "markdown_it", "google", "textual", "platformdirs",
         "bibtexparser", "posttui.paper", "posttui.latex", "posttui.references", "posttui.rules")
"""Modules worth noticing in a command that should not need them."""

PROBE = """
import sys
from posttui.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def entry_point() -> list[str]:
    """The installed ``posttui`` console script beside this Python (what users run), else ``python -m posttui``."""
    script = Path(sys.executable).parent / "posttui"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "posttui"]


def imported(args: list[str]) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False).stdout
    modules = set(out.split())
    return [name for name in HEAVY if name in modules]


def main() -> int:
    base = best([sys.executable, "-c", "pass"], 7).cpu
    print(f"python -c pass: {base * 1000:.1f} ms CPU")
    posttui = entry_point()
    for args, goal in ((["--version"], 3), (["--help"], 3), (["check", "--help"], None), (["prompt", "--help"], None),
                       (["info", "--help"], None)):
        run = best([*posttui, *args], 7)
        target = f" (goal <= {goal}x)" if goal else ""
        heavy = imported(args)
        print(f"posttui {' '.join(args):16} {run.cpu * 1000:6.1f} ms CPU = {run.cpu / base:5.2f}x python -c pass{target}; "
              f"heavy imports: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
