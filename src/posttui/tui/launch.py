"""``posttui [SOURCE]``: parse the app's options and run it (called by :func:`posttui.cli.main`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posttui",
        description="Open the posttui app on a paper, or the start screen inside a Jekyll site.",
        epilog="Headless commands: posttui info|prompt|check|generate|sessions|resume (posttui COMMAND --help).",
    )
    parser.add_argument("source", nargs="?", help="arXiv id or URL, saved prompt, folder, .tar(.gz) or .tex file")
    parser.add_argument("--site", type=Path, help="the Jekyll site to save into (default: the site around the "
                                                  "current folder)")
    parser.add_argument("--backend", choices=("gemini", "offline"), help="text backend (default: gemini when "
                                                                         "GEMINI_API_KEY is set, else offline)")
    parser.add_argument("--model", help="model name (default from the config, gemini-2.5-pro)")
    parser.add_argument("--lean", action="store_true", help="start with the lean prompt (fewer tokens)")
    parser.add_argument("--resume", type=int, metavar="ID", help="reopen a saved session")
    parser.add_argument("--new", action="store_true", help="do not offer to resume an earlier session")
    return parser


def make_app(argv: list[str]):
    from ..config import load_config
    from ..site import open_site
    from .app import PosttuiApp
    from .keymap import load_keymap

    args = build_parser().parse_args(argv)
    config = load_config()
    site = open_site(args.site)  # --site must be a site; without it, the site around the current folder
    return PosttuiApp(
        source=args.source, site=site, config=config, backend_name=args.backend, model=args.model,
        resume=args.resume, offer_resume=not args.new, lean=args.lean, keymap=load_keymap(), tune_runtime=True,
    )


def launch(argv: list[str]) -> int:
    app = make_app(argv)
    if not sys.stdout.isatty() and not os.environ.get("POSTTUI_FORCE_TUI"):
        print("posttui: the app needs a terminal; for scripts use `posttui generate` or `posttui check`.",
              file=sys.stderr)
        return 2
    result = app.run()
    return int(result or 0) if isinstance(result, int) else 0
