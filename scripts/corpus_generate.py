"""Corpus acceptance check for the offline writer: generate every saved prompt's post offline and check it.

Usage: python scripts/corpus_generate.py SHARED_DIR [--verbose]

For every ``SHARED_DIR/corpus/site/prompts/content/*.txt`` (except ``index.txt``), and the seed prompts, the paper is loaded from the
saved prompt, the offline writer's post is streamed through the backend protocol, and the checker runs on it
with the context of that paper (the footer naming the offline writer). Prints counts and, for each paper with an
error-level finding, why. Exits non-zero when a paper with at least three identifiable references (DOI/arXiv in
its bibliography) gets any error-level finding, or when a paper cannot be processed at all.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    shared = Path(argv[1])
    verbose = "--verbose" in argv
    prompts = sorted(p for p in (shared / "corpus/site/prompts/content").glob("*.txt") if p.name != "index.txt")
    if not prompts:
        print(f"no saved prompts under {shared}/corpus/site/prompts/content")
        return 1
    prompts += sorted((shared / "seeds").glob("*.txt"))  # the founding prompt too (it has no bibliography)

    import posttui
    from posttui.llm.offline import OFFLINE_MODEL, OfflineBackend, ranked_references
    from posttui.llm.base import user
    from posttui.rules import CheckContext, Severity, check

    counts = Counter()
    per_rule = Counter()
    failures: list[str] = []
    explained: list[str] = []
    started = time.perf_counter()
    for path in prompts:
        try:
            paper = posttui.load(path)
            backend = OfflineBackend(paper)
            result = asyncio.run(backend.stream([user(paper.prompt(model=OFFLINE_MODEL))]).collect())
            ctx = CheckContext.from_paper(paper, model=OFFLINE_MODEL)
            findings = check(result.text, ctx)
        except Exception as exc:  # noqa: BLE001 - report every paper, do not stop at the first
            counts["crashed"] += 1
            failures.append(f"{path.name}: crashed: {type(exc).__name__}: {exc}")
            continue
        errors = [f for f in findings if f.severity == Severity.ERROR]
        identifiable = len(ranked_references(paper))
        eligible = identifiable >= 3
        counts["papers"] += 1
        counts["eligible"] += eligible
        for f in findings:
            per_rule[(f.rule, f.severity.value)] += 1
        words = len(result.text.split())
        if not errors:
            counts["error_free"] += 1
            counts["eligible_error_free"] += eligible
        else:
            why = "; ".join(f"{f.rule} line {f.line}: {f.message[:90]}" for f in errors)
            line = f"{path.name} ({identifiable} identifiable references): {why}"
            (failures if eligible else explained).append(line)
        if verbose:
            print(f"{path.name}: {len(errors)} errors, {len(findings)} findings, {identifiable} refs, {words} words")
    elapsed = time.perf_counter() - started

    print(f"offline generation over {len(prompts)} saved prompts in {elapsed:.1f} s")
    print(f"  papers processed:                    {counts['papers']}")
    print(f"  error-free drafts:                   {counts['error_free']}")
    print(f"  papers with >= 3 identifiable refs:  {counts['eligible']}")
    print(f"  ... of which error-free:             {counts['eligible_error_free']}")
    print(f"  crashed:                             {counts['crashed']}")
    if per_rule:
        print("  findings per rule: " + ", ".join(f"{r} {s} x{n}" for (r, s), n in sorted(per_rule.items())))
    if explained:
        print("papers with fewer than 3 identifiable references (the checker says so, as expected):")
        for line in explained:
            print("  " + line)
    if failures:
        print("FAILURES:")
        for line in failures:
            print("  " + line)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
