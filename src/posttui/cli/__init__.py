"""Command line entry point: ``posttui [SOURCE]`` opens the app; subcommands run headless.

Each subcommand lives in its own module with ``add_parser(subparsers, name)`` and ``run(args) -> int``. Only the
module of the command that runs is imported (``--help`` and ``--version`` import none), and the Textual app only
when the app is launched, so headless commands start fast and work without a terminal. Every
:class:`~posttui.errors.PosttuiError` is printed as one clear message (no traceback) with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from ..errors import PosttuiError

# name -> (module under posttui.cli providing add_parser() and run(), one line of help)
COMMANDS = {
    "info": ("info", "summarise a paper: authors, references, prompt size"),
    "prompt": ("prompt", "print the generation prompt for a paper"),
    "unpack": ("unpack", "write a saved prompt's parts as a paper bundle"),
    "check": ("check", "check posts against the prompt's rules (PT001-PT063)"),
    "generate": ("generate", "generate the post for a paper (Gemini, or the offline writer with no API key)"),
    "sessions": ("sessions", "list saved sessions"),
    "resume": ("sessions", "reopen a saved session in the app"),
    "models": ("models", "list the Gemini models the API key can use, with their prices"),
}

DESCRIPTION = "Turn a research paper into a reviewed blog post for a Jekyll research-group site."
EPILOG = "Run `posttui SOURCE` (or `posttui` inside a site) to open the terminal app; `posttui COMMAND --help` for more."


def _base_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posttui", description=DESCRIPTION, epilog=EPILOG)
    from ..version import __version__

    parser.add_argument("--version", action="version", version=f"posttui {__version__}")
    return parser


def _help_parser() -> argparse.ArgumentParser:
    """The top-level parser for ``--help``: every command listed, none imported."""
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, text) in COMMANDS.items():
        sub.add_parser(name, help=text)
    return parser


def _command_parser(name: str) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The parser of one command (its module imported now), inside the top-level parser."""
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    module = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")
    return parser, module.add_parser(sub, name)


def _looks_like_a_command(word: str) -> bool:
    """A bare word that is neither an existing path nor an arXiv id or URL: a mistyped command, not a paper."""
    from ..ids import split_arxiv

    return bool(re.fullmatch(r"[a-z][a-z-]*", word)) and not os.path.lexists(word) and not split_arxiv(word)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argv[0] if argv else None
    if first in ("-h", "--help", "--version"):
        _help_parser().parse_args(argv)
        return 0
    if first not in COMMANDS:
        if first is not None and _looks_like_a_command(first):
            import difflib

            close = difflib.get_close_matches(first, COMMANDS, n=1)
            guess = f" (did you mean `posttui {close[0]}`?)" if close else ""
            print(f"posttui: unknown command {first!r}{guess}\n  commands: {', '.join(COMMANDS)}; to open a "
                  f"paper give its path or arXiv id; `posttui --help` says more", file=sys.stderr)
            return 2
        return _launch_app(argv)
    parser, command = _command_parser(first)
    args, extra = parser.parse_known_args(argv)
    if extra:
        command.error(f"unrecognized arguments: {' '.join(extra)}")  # the command's usage, not the top level's
    # imported here, not at the top: --help and --version need neither (nor pathlib and typing, which they import)
    from .common import quiet_stdout
    from .output import guarded_stdout

    _terminate_like_interrupt()
    try:
        with guarded_stdout():
            return int(args.run(args) or 0)
    except PosttuiError as exc:
        _say(f"posttui: error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("posttui: interrupted")
        return 130
    except BrokenPipeError:
        quiet_stdout()  # the reader went away (`| head`): no second error at exit
        return 0


def _terminate_like_interrupt() -> None:
    """SIGTERM ends a command the way Ctrl+C does: a stream keeps what arrived, a save that has begun its commit
    finishes it (its thread is waited for), instead of the process vanishing between two files."""
    import signal

    try:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    except (ValueError, OSError):  # not the main thread (an embedding program): leave its handling alone
        pass


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (OSError, ValueError):
        pass


def _launch_app(argv: list[str]) -> int:
    from ..tui.launch import launch

    try:
        return launch(argv)
    except PosttuiError as exc:
        print(f"posttui: error: {exc}", file=sys.stderr)
        return 2
