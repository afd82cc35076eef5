"""Options shared by the subcommands that open a paper."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="arXiv id or URL, saved prompt, directory, .tar(.gz), .gz or .tex file")
    parser.add_argument("--site", type=Path, help="Jekyll site folder (group file and homepage come from it)")
    parser.add_argument("--metadata", type=Path, help="metadata file (YAML or Atom XML) if not beside the source")
    parser.add_argument("--group", type=Path, help="group members YAML to match authors against")
    parser.add_argument("--authors", type=Path, help="already-matched authors.yaml")
    parser.add_argument("--homepage", type=Path, help="homepage Markdown (the site's index.md)")


def load_from_args(args: argparse.Namespace):
    from ..sources import load

    return load(
        args.source,
        metadata=args.metadata,
        group=args.group,
        authors=args.authors,
        homepage=args.homepage,
        site=args.site,
    )
