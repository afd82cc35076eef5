"""Bibliography parsing speed: posttui's regex fast path for LaTeX text vs pylatexenc alone, same process.

Usage: python bench/references.py [SHARED_DIR]   (default ../shared; the corpus prompts' bbl blocks are parsed)
Prints the time for every corpus bbl with the fast path, without it (every fragment through pylatexenc), the
ratio, and the slowest single paper.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from posttui import latex_text
from posttui.references import parse_bbl

BBL_BLOCK = re.compile(r"```bbl\n(.*?)\n```\n\n5\. \*\*Author Information", re.S)


def run(bbls: list[str]) -> tuple[float, float]:
    worst = 0.0
    start = time.perf_counter()
    for bbl in bbls:
        t0 = time.perf_counter()
        for ref in parse_bbl(bbl):
            ref.title  # noqa: B018 - an entry's text is read on first use: read it, that is what is measured
        worst = max(worst, time.perf_counter() - t0)
    return time.perf_counter() - start, worst


def main(argv: list[str]) -> int:
    shared = Path(argv[1] if len(argv) > 1 else "../shared")
    prompts = sorted((shared / "corpus/site/prompts/content").glob("*.txt"))
    bbls = [m.group(1) for p in prompts if (m := BBL_BLOCK.search(p.read_text(encoding="utf-8")))]
    if not bbls:
        print(f"no corpus prompts under {shared}", file=sys.stderr)
        return 2
    fast, fast_worst = run(bbls)
    original = latex_text._fast_text
    latex_text._fast_text = lambda text: None  # baseline: every fragment through pylatexenc
    try:
        slow, slow_worst = run(bbls)
    finally:
        latex_text._fast_text = original
    print(f"papers={len(bbls)} fast path: {fast:.2f} s (worst paper {fast_worst * 1000:.0f} ms); "
          f"pylatexenc only: {slow:.2f} s (worst {slow_worst * 1000:.0f} ms); speed-up x{slow / fast:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
