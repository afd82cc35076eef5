"""Corpus check: parse the bibliography of every saved prompt in ../shared and report entries and identifiers.

Usage: python scripts/corpus_references.py ../shared
Prints, per paper, the number of entries parsed and how many carry a DOI or arXiv id, then totals. Fails (exit 1)
if any paper with a non-empty bbl block parses to zero entries, or if fewer than 70% of all entries carry an
identifier (the styles in the corpus print one for most entries; a drop means identifier extraction regressed).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from posttui.references import parse_bbl

BBL_BLOCK = re.compile(r"\n4\. \*\*Bibliographic Information:\*\*\n```bbl\n(.*?)\n```\n\n5\. \*\*Author Information", re.S)


def bbl_of(prompt: Path) -> str | None:
    m = BBL_BLOCK.search(prompt.read_text(encoding="utf-8"))
    return m.group(1) if m else None


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: corpus_references.py SHARED_DIR", file=sys.stderr)
        return 2
    shared = Path(argv[1])
    prompts = sorted((shared / "corpus/site/prompts/content").glob("*.txt"))
    prompts = [p for p in prompts if p.name != "index.txt"] + [p for p in sorted((shared / "seeds").glob("*.txt"))]
    failures, total, with_id, papers = [], 0, 0, 0
    for prompt in prompts:
        bbl = bbl_of(prompt)
        if bbl is None:
            failures.append(f"{prompt.name}: no bbl block found")
            continue
        refs = parse_bbl(bbl, prompt.name)
        items = len(re.findall(r"\\bibitem\b", bbl)) + len(re.findall(r"\\entry\s*\{", bbl))
        s = refs.summary
        papers += 1
        total += s.count
        with_id += s.with_identifier
        print(f"{prompt.name:40s} items={items:4d} parsed={s.count:4d} with_id={s.with_identifier:4d} "
              f"doi={s.with_doi:4d} arxiv={s.with_arxiv:4d}")
        if bbl.strip() and s.count == 0:
            failures.append(f"{prompt.name}: non-empty bbl parsed to 0 entries")
        if s.count != items:
            failures.append(f"{prompt.name}: {items} entries in the bbl but {s.count} parsed")
    share = with_id / total if total else 0.0
    print(f"TOTAL papers={papers} entries={total} with_identifier={with_id} ({share:.1%})")
    if total and share < 0.70:
        failures.append(f"only {share:.1%} of entries carry an identifier (expected >= 70%)")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
