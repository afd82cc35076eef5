"""Hostile-input costs: ``python bench/hostile.py``.

The robustness catalogue proves these inputs end (bounded by timeouts); this prints how long they take, each as a
ratio to a small, ordinary input measured in the same process, so regressions show without timed assertions:

* checking a draft with 10,000 problems vs a clean post (``posttui.rules.check``);
* showing those findings in the app's Problems table (one ``ProblemsTable.show``, headless) vs 100 findings —
  the time the app's event loop is blocked per update;
* loading a YAML bomb (refused) vs a normal metadata file;
* analysing a 50 MB TeX file vs a 50 KB one (``analyse_files``);
* decompressing a 20 MB multi-member gzip (~36,000 members of ~0.6 KB) vs a 200 KB one of the same members, and
  a 20 MB file of 20-byte members (refused past 100,000 members): linear, where it used to be quadratic;
* checking 56 KB drafts made of what used to be quadratic for the checker (unmatched brackets, unclosed link
  targets, math and code openers, inline comments, Liquid, deep nesting) vs 56 KB of prose, and fixing 9,000
  findings vs 90.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "robustness"))
sys.path.insert(0, str(ROOT / "tests"))


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def row(label: str, value: float, base: float) -> None:
    print(f"{label:58} {value * 1000:9.1f} ms   x{value / base:8.1f}")


def problems_bench() -> None:
    from catalogue import fixture_paper

    from posttui.llm.offline import OfflineWriter
    from posttui.rules import CheckContext, check

    paper = fixture_paper()
    ctx = CheckContext.from_paper(paper, model="posttui-offline")
    post = OfflineWriter(paper).post()
    bad = "\n\n".join(f"See \\citep{{ref{i}}} for details." for i in range(10_000))
    hostile = post.replace("<!-- END OF GENERATED POST -->", bad + "\n\n<!-- END OF GENERATED POST -->", 1)
    base = timed(lambda: check(post, ctx))
    row("check: clean post (baseline)", base, base)
    findings = check(hostile, ctx)
    row(f"check: draft with {len(findings):,} problems", timed(lambda: check(hostile, ctx), 1), base)

    from textual.app import App

    from posttui.tui.widgets.problems import ProblemsTable

    class Bench(App):
        def compose(self):
            yield ProblemsTable()

    async def run() -> tuple[float, float]:
        app = Bench()
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.query_one(ProblemsTable)
            small = timed(lambda: table.show(findings[:100]))
            large = timed(lambda: table.show(findings), 2)
            await pilot.pause()
            return small, large

    small, large = asyncio.run(run())
    row("ProblemsTable.show: 100 findings (baseline)", small, small)
    row(f"ProblemsTable.show: {len(findings):,} findings (event loop blocked)", large, small)


def yaml_bench() -> None:
    from test_sources import BOMB, META

    from posttui.errors import MetadataError
    from posttui.yamlio import load_yaml

    def bomb() -> None:
        try:
            load_yaml(BOMB)
        except MetadataError:
            pass

    base = timed(lambda: load_yaml(META))
    row("YAML: normal metadata (baseline)", base, base)
    row("YAML: 9^9 alias bomb (refused)", timed(bomb), base)


def latex_bench() -> None:
    from catalogue import TEX

    from posttui.latex import analyse_files

    line = "Some words about galaxies, \\cite{a} and $x^2$ inline math, then more words.\n"
    small = TEX.replace("Hello \\cite{a}.", line * (50 * 1024 // len(line)))
    big = TEX.replace("Hello \\cite{a}.", line * (50 * 1024 * 1024 // len(line)))
    base = timed(lambda: analyse_files({"main.tex": small}))
    row("analyse: 50 KB TeX (baseline)", base, base)
    row("analyse: 50 MB TeX", timed(lambda: analyse_files({"main.tex": big}), 1), base)


def gzip_bench() -> None:
    import gzip
    import os

    from posttui.errors import ArchiveError
    from posttui.sources.archive import gunzip

    members = [gzip.compress(os.urandom(512).hex().encode(), mtime=0) for _ in range(64)]
    one = b"".join(members)

    def sized(total: int) -> bytes:
        return one * (total // len(one))

    small, big = sized(200 * 1024), sized(20 * 1024 * 1024)
    tiny = gzip.compress(b"", mtime=0) * (20 * 1024 * 1024 // 20)

    def refused() -> None:
        try:
            gunzip(tiny, "tiny.gz", 10**9)
        except ArchiveError:
            pass

    base = timed(lambda: gunzip(small, "small.gz", 10**9))
    per = len(members[0])
    row(f"gunzip: {len(small) // 1024} KB, {len(small) // per:,} members (baseline)", base, base)
    large = timed(lambda: gunzip(big, "big.gz", 10**9), 1)
    row(f"gunzip: {len(big) / 2**20:.0f} MB, {len(big) // per:,} members", large, base)
    row(f"gunzip: {len(tiny) / 2**20:.0f} MB of 20-byte members (refused)", timed(refused, 1), base)

def checker_bench() -> None:
    """Inputs that were quadratic in the checker (56 KB each; the first took minutes) against a clean post of
    the same length, and ``fix`` on 9,000 fixes against a post with 90."""
    from catalogue import fixture_paper

    from posttui.llm.offline import OfflineWriter
    from posttui.rules import CheckContext, check, fix
    from posttui.rules.markdown import parse_segment

    paper = fixture_paper()
    ctx = CheckContext.from_paper(paper, model="posttui-offline")
    post = OfflineWriter(paper).post()
    end = "<!-- END OF GENERATED POST -->"

    def draft(piece: str, size: int = 56_000) -> str:
        return post.replace(end, (piece * (size // len(piece) + 1))[:size] + "\n\n" + end, 1)

    def fresh_check(text: str) -> None:
        parse_segment.cache_clear()  # parses are cached by text: time the real work
        check(text, ctx)

    plain = draft("The sampler explores the posterior with tempered chains. ")
    base = timed(lambda: fresh_check(plain))
    row("check: 56 KB of prose (baseline)", base, base)
    for label, piece in (("unmatched [", "[x "), ("unclosed link targets [a](", "[a](x "),
                         ("unclosed \\( and backticks", "\\( `` [` "), ("unclosed <!-- inline", "a <!--<b "),
                         ("unterminated Liquid {{ {%", "{{ a {% b ")):
        row(f"check: 56 KB of {label}", timed(lambda text=draft(piece): fresh_check(text)), base)
    nested = post.replace(end, "[" * 20_000 + "x" + "](y)" * 9_000 + "\n\n" + end, 1)
    row("check: 20,000 nested labels", timed(lambda: fresh_check(nested)), base)
    few = draft("a~b \\textbf{x} 50\\% ", 1_800)
    many = draft("a~b \\textbf{x} 50\\% ", 180_000)
    small = timed(lambda: fix(few, ctx))
    row("fix: 90 fixes (baseline)", small, small)
    row("fix: 9,000 fixes", timed(lambda: fix(many, ctx), 1), small)


if __name__ == "__main__":
    checker_bench()
    problems_bench()
    yaml_bench()
    latex_bench()
    gzip_bench()
