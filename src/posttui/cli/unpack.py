"""``posttui unpack SAVED_PROMPT DIR``: turn a saved prompt into an ordinary paper bundle.

The bundle (TeX, .bbl, metadata.yaml, authors.yaml, index.md and the template values) opens like any local
paper, and ``posttui prompt DIR --saved`` gives back the saved prompt's exact bytes.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="write a saved prompt's parts as a paper bundle",
        description="Write the blocks of a saved prompt (prompts/content/*.txt) as an ordinary paper bundle.",
    )
    parser.add_argument("saved_prompt", type=Path, help="a saved prompt file (with or without the raw wrapper)")
    parser.add_argument("directory", type=Path, help="where to write the bundle (created if missing)")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from ..errors import SavedPromptError
    from ..sources.saved_prompt import is_saved_prompt, unpack_saved_prompt

    if not args.saved_prompt.is_file():
        import os

        from ..sources.safe_read import file_kind

        what = f"is {file_kind(os.stat(args.saved_prompt).st_mode)}" if args.saved_prompt.exists() else "no such file"
        raise SavedPromptError(what, path=args.saved_prompt, hint="give a saved prompt file")
    if not is_saved_prompt(args.saved_prompt):
        raise SavedPromptError(
            "does not look like a saved prompt",
            path=args.saved_prompt,
            hint="give a prompts/content/*.txt file of the site (or one written by `posttui prompt --saved`)",
        )
    written = unpack_saved_prompt(args.saved_prompt, args.directory, force=args.force)
    for path in written:
        print(path)
    return 0
