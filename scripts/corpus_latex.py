"""Corpus check: analyse the TeX of every saved prompt in ../shared (and the seed) and report what comes out.

Usage: python scripts/corpus_latex.py ../shared
Each saved prompt holds one TeX blob (the site glued every file of the source together), so this exercises the
lenient path: picking the paper's document out of the blob, unresolved ``\\input`` of already-glued files, and
text extraction on real-world LaTeX. Prints per paper: size, analysis time, title match with the metadata,
abstract length, sections, citations, distinct keys, conclusion items, captions, unresolved inputs; then totals.
Fails (exit 1) if any analysis raises, or a paper's TeX title shares under 40% of its words with the metadata title, or its abstract
comes out empty, or fewer than 90% of papers have sections.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from posttui.latex import title_similarity
from posttui.sources.saved_prompt import load_saved_prompt


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: corpus_latex.py SHARED_DIR", file=sys.stderr)
        return 2
    shared = Path(argv[1])
    prompts = sorted((shared / "corpus/site/prompts/content").glob("*.txt"))
    prompts = [p for p in prompts if p.name != "index.txt"] + sorted((shared / "seeds").glob("*.txt"))
    failures: list[str] = []
    papers = sections = citations = keys = with_sections = conclusions = captions = 0
    total_time = 0.0
    slowest = (0.0, "")
    for prompt in prompts:
        try:
            paper = load_saved_prompt(prompt)
        except Exception as exc:  # noqa: BLE001 - report every failure, keep going
            failures.append(f"{prompt.name}: cannot load the saved prompt: {exc}")
            continue
        if not paper.tex_files:
            print(f"{prompt.name:40s} no TeX")
            continue
        size = sum(len(f.text) for f in paper.tex_files)
        start = time.perf_counter()
        try:
            doc = paper.document
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{prompt.name}: analysis raised {type(exc).__name__}: {exc}")
            continue
        elapsed = time.perf_counter() - start
        total_time += elapsed
        slowest = max(slowest, (elapsed, prompt.name))
        papers += 1
        sections += len(doc.sections)
        citations += len(doc.citations)
        keys += len(doc.citation_counts)
        with_sections += bool(doc.sections)
        conclusions += bool(doc.conclusions)
        captions += len(doc.captions)
        match = title_similarity(doc.title, paper.title)
        print(
            f"{prompt.name:40s} {size / 1000:6.0f}kB {elapsed * 1000:6.1f}ms title={match:4.2f} "
            f"abstract={len(doc.abstract):5d} sections={len(doc.sections):3d} cites={len(doc.citations):4d} "
            f"keys={len(doc.citation_counts):4d} conclusions={len(doc.conclusions):2d} "
            f"captions={len(doc.captions):3d} appendix={'yes' if doc.appendix_line else 'no ':3s} "
            f"unresolved={len(doc.unresolved_inputs)}"
        )
        if match < 0.4:  # titles are sometimes reworded between the TeX and arXiv (RFI vs radio frequency ...)
            failures.append(f"{prompt.name}: TeX title {doc.title!r} does not match the metadata {paper.title!r}")
        if not doc.abstract:
            failures.append(f"{prompt.name}: no abstract found in the TeX")
    share = with_sections / papers if papers else 0.0
    print(
        f"TOTAL papers={papers} sections={sections} citations={citations} distinct_keys={keys} "
        f"papers_with_sections={with_sections} ({share:.0%}) papers_with_conclusion_items={conclusions} "
        f"captions={captions} time={total_time:.2f}s slowest={slowest[0] * 1000:.0f}ms ({slowest[1]})"
    )
    if papers and share < 0.9:
        failures.append(f"only {share:.0%} of papers have sections (expected >= 90%)")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
