"""Options shared by the subcommands that open a paper, and the one way they open it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="arXiv id or URL, saved prompt, directory, .tar(.gz), .gz or .tex file")
    parser.add_argument("--site", type=Path, help="Jekyll site folder (default: the site around the current folder); "
                        "the group file and homepage come from it")
    parser.add_argument("--metadata", type=Path, help="metadata file (YAML or Atom XML) if not beside the source")
    parser.add_argument("--group", type=Path, help="group members YAML to match authors against")
    parser.add_argument("--authors", type=Path, help="already-matched authors.yaml")
    parser.add_argument("--homepage", type=Path, help="homepage Markdown (the site's index.md)")


def load_options(args: argparse.Namespace) -> dict:
    """The explicit source files named on the command line."""
    return {"metadata": args.metadata, "group": args.group, "authors": args.authors, "homepage": args.homepage}


def add_resolve_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resolve",
        action="store_true",
        help="look up DOIs/arXiv ids the bibliography lacks (Semantic Scholar, INSPIRE, Crossref; answers are "
        "cached, so later runs use them offline)",
    )


def load_from_args(args: argparse.Namespace, **options):
    """Open the paper in the site named by ``--site`` (which must be a site) or the site around the current folder;
    ``options`` go to :func:`posttui.sources.load`."""
    from ..site import open_site
    from ..sources import load

    paper = load(args.source, site=open_site(args.site), **load_options(args), **options)
    if getattr(args, "resolve", False):
        from ..resolve import resolve_paper

        resolution = resolve_paper(paper, network=True)
        print(f"posttui: references: {resolution.summary(paper.references)}", file=sys.stderr)
    return paper


def quiet_stdout() -> None:
    """After a broken pipe (``| head``), point standard output at the null device so that Python's final flush
    cannot fail with a second error."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass
