"""``posttui sessions`` lists the saved sessions; ``posttui resume ID`` reopens one in the app.

Both names map to this module in the registry: :func:`add_parser` registers the parser that fits ``name``.
"""

from __future__ import annotations

import argparse
import json


def _count(text: str) -> int:
    """A whole number from 1 to SQLite's largest integer (a bigger one would overflow the driver)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {2**63 - 1}")
    return value


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    if name == "resume":
        parser = subparsers.add_parser(
            "resume", help="reopen a saved session in the app",
            description="Reopen a session (paper, prompt and latest draft) in the terminal app.",
        )
        parser.add_argument("id", type=_count, help="session id, as `posttui sessions` lists it")
        parser.add_argument("--site", help="Jekyll site folder to save into")
        parser.set_defaults(run=run_resume)
        return parser
    parser = subparsers.add_parser(
        "sessions", help="list saved sessions",
        description="List the sessions in the session database, most recent first.",
    )
    parser.add_argument("--limit", type=_count, default=30, help="how many to list (default 30)")
    parser.add_argument("--paper", help="only sessions of this paper (arXiv id or source path)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import sys

    from ..session import SessionStore, paper_key_of_source

    store = SessionStore.open(readonly=True)  # listing never writes, so it never locks out a running posttui
    try:
        if store.notice:
            print(f"posttui: {store.notice}", file=sys.stderr)
        if args.paper:
            # A session is keyed by the arXiv id when the paper has one, so a path matches by origin as well.
            key = paper_key_of_source(args.paper)
            sessions = [s for s in store.list(limit=10_000)
                        if key in (s.paper_key, paper_key_of_source(s.origin) if s.origin else None)][: args.limit]
        else:
            sessions = store.list(limit=args.limit)
        if args.json:
            print(json.dumps([
                {"id": s.id, "paper": s.paper_key, "title": s.title, "origin": s.origin, "updated": s.updated,
                 "versions": s.versions, "backend": s.backend, "model": s.model,
                 "input_tokens": s.input_tokens, "output_tokens": s.output_tokens, "cost": round(s.cost, 6),
                 "saved": s.saved_path}
                for s in sessions
            ], indent=2))
            return 0
        if not sessions:
            total = len(store.list(limit=1)) if args.paper else 0
            if total:
                print(f"No sessions of {args.paper!r}; `posttui sessions` lists all of them (database: {store.path}).")
            else:
                print(f"No sessions yet (database: {store.path}). Open a paper with `posttui SOURCE`.")
            return 0
        print(f"{'ID':>4}  {'UPDATED':16}  {'PAPER':18}  {'VER':>3}  {'COST':>7}  TITLE")
        for s in sessions:
            title = s.title if len(s.title) <= 60 else s.title[:59] + "…"
            saved = "  (saved)" if s.saved_path else ""
            paper = s.paper_key if len(s.paper_key) <= 18 else "…" + s.paper_key[-17:]
            print(f"{s.id:>4}  {s.updated[:16].replace('T', ' '):16}  {paper:18}  {s.versions:>3}  "
                  f"${s.cost:>6.3f}  {title}{saved}")
        print(f"\nReopen one with `posttui resume ID`. Database: {store.path}")
        return 0
    finally:
        store.close()


def run_resume(args: argparse.Namespace) -> int:
    from ..session import SessionStore

    store = SessionStore.open(readonly=True)
    try:
        store.get(args.id)  # a clear error before the app starts when the id is unknown
    finally:
        store.close()
    from ..tui.launch import launch

    argv = ["--resume", str(args.id)]
    if args.site:
        argv += ["--site", args.site]
    return launch(argv)
