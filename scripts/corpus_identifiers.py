"""How many papers give the model fewer than three identifiable references, from the source alone.

Usage: python scripts/corpus_identifiers.py ../shared
Loads every saved prompt of the corpus (and the seeds) as posttui does, with an empty cache and no network (so
only what the source itself says counts), and prints per paper the entries and those with a DOI or arXiv id,
then totals and the papers below three. Run it with two checkouts on PYTHONPATH to compare source extraction
before/after a change; online resolution (``--resolve``) is not measured here because it needs the real APIs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: corpus_identifiers.py SHARED_DIR", file=sys.stderr)
        return 2
    shared = Path(argv[1])
    with tempfile.TemporaryDirectory() as cache:
        os.environ["POSTTUI_CACHE_DIR"] = cache  # an empty cache: source-only, and nothing touches the network
        os.environ.pop("POSTTUI_RESOLVE", None)
        try:
            from posttui.sources import load
        except ImportError:  # a checkout from before load moved into posttui.sources
            from posttui.paper import load

        prompts = sorted((shared / "corpus/site/prompts/content").glob("*.txt"))
        prompts += sorted((shared / "seeds").glob("*.txt"))
        entries = with_id = 0
        few = []
        for prompt in prompts:
            refs = load(prompt).references
            ids = sum(1 for r in refs if r.doi or r.arxiv)
            entries += len(refs)
            with_id += ids
            if ids < 3:
                few.append(f"{prompt.name} ({ids} of {len(refs)})")
            print(f"{prompt.name:40s} entries={len(refs):4d} with_id={ids:4d}")
    print(f"TOTAL papers={len(prompts)} entries={entries} with_identifier={with_id} "
          f"papers_below_3={len(few)}: {', '.join(few) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
