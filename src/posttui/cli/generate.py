"""``posttui generate SOURCE``: write the post headless — stream the draft, check it, optionally save it.

A thin driver of :class:`posttui.workflow.Review`, the same review loop the app and the notebook use: the draft
streams to standard output (``--out FILE`` writes it once complete), progress and the check summary go to
standard error. The backend is Gemini when ``GEMINI_API_KEY``/``GOOGLE_API_KEY`` is set, else the offline writer.

``--save`` writes the post, its prompt, its image prompt (and image) into the site: ``--site DIR``, or the site
around the current folder. It refuses before any model call when a file it would write exists (``--force``
replaces them), and after the call when error-level problems remain (``--allow-errors`` saves anyway).

Every run is recorded as a session (``posttui sessions``). On Ctrl+C or a failed stream the text received so far
is kept, in the session and in a file under the data directory, whose path is printed.

Exit status: 0 no error-level problem, 1 error-level problems in the draft (or not saved because of them),
2 input error or failed generation, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import PosttuiError, SourceError
from .common import add_resolve_option, add_source_options, load_options


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="generate the post for a paper (Gemini, or the offline writer with no API key)",
        description="Stream the post for SOURCE, check it against the prompt's rules and optionally save it "
        "into the site. Uses Gemini when GEMINI_API_KEY is set, else the offline writer.",
    )
    add_source_options(parser)
    parser.add_argument("--backend", choices=("gemini", "offline"), help="default: gemini with an API key, else offline")
    parser.add_argument("--model", help="Gemini model (default: from config, gemini-2.5-pro)")
    parser.add_argument("--lean", action="store_true", help="send the lean prompt (same rules, fewer tokens)")
    parser.add_argument("--out", default="-", metavar="FILE",
                        help="write the draft to FILE ('-': standard output); an existing FILE needs --force")
    parser.add_argument("--fix", action="store_true", help="apply the checker's mechanical fixes to the draft")
    parser.add_argument("--save", action="store_true",
                        help="save post, prompt, image prompt (and image) into the site (--site, or the one around "
                        "the current folder)")
    parser.add_argument("--force", action="store_true", help="replace files that exist (--out FILE, the site's files)")
    parser.add_argument("--allow-errors", action="store_true",
                        help="with --save, save even though error-level problems remain")
    parser.add_argument("--image", action="store_true",
                        help="with --save, also generate the header image (config: image_generation)")
    parser.add_argument("--image-model", help="image model, named in the footer (default: from config)")
    parser.add_argument("--count-tokens", action="store_true", help="ask the API for the prompt's token count first")
    add_resolve_option(parser)
    parser.set_defaults(run=run)
    return parser


def _err(text: str) -> None:
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):
        pass


class _Output:
    """Standard output that survives being closed (``generate --save | head``): the run goes on, and says so."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.closed = False

    def write(self, text: str) -> None:
        if not self.enabled or self.closed:
            return
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            self.closed = True
            _err("posttui: standard output was closed; carrying on without printing the draft")


def _check_options(args) -> None:
    if (args.image or args.image_model) and not args.save:
        raise SourceError("--image and --image-model only apply when saving", hint="add --save (and --site DIR)")
    if args.allow_errors and not args.save:
        raise SourceError("--allow-errors only applies when saving", hint="add --save")
    if args.out not in ("-", "", None):
        from ..files import ensure_writable

        ensure_writable(args.out, overwrite=args.force)  # said before any model call, as the writer would say it


def _print_findings(findings, path: str) -> None:
    from collections import Counter

    for f in findings:
        mark = " (fixable)" if f.fixable else ""
        _err(f"{path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] {f.message}{mark}")
    sev = Counter(f.severity.value for f in findings)
    fixable = sum(1 for f in findings if f.fixable)
    summary = f"check: {sev['error']} errors, {sev['warning']} warnings, {sev['info']} info"
    if fixable:
        summary += f" ({fixable} fixable with --fix)"
    _err(summary)


def _open_store(config):
    from ..session import SessionStore

    try:
        store = SessionStore.open(config=config)
    except PosttuiError as exc:
        _err(f"posttui: sessions unavailable ({exc}); continuing without recording")
        return None
    if store.notice:
        _err(f"posttui: {store.notice}")
    return store


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..config import load_config
    from ..llm import default_backend_name
    from ..workflow import Review

    _check_options(args)
    config = load_config()
    if args.image or args.image_model:
        config = replace(config, image_generation=config.image_generation or args.image,
                         image_model=args.image_model or config.image_model)
    name = args.backend or default_backend_name()
    if name == "offline" and args.model:
        _err(f"posttui: --model {args.model} ignored: the offline writer is its own model")
    store = _open_store(config)
    try:
        review = Review.open(args.source, site=args.site, config=config, store=store, backend=name, model=args.model,
                             prompt_mode="lean" if args.lean else "site", resolve=args.resolve, **load_options(args))
        if args.save:  # refuse before spending a model call on a post that cannot be saved
            review.require_destination(overwrite=args.force)
        for warning in review.paper.warnings:
            _err(f"posttui: warning: {warning}")
        return _generate(review, args)
    finally:
        if store is not None:
            store.close()


