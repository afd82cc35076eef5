"""Corpus acceptance for the checker: ``python scripts/corpus_check.py SHARED_DIR``.

Runs ``posttui check --site SHARED/corpus/site --format json`` as a user would, prints the findings per rule and
per post, and asserts the known cases:

* the non-paper posts (no saved prompt) are skipped with a reason;
* the 2023-05-04 post's ``\\citet{...}``/``\\cite{...}`` are caught, and ``--fix`` on a temporary copy of the site
  replaces every citation whose key is in the bibliography, leaving no PT020 behind;
* fixing every post twice gives the same text as fixing once, and checking every prefix of every post in
  streaming mode never crashes nor reports a missing END marker/footer as an error.

Exits non-zero on any failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

CITE_POST = "2023-05-04-2305.02930"
HEADLINE_RULES = {"PT001", "PT005", "PT010", "PT011", "PT020", "PT030", "PT031", "PT032"}


def posttui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "posttui", "check", *args], capture_output=True, text=True, timeout=600
    )


def main(shared: Path) -> int:
    site = shared / "corpus" / "site"
    failures: list[str] = []
    proc = posttui("--site", str(site), "--format", "json")
    if proc.returncode not in (0, 1):
        print(proc.stderr)
        print("FAIL: posttui check exited", proc.returncode)
        return 1
    rows = json.loads(proc.stdout)
    skipped = [line for line in proc.stderr.splitlines() if "skipped" in line]
    prompts = {p.stem for p in (site / "prompts" / "content").glob("*.txt")}
    posts = sorted(p.stem for p in (site / "_posts").glob("*.md"))
    paper_posts = [p for p in posts if p in prompts]

    per_rule = Counter(r["rule"] for r in rows)
    per_severity = Counter(r["severity"] for r in rows)
    per_post: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        per_post[Path(r["path"]).stem].add(r["rule"])
    print(f"posts: {len(posts)}; paper posts checked: {len(paper_posts)}; skipped: {len(skipped)}")
    print("findings per rule:")
    for rule, n in sorted(per_rule.items()):
        print(f"  {rule}: {n} finding(s) in {sum(1 for s in per_post.values() if rule in s)} post(s)")
    print("findings per severity:", dict(per_severity))
    clean = [p for p in paper_posts if not per_post.get(p)]
    headline = [p for p in paper_posts if per_post.get(p, set()) & HEADLINE_RULES]
    print(f"clean posts: {len(clean)}; posts breaking PT001/PT005/PT010/PT011/PT020/PT030/PT031/PT032: "
          f"{len(headline)} of {len(paper_posts)}")
    for post in paper_posts:
        print(f"  {post}: {' '.join(sorted(per_post.get(post, []))) or 'clean'}")

    if len(skipped) != len(posts) - len(paper_posts):
        failures.append(f"expected {len(posts) - len(paper_posts)} skipped posts, got {len(skipped)}")
    if not all("no saved prompt" in line for line in skipped):
        failures.append("a skipped post has no reason")

    # The known case: LaTeX citations left in the 2023-05-04 post.
    cites = [r for r in rows if Path(r["path"]).stem == CITE_POST and r["rule"] == "PT020"]
    if not any("\\citet{" in r["message"] for r in cites):
        failures.append(f"{CITE_POST}: \\citet{{...}} not caught")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "site"
        (copy / "_posts").mkdir(parents=True)
        (copy / "prompts" / "content").mkdir(parents=True)
        shutil.copy(site / "_posts" / f"{CITE_POST}.md", copy / "_posts")
        shutil.copy(site / "prompts" / "content" / f"{CITE_POST}.txt", copy / "prompts" / "content")
        for extra in ("_config.yml", "index.md", "assets/group/group.yaml"):
            if (site / extra).is_file():
                (copy / extra).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(site / extra, copy / extra)
        fixed_proc = posttui(str(copy / "_posts" / f"{CITE_POST}.md"), "--fix")
        print(fixed_proc.stdout.strip().splitlines()[-2:] if fixed_proc.stdout.strip() else fixed_proc.stderr)
        fixed = (copy / "_posts" / f"{CITE_POST}.md").read_text(encoding="utf-8")
        if "\\cite" in fixed:
            failures.append(f"{CITE_POST}: --fix left a citation command")
        if "fixed" not in fixed_proc.stdout or "PT020" not in fixed_proc.stdout:
            failures.append(f"{CITE_POST}: --fix did not report the citations it replaced")
        after = posttui(str(copy / "_posts" / f"{CITE_POST}.md"), "--format", "json")
        left = [r for r in json.loads(after.stdout or "[]") if r["rule"] == "PT020"]
        if left:
            failures.append(f"{CITE_POST}: PT020 still reported after --fix: {left}")
        if after.returncode != 0:
            failures.append(f"{CITE_POST}: errors remain after --fix (exit {after.returncode})")
        if (site / "_posts" / f"{CITE_POST}.md").read_text(encoding="utf-8") == fixed:
            failures.append(f"{CITE_POST}: --fix changed nothing")

    # Fix idempotency and streaming safety on every paper post (in process).
    from posttui.sources import load
    from posttui.rules import CheckContext, Severity, check, fix

    for post in paper_posts:
        text = (site / "_posts" / f"{post}.md").read_text(encoding="utf-8")
        ctx = CheckContext.from_paper(load(site / "prompts" / "content" / f"{post}.txt", site=site))
        once = fix(text, ctx)
        twice = fix(once.text, ctx)
        if twice.text != once.text:
            failures.append(f"{post}: fixing twice changed the text again")
        for cut in range(0, len(text), 97):
            for f in check(text[:cut], ctx, partial=True):
                if f.rule in ("PT004", "PT005") and f.severity == Severity.ERROR and not text[:cut].count(
                    "<!-- END OF GENERATED POST -->"
                ):
                    failures.append(f"{post}: prefix {cut}: {f.rule} reported as error while streaming")
                    break
    for failure in failures:
        print("FAIL:", failure)
    print("corpus_check:", "FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: corpus_check.py SHARED_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1])))
