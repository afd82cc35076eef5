"""Site-wide checking: ``python bench/check_site.py [SHARED_DIR] [--no-memory]``.

Measured in one run, on the corpus site's posts that have a saved prompt (the ones ``check --site`` checks):

1. CPU time of ``posttui check --site`` as a multiple of the peers on the same post files, ``pymarkdown scan``
   (goal <= 0.5x) and ``mdformat --check`` (for scale), and of posttui's own check of the same posts without
   context (copies outside the site, so no saved prompt is found; goal <= 2x). Process level: posttui's two runs
   best of 7, taken in turn (the ratio the goal is about; this machine's noise spans +-20%), the peers best of 3.
   Then the same two commands on one post, which splits each run into what every run pays (start-up) and what
   each post adds (:func:`per_post`).
2. The CPU cost of one post's context in process, best of 3 per post with nothing memoised between the repeats,
   after one unmeasured context (the imports): what ``check --site`` pays for it (load the saved prompt, make the
   context, which reads the sources as the checks ask, and check with it, less the check without context), mean
   and worst over the posts (goal <= 10 ms each); and, for comparison, a context that reads every source up front
   (the app's).
3. Peak RSS of ``check --site`` on synthetic sites of 32, 320 and 3,200 posts (corpus posts and prompts copied
   under new names into a temporary folder, deleted afterwards): RSS at 3,200 / RSS at 32, goal <= 1.2x.

The peers come with the optional ``bench`` extra (``pip install -e '.[bench]'``); without them their ratios
are skipped, and the script says so.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _proc import POSTTUI, best, best_interleaved, peer, run_once  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def checked_posts(site: Path) -> list[Path]:
    """The posts ``check --site`` checks: those with a saved prompt."""
    prompts = site / "prompts" / "content"
    return sorted(p for p in (site / "_posts").glob("*.md") if (prompts / f"{p.stem}.txt").is_file())


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


def process_costs(site: Path, posts: list[Path], scratch: Path) -> None:
    bare = scratch / "no-context"
    bare.mkdir()
    for post in posts:
        shutil.copyfile(post, bare / post.name)
    files = [str(p) for p in posts]
    site_run, bare_run = best_interleaved([[*POSTTUI, "check", "--site", str(site), "--format", "json"],
                                           [*POSTTUI, "check", "--format", "json", *[str(bare / p.name) for p in posts]]])
    pymd = peer("pymarkdown")
    mdf = peer("mdformat")
    pymd_run = best([*pymd, "scan", *files]) if pymd else None
    mdf_run = best([*mdf, "--check", *files]) if mdf else None
    print(f"1. CPU time over the {len(posts)} posts with a saved prompt (process level; posttui's two: best of 7, "
          "taken in turn; the peers: best of 3)")
    print(f"   posttui check --site:              {site_run.cpu * 1000:7.0f} ms")
    print(f"   posttui check, same posts, no ctx: {bare_run.cpu * 1000:7.0f} ms   --site is "
          f"{ratio(site_run.cpu, bare_run.cpu)} (goal <= 2x)")
    if pymd_run:
        print(f"   pymarkdown scan:                   {pymd_run.cpu * 1000:7.0f} ms   --site is "
              f"{ratio(site_run.cpu, pymd_run.cpu)} (goal <= 0.5x)")
    if mdf_run:
        print(f"   mdformat --check:                  {mdf_run.cpu * 1000:7.0f} ms   --site is "
              f"{ratio(site_run.cpu, mdf_run.cpu)} (for scale)")
    per_post(site, posts, scratch, site_run, bare_run)


def per_post(site: Path, posts: list[Path], scratch: Path, site_run, bare_run) -> None:
    """Split part 1's two runs into a fixed cost (the same commands on a site of one post) and a cost per post:
    the ratio of the two runs depends on how many posts share the fixed cost."""
    more = len(posts) - 1
    if more < 1:
        return
    one_site = synthetic_site(site, posts[:1], 1, scratch / "one-post-site")
    one_bare = scratch / "no-context" / posts[0].name  # (part 1 copied it there)
    one_site_run, one_bare_run = best_interleaved([
        [*POSTTUI, "check", "--site", str(one_site), "--format", "json"],
        [*POSTTUI, "check", "--format", "json", str(one_bare)]])
    site_each = (site_run.cpu - one_site_run.cpu) / more
    bare_each = (bare_run.cpu - one_bare_run.cpu) / more
    print(f"   the same on one post (start-up and the first post): --site {one_site_run.cpu * 1000:.0f} ms, without "
          f"context {one_bare_run.cpu * 1000:.0f} ms; each further post: --site {site_each * 1000:.1f} ms, without "
          f"context {bare_each * 1000:.1f} ms ({ratio(site_each, bare_each)}: the ratio above grows toward it with "
          "the number of posts)")


def context_costs(site: Path, posts: list[Path]) -> None:
    try:
        from posttui.sources import load
    except ImportError:  # an older posttui (the "before" numbers)
        from posttui.paper import load

    def _load_context_paper(source, site):
        """What ``check`` does: a saved prompt without the YAML re-dump check and with plain-dict metadata, where
        this posttui has those options."""
        for options in ({"check_dump_form": False, "feedparser_dicts": False}, {"check_dump_form": False}, {}):
            try:
                return load(source, site=site, **options)
            except TypeError:
                continue
        raise RuntimeError("posttui.load refused every option set")

    from posttui.config import load_config
    from posttui.rules import CheckContext, check, load_rules
    from posttui.rules.markdown import parse_segment, url_identifier

    try:
        from posttui.cli.check import NEEDS_PAPER
    except ImportError:
        NEEDS_PAPER = ()  # noqa: N806
    load_rules()
    config = load_config()
    site_options = _options(site)
    bare_options = dataclasses.replace(site_options, ignore=(*site_options.ignore, *NEEDS_PAPER))
    texts = [p.read_text(encoding="utf-8") for p in posts]

    def context(source, lazy: bool):
        paper = _load_context_paper(source, site)
        if lazy:
            try:
                return CheckContext.from_paper(paper, config=config, lazy=True)
            except TypeError:  # an older posttui, which reads every source up front
                pass
        try:
            return CheckContext.from_paper(paper, config=config)
        except TypeError:
            return CheckContext.from_paper(paper)

    # One whole context first, not measured: the first one imports what contexts use (the reference parser, the
    # resolver, the prompt templates...), a once-per-process cost that part 1 measures, not a post's.
    check(texts[0], context(str(site / "prompts" / "content" / f"{posts[0].stem}.txt"), True), options=site_options)
    forgets = [parse_segment.cache_clear, url_identifier.cache_clear]  # a repeat must find nothing memoised
    try:
        from posttui.rules.context import clear_source_caches

        forgets.append(clear_source_caches)
    except ImportError:
        try:  # an older posttui
            from posttui.rules.context import _source_facts

            forgets.append(_source_facts.cache_clear)
        except (ImportError, AttributeError):
            pass
    try:
        from posttui.authors import link_rank

        if hasattr(link_rank, "cache_clear"):
            forgets.append(link_rank.cache_clear)
    except ImportError:
        pass

    def best_of_3(work) -> float:
        runs = []
        for _ in range(3):  # as in part 1 (a busy neighbour only ever adds time)
            for forget in forgets:
                forget()
            start = time.process_time()
            work()
            runs.append(time.process_time() - start)
        return min(runs)

    checked, whole, bare = [], [], []
    for post, text in zip(posts, texts):
        source = str(site / "prompts" / "content" / f"{post.stem}.txt")
        bare.append(best_of_3(lambda: check(text, CheckContext(), options=bare_options)))
        checked.append(best_of_3(lambda: check(text, context(source, True), options=site_options)) - bare[-1])
        whole.append(best_of_3(lambda: context(source, False)))
    print("2. One post's context, in process, CPU time, best of 3 with nothing memoised between repeats")
    print(f"   as check --site reads it (load the saved prompt, the context, and check with it, less the check "
          f"without it): mean {statistics.mean(checked) * 1000:.1f} ms, median "
          f"{statistics.median(checked) * 1000:.1f} ms, worst {max(checked) * 1000:.1f} ms (goal <= 10 ms)")
    print(f"   every source read up front (the app's context): mean {statistics.mean(whole) * 1000:.1f} ms, "
          f"worst {max(whole) * 1000:.1f} ms; one context-free check of a post: {statistics.mean(bare) * 1000:.1f} ms")


def _options(site: Path):
    """The check options of the site (its .posttui.toml), as ``check --site`` uses them."""
    from posttui.site import Site

    return Site(site).settings.options(select=[], ignore=[])


def synthetic_site(site: Path, posts: list[Path], count: int, target: Path) -> Path:
    """A site of ``count`` posts: the corpus posts and their prompts again and again, under new names."""
    target.mkdir()
    for name in ("_config.yml", "index.md"):
        if (site / name).is_file():
            shutil.copyfile(site / name, target / name)
    if (site / "assets").is_dir():
        shutil.copytree(site / "assets", target / "assets")
    (target / "_posts").mkdir()
    (target / "prompts" / "content").mkdir(parents=True)
    for n, post in zip(range(count), itertools.cycle(posts)):
        stem = f"{post.stem}-{n:04d}"
        _copy(post, target / "_posts" / f"{stem}.md")
        _copy(site / "prompts" / "content" / f"{post.stem}.txt", target / "prompts" / "content" / f"{stem}.txt")
    return target


def _copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (3,200 prompts are ~450 MB), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def memory(site: Path, posts: list[Path], scratch: Path) -> None:
    print("3. Peak RSS of check --site on synthetic sites (process level)")
    rss = {}
    for count in (32, 320, 3200):
        folder = synthetic_site(site, posts, count, scratch / f"site-{count}")
        try:
            start = time.perf_counter()
            result = run_once([*POSTTUI, "check", "--site", str(folder), "--format", "json"])
            elapsed = time.perf_counter() - start
        finally:
            shutil.rmtree(folder)
        rss[count] = result.rss_mib
        print(f"   {count:5d} posts: {result.rss_mib:6.1f} MiB  ({result.cpu:.1f} s CPU, {elapsed:.1f} s wall, "
              f"{ratio(result.rss_mib, rss[32])} the RSS at 32)")
    print(f"   RSS at 3,200 / RSS at 32 = {rss[3200] / rss[32]:.2f}x (goal <= 1.2x)")


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("--")]
    shared = Path(args[0]) if args else ROOT.parent / "shared"
    site = shared / "corpus" / "site"
    posts = checked_posts(site) if site.is_dir() else []
    if not posts:
        print(f"no corpus site with saved prompts under {shared}; nothing to measure", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="posttui-bench-site-") as tmp:
        scratch = Path(tmp)
        process_costs(site, posts, scratch)
        context_costs(site, posts)
        if "--no-memory" not in argv:
            memory(site, posts, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
