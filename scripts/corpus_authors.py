"""Corpus check: author matching against today's group file, compared with each saved prompt's author block.

Usage: python scripts/corpus_authors.py ../shared

For every saved prompt (and the seed) the paper's metadata authors are matched against today's
``assets/group/group.yaml`` with posttui's matcher and with the site's old surname-only rule (last word,
lower-cased), and both are compared with the members the prompt's Author Information block lists (built in its day
from an older membership file, so some differences are people who joined or left since). It also rebuilds the
matches from each prompt's own block (member keys such as "Chris Lovell" aligned to paper names such as
"Christopher C. Lovell") and fails if any listed member cannot be aligned to one of the paper's authors (a member
the block lists at an author's place under a different name is reported, not failed: the site's old matcher made
such mistakes). Finally it rebuilds each listed member's entry from today's file and fails if the site's fields or
their order differ where the content is the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import posttui
from posttui.authors import load_members, match_authors, match_paper_authors


def surname_only(names: list[str], members: dict) -> list[str]:
    """The site's original rule: a member matches an author when the last words agree, lower-cased."""
    found: list[str] = []
    for name in names:
        surname = name.split()[-1].lower() if name.split() else ""
        for member in members:
            if member.split()[-1].lower() == surname and member not in found:
                found.append(member)
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: corpus_authors.py SHARED_DIR", file=sys.stderr)
        return 2
    shared = Path(argv[1])
    members = load_members(shared / "corpus/site/assets/group/group.yaml")
    prompts = [p for p in sorted((shared / "corpus/site/prompts/content").glob("*.txt")) if p.name != "index.txt"]
    prompts += sorted((shared / "seeds").glob("*.txt"))
    failures: list[str] = []
    agree_new = agree_old = papers = 0
    old_wrong = new_wrong = ambiguous = 0
    entries_same = entries_drift = 0
    for prompt in prompts:
        paper = posttui.load(prompt)
        names = paper.author_names
        listed = [k for k, v in (paper.author_info or {}).items() if v]
        new = [m.member.name for m in match_authors(names, members) if m.member]
        amb = [m for m in match_authors(names, members) if m.ambiguous]
        old = surname_only(names, members)
        papers += 1
        ambiguous += len(amb)
        agree_new += set(new) == set(listed)
        agree_old += set(old) == set(listed)
        # a "wrong" match: a member the matcher claims whose given name contradicts every author with that surname
        old_extra = [m for m in old if m not in new and m not in listed]
        new_extra = [m for m in new if m not in listed]
        old_wrong += len(old_extra)
        new_wrong += len(new_extra)
        note: list[str] = []
        # the block's member entries, rebuilt from today's file: same fields, same order, image normalised in place
        for key, entry in (paper.author_info or {}).items():
            if entry and key in members:
                mine = members[key].site_entry()
                if mine == entry and list(mine) != list(entry):
                    failures.append(f"{prompt.name}: {key}: field order differs: {list(mine)} vs {list(entry)}")
                elif mine == entry:
                    entries_same += 1
                else:
                    entries_drift += 1
        rebuilt = match_paper_authors(paper)
        aligned = {m.member.name for m in rebuilt if m.member}
        disputed = {c for m in rebuilt if not m.member for c in m.candidates}
        for key in sorted(disputed):
            note.append(f"prompt block lists {key} for an author whose name disagrees")
        lost = [k for k in listed if k not in aligned and k not in disputed]
        if lost:
            failures.append(f"{prompt.name}: listed members not aligned to any author: {lost}")
        if set(new) != set(listed):
            note.append(f"new-only={sorted(set(new) - set(listed))} prompt-only={sorted(set(listed) - set(new))}")
        if old_extra:
            note.append(f"surname-only would add {old_extra}")
        if amb:
            note.append("ambiguous: " + "; ".join(f"{m.name} -> {m.candidates}" for m in amb))
        print(f"{prompt.name:36s} authors={len(names):3d} listed={len(listed):2d} new={len(new):2d} old={len(old):2d} "
              + (" | ".join(note)))
    print(f"TOTAL papers={papers} matcher agrees with prompt block={agree_new} surname-only agrees={agree_old} "
          f"extra members: matcher={new_wrong} surname-only={old_wrong} ambiguous authors={ambiguous}")
    print(f"member entries rebuilt from today's group file: identical (fields and order)={entries_same} "
          f"changed since the prompt was built (membership-file drift)={entries_drift}")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
