"""``posttui generate SOURCE``: write the post headless — stream the draft, check it, optionally save it.

The draft streams to standard output (``--out FILE`` writes it atomically once complete); progress, token
counts and the check summary go to standard error. The backend is Gemini when ``GEMINI_API_KEY``/``GOOGLE_API_KEY`` is set, else the offline writer
(``--backend`` chooses). ``--save`` writes the post, the prompt that was sent, the image prompt (and the image
when ``image_generation`` is on) into the site — only when no error-level problem remains, unless ``--force``,
and never over an existing post without ``--force``.

Every run is recorded as a session (``posttui sessions``). On Ctrl+C or a failed stream the text received so far
is kept: in the session and in a file under the data directory, whose path is printed.

Exit status as for ``check``: 0 no error-level problem, 1 error-level problems in the draft, 2 input error or
failed generation (the message says what to do), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import LLMError, PosttuiError, SiteError
from .common import add_source_options


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
    parser.add_argument("--out", default="-", metavar="FILE", help="write the draft to FILE ('-': standard output)")
    parser.add_argument("--fix", action="store_true", help="apply the checker's mechanical fixes to the draft")
    parser.add_argument("--save", action="store_true", help="save post, prompt, image prompt (and image) into --site")
    parser.add_argument("--force", action="store_true", help="save despite error-level problems / replace files")
    parser.add_argument("--image", action="store_true",
                        help="with --save, also generate the header image (config: image_generation)")
    parser.add_argument("--image-model", help="image model, named in the footer (default: from config)")
    parser.add_argument("--count-tokens", action="store_true", help="ask the API for the prompt's token count first")
    parser.set_defaults(run=run)
    return parser


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _site_root(args) -> Path:
    if args.site is not None:
        return args.site
    cwd = Path.cwd()
    if (cwd / "_config.yml").is_file() and (cwd / "_posts").is_dir():
        return cwd
    raise SiteError(
        "--save needs the site folder",
        hint="pass --site DIR (the folder with _config.yml and _posts/), or run inside the site",
    )


class _Live:
    """What the run has received so far, kept outside the event loop so Ctrl+C cannot lose it."""

    def __init__(self) -> None:
        self.stream = None
        self.recorder = None

    @property
    def text(self) -> str:
        return self.stream.text if self.stream is not None else ""


def _keep_partial(config, paper, text: str, live: _Live, reason: str) -> None:
    """Write the partial draft to the data dir (and the session) and tell the user where."""
    if live.recorder is not None:
        try:
            live.recorder.finish(text, finish_reason=reason)
        except PosttuiError:
            pass
    if not text:
        _err("posttui: nothing had been received yet; nothing to keep")
        return
    from ..files import write_file as atomic_write

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = config.data_path() / "partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{paper.post_name}-{stamp}.md"
        n = 1
        while path.exists():  # two failures within one second each keep their own file
            n += 1
            path = folder / f"{paper.post_name}-{stamp}-{n}.md"
        atomic_write(path, text)
        _err(f"posttui: the partial draft ({len(text):,} characters) is saved in {path}")
    except (OSError, PosttuiError) as exc:
        _err(f"posttui: could not save the partial draft: {exc}")
    if live.recorder is not None:
        _err(f"posttui: it is also in session {live.recorder.session_id} (`posttui resume {live.recorder.session_id}`)")


def _open_session(config, paper, args, prompt: str, backend):
    from ..session import SessionStore, paper_key

    try:
        store = SessionStore.open(config=config)
    except PosttuiError as exc:
        _err(f"posttui: sessions unavailable ({exc}); continuing without recording")
        return None, None
    if store.notice:
        _err(f"posttui: {store.notice}")
    try:
        session = store.create(
            paper_key(paper), origin=str(args.source), title=paper.title, prompt=prompt,
            prompt_mode="lean" if args.lean else "site", backend=backend.name, model=backend.model,
        )
    except PosttuiError as exc:
        _err(f"posttui: sessions unavailable ({exc}); continuing without recording")
        store.close()
        return None, None
    return store, session


async def _stream(backend, prompt: str, live: _Live, out, show_progress: bool):
    from ..llm.base import user

    stream = backend.stream([user(prompt)])
    live.stream = stream
    received = 0
    last = 0.0
    async for chunk in stream:
        out.write(chunk)
        out.flush()
        if live.recorder is not None:
            live.recorder.feed(chunk)
        received += len(chunk)
        now = time.monotonic()
        if show_progress and now - last > 0.2:
            sys.stderr.write(f"\r  {received:,} characters received")
            sys.stderr.flush()
            last = now
    if show_progress:
        sys.stderr.write("\r" + " " * 40 + "\r")
    return stream.result


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


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..llm import default_backend_name, make_backend
    from ..sources import load
    from ..prompt import estimate_tokens
    from ..rules import CheckContext, Severity, check, fix

    config = load_config()
    if args.image or args.image_model:
        from dataclasses import replace

        config = replace(
            config,
            image_generation=config.image_generation or args.image,
            image_model=args.image_model or config.image_model,
        )
    site_root = _site_root(args) if args.save else None
    paper = load(
        args.source, metadata=args.metadata, group=args.group, authors=args.authors, homepage=args.homepage,
        site=args.site, config=config,
    )
    for warning in paper.warnings:
        _err(f"posttui: warning: {warning}")
    if site_root is not None and not args.force:
        from ..site import Site

        existing = Site(site_root).paths(paper.post_name).post
        if existing.exists():  # refuse before spending a model call on a post that cannot be saved
            raise SiteError("already exists; not overwritten", path=existing, hint="use --force to replace it")
    name = args.backend or default_backend_name()
    if name == "offline" and args.model:
        _err(f"posttui: --model {args.model} ignored: the offline writer is its own model")
    backend = make_backend(config, name=name, model=args.model, paper=paper)
    prompt = paper.prompt("lean" if args.lean else "site", model=backend.model, image_model=config.image_model)
    to_stdout = args.out in ("-", "", None)
    out = sys.stdout
    _err(
        f"posttui: generating {paper.post_name} with {backend.name}:{backend.model} "
        f"({'lean' if args.lean else 'site'} prompt, ~{estimate_tokens(prompt):,} tokens estimated)"
    )
    if backend.name == "offline" and args.backend is None:
        _err("posttui: no GEMINI_API_KEY set: using the offline writer (export GEMINI_API_KEY to use Gemini)")

    live = _Live()
    store, session = _open_session(config, paper, args, prompt, backend)
    if store is not None:
        try:
            live.recorder = store.recorder(session.id, "stream")
        except PosttuiError as exc:
            _err(f"posttui: sessions unavailable ({exc}); continuing without recording")
            store.close()
            store = None

    sink = out if to_stdout else _NullSink()
    show_progress = sys.stderr.isatty() and not (to_stdout and sys.stdout.isatty())

    async def main():
        try:
            if args.count_tokens:
                counted = await backend.count_tokens([_user(prompt)])
                if counted is not None:
                    _err(f"posttui: the prompt is {counted:,} tokens ({backend.name} count)")
            return await _stream(backend, prompt, live, sink, show_progress)
        finally:
            await backend.aclose()

    try:
        result = asyncio.run(main())
    except KeyboardInterrupt:
        if to_stdout:
            out.write("\n")
        _err("\nposttui: interrupted; the stream was stopped")
        _keep_partial(config, paper, live.text, live, "CANCELLED")
        if store is not None:
            store.close()
        return 130
    except LLMError as exc:
        if to_stdout and live.text:
            out.write("\n")
        _err(f"posttui: error: {exc}")
        _keep_partial(config, paper, exc.partial or live.text, live, "ERROR")
        if store is not None:
            store.close()
        return 2

    text = result.text
    if to_stdout and not text.endswith("\n"):
        out.write("\n")
        out.flush()
    if result.notice:
        _err(f"posttui: note: {result.notice}")
    _err(f"posttui: done: {result.describe()}")
    ctx = CheckContext.from_paper(paper, model=backend.model, image_model=config.image_model)
    if args.fix:
        fixed = fix(text, ctx)
        if fixed.changed:
            rules = ", ".join(sorted({f.rule for f in fixed.applied}))
            n = len(fixed.applied)
            _err(f"posttui: applied {n} mechanical fix{'es' if n != 1 else ''} ({rules})")
            text = fixed.text
        findings = fixed.findings
    else:
        findings = check(text, ctx)

    if store is not None:
        try:
            live.recorder.finish(result.text, finish_reason=result.finish_reason)
            if args.fix and text != result.text:
                store.add_version(session.id, text, "fix")
            store.record_usage(session.id, model=result.model, input_tokens=result.usage.prompt_tokens,
                               output_tokens=result.usage.output_tokens + result.usage.thoughts_tokens,
                               cost=result.cost or 0.0)
        except PosttuiError as exc:
            _err(f"posttui: could not record the session: {exc}")

    if not to_stdout:
        from ..files import write_file as atomic_write

        atomic_write(Path(args.out), text, overwrite=True)
        _err(f"posttui: draft written to {args.out}")

    label = args.out if not to_stdout else paper.post_name
    _print_findings(findings, label)
    errors = [f for f in findings if f.severity == Severity.ERROR]

    if args.save:
        if errors and not args.force:
            _err(f"posttui: not saved: {len(errors)} error-level problem(s) remain; fix them or use --force")
        else:
            saved = _save(args, config, paper, backend, name, text, prompt, site_root)
            if store is not None and saved:
                try:
                    store.update_session(session.id, saved_path=str(saved))
                except (PosttuiError, TypeError):
                    pass
    if store is not None:
        store.close()
    return 1 if errors else 0


def _user(text: str):
    from ..llm.base import user

    return user(text)


class _NullSink:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _save(args, config, paper, backend_used, name, text: str, prompt: str, site_root: Path) -> Path | None:
    """Image prompt (a second call), optional image, then every file into the site at once."""
    from ..llm import make_backend
    from ..llm.image import generate_image, write_image_prompt
    from ..site import Site

    site = Site(site_root)
    paths = site.paths(paper.post_name)
    if paths.post.exists() and not args.force:
        raise SiteError("already exists; not overwritten", path=paths.post, hint="use --force to replace it")

    async def companions():
        backend = make_backend(config, name=name, model=args.model, paper=paper)
        try:
            image_prompt = None
            try:
                image_prompt = (await write_image_prompt(backend, text, config=config)).text
            except LLMError as exc:
                _err(f"posttui: warning: no image prompt: {exc}")
            image = None
            if config.image_generation and image_prompt:
                try:
                    image = (await generate_image(backend, image_prompt, config=config)).data
                except LLMError as exc:
                    _err(f"posttui: warning: no image (the post is saved without one): {exc}")
            return image_prompt, image
        finally:
            await backend.aclose()

    image_prompt, image = asyncio.run(companions())
    report = site.save(paper.post_name, post=text, prompt=prompt, image_prompt=image_prompt, image=image,
                       force=args.force)
    for line in report.describe().splitlines():
        _err(f"posttui: {line}")
    return paths.post
