"""Lean prompt vs arxiv-to-prompt: ``python bench/lean.py [SHARED_DIR] [--repeat N] [--limit N]``.

Every corpus saved prompt is unpacked into an ordinary bundle (TeX, .bbl, metadata, authors) in a temporary
folder; then, per paper, the CPU time (process level, best of ``--repeat``, default 3) of
``posttui prompt BUNDLE --lean`` is divided by that of ``arxiv-to-prompt --local-folder BUNDLE`` on the same
folder (goal <= 1.5x on every paper). The same is done for a paper with a ~330 KB bibliography, made by giving
the smallest corpus paper the ``\\bibitem`` blocks of the whole corpus. Also prints, in process, how many times
``split_authors`` and ``latex_to_text`` run for that big-bibliography paper (work that should not repeat).

arxiv-to-prompt comes with the optional ``bench`` extra (``pip install -e '.[bench]'``); without it only
posttui's own times are printed.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _proc import POSTTUI, best, peer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIG_BBL_BYTES = 330_000


def unpack_corpus(shared: Path, into: Path) -> list[Path]:
    from posttui.sources.saved_prompt import unpack_saved_prompt

    bundles = []
    for prompt in sorted((shared / "corpus" / "site" / "prompts" / "content").glob("*.txt")):
        target = into / prompt.stem
        unpack_saved_prompt(prompt, target)
        bundles.append(target)
    return bundles


def big_bibliography_bundle(shared: Path, bundles: list[Path], into: Path) -> Path:
    """The smallest corpus paper with every corpus ``\\bibitem`` bibliography appended to its .bbl (~330 KB)."""
    from posttui.sources.saved_prompt import unpack_saved_prompt

    blocks = []
    for bundle in bundles:
        for bbl in bundle.glob("*.bbl"):
            text = bbl.read_text(encoding="utf-8")
            if "\\bibitem" in text and "\\entry{" not in text:  # natbib-style only: one style in one file
                blocks.append(text)
    smallest = min(bundles, key=lambda b: sum(f.stat().st_size for f in b.glob("*.tex")))
    target = into / f"{smallest.name}-bigbib"
    source = shared / "corpus" / "site" / "prompts" / "content" / f"{smallest.name}.txt"
    unpack_saved_prompt(source, target)
    own = next(target.glob("*.bbl"), target / f"{smallest.name}.bbl")
    text = own.read_text(encoding="utf-8") if own.is_file() else ""
    for block in blocks:
        if len(text.encode("utf-8")) >= BIG_BBL_BYTES:
            break
        text += "\n" + block
    own.write_text(text, encoding="utf-8")
    return target


def call_counts(bundle: Path) -> tuple[int, int]:
    """How many times split_authors and latex_to_text run while building the lean prompt of ``bundle``."""
    import cProfile
    import pstats

    from posttui.prompt import build_prompt

    try:
        from posttui.sources import load
    except ImportError:  # an older posttui (the "before" numbers)
        from posttui.paper import load

    profile = cProfile.Profile()
    profile.runcall(lambda: build_prompt(load(bundle), "lean"))
    calls = {"split_authors": 0, "latex_to_text": 0}
    for (_, _, function), (_, total_calls, *_rest) in pstats.Stats(profile).stats.items():
        if function in calls:
            calls[function] += total_calls
    return calls["split_authors"], calls["latex_to_text"]


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    limit = int(argv[argv.index("--limit") + 1]) if "--limit" in argv else None
    if "--repeat" in argv:
        args.remove(str(repeat))
    if "--limit" in argv:
        args.remove(str(limit))
    shared = Path(args[0]) if args else ROOT.parent / "shared"
    if not (shared / "corpus" / "site" / "prompts" / "content").is_dir():
        print(f"no corpus saved prompts under {shared}; nothing to measure", file=sys.stderr)
        return 1
    a2p = peer("arxiv-to-prompt")
    with tempfile.TemporaryDirectory(prefix="posttui-bench-lean-") as tmp:
        bundles = unpack_corpus(shared, Path(tmp) / "prompts")
        big = big_bibliography_bundle(shared, bundles, Path(tmp))
        big_kb = sum(f.stat().st_size for f in big.glob("*.bbl")) / 1000
        papers = (bundles[:limit] if limit else bundles) + [big]
        ratios = []
        print(f"{'paper':34} {'posttui --lean':>15} {'arxiv-to-prompt':>16} {'ratio':>7}")
        for bundle in papers:
            ours = best([*POSTTUI, "prompt", str(bundle), "--lean"], repeat)
            if ours.returncode != 0:
                print(f"{bundle.name:34} posttui failed (exit {ours.returncode})")
                continue
            line = f"{bundle.name[:34]:34} {ours.cpu * 1000:12.0f} ms"
            if a2p:
                theirs = best([*a2p, "--local-folder", str(bundle)], repeat)
                ratios.append((ours.cpu / theirs.cpu, bundle.name))
                line += f" {theirs.cpu * 1000:13.0f} ms {ours.cpu / theirs.cpu:6.2f}x"
            print(line)
        if ratios:
            worst = max(ratios)
            print(f"lean/arxiv-to-prompt CPU over {len(ratios)} papers: median {statistics.median(r for r, _ in ratios):.2f}x,"
                  f" worst {worst[0]:.2f}x ({worst[1]}); goal <= 1.5x on every paper")
            big_ratio = next(r for r, name in ratios if name == big.name)
            print(f"big-bibliography paper ({big_kb:.0f} KB .bbl): {big_ratio:.2f}x")
        split, convert = call_counts(big)
        print(f"big-bibliography paper in process: {split} split_authors calls, {convert} latex_to_text calls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