def _generate(review, args) -> int:
    """Stream the draft to the output, then finish (fix, write, check, save); Ctrl+C or a failure keeps the text."""
    import asyncio

    from ..errors import LLMError
    from ..prompt import estimate_tokens
    from ..workflow import Chunk, Notice

    paper = review.paper
    prompt = review.prompt()
    backend = review.backend
    _err(f"posttui: generating {paper.post_name} with {backend.name}:{backend.model} "
         f"({review.prompt_mode} prompt, ~{estimate_tokens(prompt):,} tokens estimated)")
    if backend.name == "offline" and args.backend is None:
        from ..llm.gemini import vertex_mode

        if vertex_mode():
            _err("posttui: GOOGLE_GENAI_USE_VERTEXAI is set but no Google Cloud credentials were found: using the "
                 "offline writer (run `gcloud auth application-default login`, or pass --backend gemini)")
        else:
            _err("posttui: no GEMINI_API_KEY set: using the offline writer (export GEMINI_API_KEY to use Gemini)")
    to_stdout = args.out in ("-", "", None)
    out = _Output(to_stdout)
    show_progress = sys.stderr.isatty() and not (to_stdout and sys.stdout.isatty())
    review.subscribe(lambda e: _err(f"posttui: {'' if e.severity == 'error' else 'note: '}{e.message}")
                     if isinstance(e, Notice) else None)

    async def main() -> int:
        try:
            if args.count_tokens:
                from ..llm import user

                counted = await backend.count_tokens([user(prompt)])
                if counted is not None:
                    _err(f"posttui: the prompt is {counted:,} tokens ({backend.name} count)")
            received, last = 0, 0.0
            async for event in review.generate():
                if isinstance(event, Chunk):
                    out.write(event.text)
                    received += len(event.text)
                    if show_progress and time.monotonic() - last > 0.2:
                        sys.stderr.write(f"\r  {received:,} characters received")
                        sys.stderr.flush()
                        last = time.monotonic()
            if show_progress:
                sys.stderr.write("\r" + " " * 40 + "\r")
            return await _finish(review, args, out, to_stdout)
        finally:
            await review.aclose()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        out.write("\n" if review.text else "")
        _err("\nposttui: interrupted; the stream was stopped")
        _keep(review)
        return 130
    except LLMError as exc:
        if review.text:
            out.write("\n")
        _err(f"posttui: error: {exc}")
        _keep(review)
        return 2


def _keep(review) -> None:
    """Keep a draft that was cut short in the data folder and say where (and in which session)."""
    from ..workflow import keep_partial

    try:
        path = keep_partial(review.config, review.paper.post_name, review.text)
    except PosttuiError as exc:
        _err(f"posttui: could not save the partial draft: {exc}")
        return
    if path is None:
        _err("posttui: nothing had been received yet; nothing to keep")
        return
    _err(f"posttui: the partial draft ({len(review.text):,} characters) is saved in {path}")
    if review.session_id is not None:
        _err(f"posttui: it is also in session {review.session_id} (`posttui resume {review.session_id}`)")


async def _finish(review, args, out, to_stdout: bool) -> int:
    from ..files import write_file
    from ..workflow import ApprovalError

    if to_stdout and not review.text.endswith("\n"):
        out.write("\n")
    _err(f"posttui: done: {_describe(review)}")
    if args.fix:
        applied = review.fix_all()
        if applied:
            rules = ", ".join(sorted({f.rule for f in applied}))
            _err(f"posttui: applied {len(applied)} mechanical fix{'es' if len(applied) != 1 else ''} ({rules})")
    if not to_stdout:
        write_file(args.out, review.text, overwrite=args.force)
        _err(f"posttui: draft written to {args.out}")
    _print_findings(review.findings, args.out if not to_stdout else review.paper.post_name)
    if args.save:
        try:
            report = await review.save(allow_errors=args.allow_errors, overwrite=args.force)
        except ApprovalError as exc:
            blocked_by_errors = bool(review.errors) and not args.allow_errors
            _err(f"posttui: {'' if blocked_by_errors else 'error: '}{exc}")
            return 1 if blocked_by_errors else 2
        for line in report.describe().splitlines():
            _err(f"posttui: {line}")
    return 1 if review.errors else 0


def _describe(review) -> str:
    result = review.last_result
    return result.describe() if result is not None else f"{review.backend.name}:{review.model_name}"
