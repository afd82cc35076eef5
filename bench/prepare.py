"""Benchmark: how long opening a paper and building its prompt takes, and how much the lean prompt saves.

Usage: ``python bench/prepare.py [SHARED_DIR]`` (default ``../shared`` beside the project).

1. Time to load + build the site prompt for the *largest* saved prompt of the corpus (goal: <= 300 ms), as the
   median of several cold runs (caches cleared), and the lean prompt on top of it. The baseline measured in the
   same process is the time to read and decode the file and ``yaml.safe_load`` a same-sized plain YAML list of
   its lines (a naive "parse this much text" cost), so the ratio shows the overhead independent of the machine.
2. The lean/site token ratio over every corpus prompt (median, goal <= 0.65, i.e. >= 35% fewer tokens), with
   tokens from :func:`posttui.prompt.estimate_tokens` and, for comparison, the plain ``chars / 4`` rule.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _corpus(shared: Path) -> list[Path]:
    content = shared / "corpus" / "site" / "prompts" / "content"
    files = sorted(p for p in content.glob("*.txt") if p.name != "index.txt")
    return files + sorted((shared / "seeds").glob("*.txt"))


def _cold() -> None:
    """Forget everything cached between runs so each run pays the full price."""
    from posttui import prompt
    from posttui.sources import saved_prompt

    prompt._read_template.cache_clear()
    saved_prompt._gaps.cache_clear()


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        _cold()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared"
    files = _corpus(shared)
    if not files:
        print(f"no saved prompts under {shared}; nothing to measure", file=sys.stderr)
        return 1
    from posttui.sources import load
    from posttui.prompt import build_prompt, estimate_tokens

    largest = max(files, key=lambda p: p.stat().st_size)
    load(largest).prompt()  # import everything once; imports are not what we measure
    import yaml

    def naive_parse() -> None:
        lines = largest.read_bytes().decode("utf-8").splitlines()
        yaml.safe_load(yaml.safe_dump(lines[:2000]))

    baseline = _median_ms(naive_parse, 7)
    site_ms = _median_ms(lambda: build_prompt(load(largest), "site"), 7)
    lean_ms = _median_ms(lambda: build_prompt(load(largest), "lean"), 3)
    size_kb = largest.stat().st_size / 1024
    print(f"largest saved prompt: {largest.name} ({size_kb:.0f} KiB)")
    print(f"  baseline (read + naive YAML): {baseline:8.2f} ms")
    print(f"  load + site prompt:           {site_ms:8.2f} ms  ({site_ms / baseline:.2f}x baseline; goal <= 300 ms: "
          f"{'met' if site_ms <= 300 else 'MISSED'})")
    print(f"  load + lean prompt:           {lean_ms:8.2f} ms  (includes LaTeX analysis and reference parsing)")

    ratios, char_ratios = [], []
    for path in files:
        paper = load(path)
        site, lean = build_prompt(paper, "site"), build_prompt(paper, "lean")
        ratios.append(estimate_tokens(lean) / estimate_tokens(site))
        char_ratios.append(len(lean) / len(site))
    median = statistics.median(ratios)
    print(f"lean/site estimated-token ratio over {len(files)} prompts: median {median:.3f} "
          f"({1 - median:.0%} fewer tokens; goal >= 35%: {'met' if median <= 0.65 else 'MISSED'}), "
          f"min {min(ratios):.3f}, max {max(ratios):.3f}")
    print(f"lean/site chars/4 ratio: median {statistics.median(char_ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
