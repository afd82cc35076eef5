"""``posttui prompt SOURCE``: print (or save) the generation prompt for a paper.

``--saved`` gives the bytes the site keeps in ``prompts/content/`` (the ``{% raw %}`` wrapper, and for a bundle
made by ``posttui unpack`` the saved template values); ``--lean`` the compact prompt with the same rules.
``--resolve`` looks up the identifiers the bibliography lacks (:mod:`posttui.resolve`): the lean prompt's reference
table lists them with their origin, and the site prompt gains a "4a. Resolved References" block right after the
bibliography (without ``--resolve`` the site prompt is byte-identical to the site's; ``--saved`` never adds it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import add_resolve_option, add_source_options, load_from_args


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="print the generation prompt for a paper",
        description="Print the prompt the site would send for SOURCE (byte-identical to the site's by default).",
    )
    add_source_options(parser)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--lean", action="store_true", help="same rules and facts, far fewer tokens")
    mode.add_argument(
        "--saved",
        action="store_true",
        help="the file as the site saves it (raw wrapper; an unpacked bundle's saved template values)",
    )
    parser.add_argument("--out", type=Path, help="write to FILE instead of standard output (never replaces a file "
                        "unless --force)")
    parser.add_argument("--force", action="store_true", help="with --out, replace FILE if it exists")
    add_resolve_option(parser)
    parser.add_argument("--model", help="text model named in the footer (default: from config)")
    parser.add_argument("--image-model", help="image model named in the footer (default: from config)")
    parser.set_defaults(run=run)
    return parser


def prompt_for_args(args: argparse.Namespace) -> str:
    from ..prompt import build_prompt, saved_prompt_text
    from ..sources.saved_prompt import read_parts_file

    # the lean prompt never dumps the metadata: its feedparser tags can be plain dicts, and feedparser (with the
    # HTTP stack it imports, about 30 ms) is not imported
    paper = load_from_args(args, feedparser_dicts=not args.lean)
    args.paper = paper
    if args.saved:
        source = Path(str(args.source)).expanduser()
        if paper.parts is None and source.exists():
            parts = read_parts_file(source)
            if parts is not None:
                paper.parts = parts
        return saved_prompt_text(paper, model=args.model, image_model=args.image_model)
    return build_prompt(paper, "lean" if args.lean else "site", model=args.model, image_model=args.image_model,
                        resolved=args.resolve)


def run(args: argparse.Namespace) -> int:
    text = prompt_for_args(args)
    for warning in args.paper.warnings:
        print(f"posttui: warning: {warning}", file=sys.stderr)
    if args.out:
        from ..files import write_file

        write_file(args.out, text, overwrite=args.force)
        print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes)", file=sys.stderr)
        return 0
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
