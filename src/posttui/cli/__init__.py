"""Command line entry point: ``posttui [SOURCE]`` opens the app; subcommands run headless.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``. The Textual app
is imported only when the app is launched, so headless commands start fast and work without a terminal.
Every :class:`~posttui.errors.PosttuiError` is printed as one clear message (no traceback) with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import PosttuiError

# name -> module under posttui.cli; each module provides add_parser() and run().
COMMANDS = {
    "info": "info",
    "prompt": "prompt",
    "unpack": "unpack",
    "check": "check",
    "generate": "generate",
    "sessions": "sessions",
    "resume": "sessions",
    "models": "models",
}


def _available_commands() -> dict[str, object]:
    found = {}
    for name, module in COMMANDS.items():
        try:
            found[name] = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"{__name__}.{module}"):
                continue  # command not built yet
            raise
    return found


def build_parser(commands: dict[str, object]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posttui",
        description="Turn a research paper into a reviewed blog post for a Jekyll research-group site.",
        epilog="Run `posttui SOURCE` (or `posttui` inside a site) to open the terminal app.",
    )
    from ..version import __version__

    parser.add_argument("--version", action="version", version=f"posttui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in commands.items():
        module.add_parser(sub, name)  # type: ignore[attr-defined]
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = _available_commands()
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        return _launch_app(argv)
    parser = build_parser(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except PosttuiError as exc:
        print(f"posttui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("posttui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _launch_app(argv: list[str]) -> int:
    try:
        from ..tui.launch import launch
    except ModuleNotFoundError:
        print("posttui: the terminal app is not available in this build; try `posttui --help`.", file=sys.stderr)
        return 2
    try:
        return launch(argv)
    except PosttuiError as exc:
        print(f"posttui: error: {exc}", file=sys.stderr)
        return 2
