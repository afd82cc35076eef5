"""``posttui check PATH...``: check posts against the prompt's rules, optionally fixing what is mechanical.

The context (template, references, authors) of a site post ``SITE/_posts/DATE-ID.md`` is its saved prompt
``SITE/prompts/content/DATE-ID.txt``; ``--context SOURCE`` gives it explicitly (anything ``posttui.load``
accepts). ``--site DIR`` checks every post of a site that has a saved prompt and says which it skipped and why.
``--online`` asks doi.org and the arXiv API whether every linked DOI and arXiv id exists (PT033; answers cached);
``--resolve`` looks up the identifiers the context's bibliography lacks first (see :mod:`posttui.resolve`).
Exit status: 0 no errors, 1 findings at error severity, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import PosttuiError, SourceError

FORMATS = ("text", "json", "github")
NEEDS_PAPER = ("PT001", "PT002", "PT003", "PT004", "PT005", "PT006", "PT010", "PT011", "PT030", "PT031", "PT032",
               "PT033", "PT040", "PT041", "PT042", "PT051")
"""The template, featured-paper, reference and author rules: without the paper they judge against guesses (and
PT001/PT006 would delete a plain Markdown file's text as 'outside the template'), so they do not run."""
NO_CONTEXT_NOTE = ("no paper context found; template, featured-paper, reference and author rules (PT001-PT006, "
                   "PT010-PT011, PT030-PT033, PT040-PT042, PT051) were skipped (use --context)")


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="check posts against the prompt's rules (PT001-PT063)",
        description="Check post files against every rule of the generation prompt. PATH '-' reads standard input.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="post files (.md), or '-' for standard input")
    parser.add_argument("--context", metavar="SOURCE", help="paper the posts are about (saved prompt, id, dir...)")
    parser.add_argument("--site", type=Path, help="Jekyll site: with no PATH, check every post that has a saved prompt")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--select", default="", metavar="IDS", help="comma-separated rule ids or prefixes to run")
    parser.add_argument("--ignore", default="", metavar="IDS", help="comma-separated rule ids or prefixes to skip")
    parser.add_argument("--fix", action="store_true", help="apply the mechanical fixes in place (atomic write)")
    parser.add_argument("--diff", action="store_true", help="show the fixes as a unified diff without writing")
    parser.add_argument("--list-rules", action="store_true", help="list every rule with its severity and fix, then exit")
    parser.add_argument("--model", help="text model the footer should name (default: as the context says)")
    parser.add_argument("--image-model", help="image model the footer should name (default: as the context says)")
    parser.add_argument("--online", action="store_true",
                        help="ask doi.org and arXiv whether every linked DOI and arXiv id exists (PT033; cached)")
    parser.add_argument("--resolve", action="store_true",
                        help="look up the identifiers the context's bibliography lacks before checking (cached)")
    parser.set_defaults(run=run)
    return parser


@dataclass
class Target:
    path: str
    """As shown in the output ('-' for stdin)."""
    file: Path | None
    context_source: str | None
    site: object
    """The :class:`~posttui.site.Site` the post belongs to, or None."""


@dataclass
class Outcome:
    findings: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    no_context: list = field(default_factory=list)
    not_posts: list = field(default_factory=list)
    """Files --fix/--diff left alone because they are not recognisably posts."""
    converted: list = field(default_factory=list)
    """Posts whose CRLF line endings were converted to LF."""


def _site_of(post: Path, named):
    """The site a post belongs to: the one named with ``--site``, else the one around the post (or None)."""
    from ..site import Site, find_site

    if named is not None:
        return named
    root = find_site(post.parent)
    return Site(root) if root is not None else None


def saved_prompt_for(post: Path, site) -> Path | None:
    """The saved prompt of a site post (``prompts/content/NAME.txt``), the post's paper context."""
    if site is None:
        return None
    try:
        candidate = site.paths(post.stem).prompt
    except PosttuiError:
        return None
    return candidate if candidate.is_file() else None


def _split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _targets(args, site, outcome: Outcome) -> list[Target]:
    targets: list[Target] = []
    if not args.paths:
        if site is None:
            raise SourceError("nothing to check", hint="give post files, '-' for standard input, or --site DIR")
        for post in site.posts():
            prompt = saved_prompt_for(post, site)
            if args.context is None and prompt is None:
                outcome.skipped.append((str(post), "no saved prompt in prompts/content (not a paper post)"))
                continue
            targets.append(Target(str(post), post, args.context or str(prompt), site))
        return targets
    for raw in args.paths:
        if raw == "-":
            targets.append(Target("-", None, args.context, site))
            continue
        post = Path(raw)
        if post.is_dir():
            raise SourceError("is a folder, not a post file", path=post,
                              hint="give .md post files, or check a whole site with --site DIR")
        if not post.exists():
            raise SourceError("no such post file", path=post, hint="give the path of a .md post, or '-' for stdin")
        if not post.is_file():
            raise SourceError("is not a regular file", path=post, hint="give the path of a .md post")
        post_site = _site_of(post, site)
        prompt = None if args.context else saved_prompt_for(post, post_site)
        targets.append(Target(raw, post, args.context or (str(prompt) if prompt else None), post_site))
    return targets


_CONFIG = "config"
"""The key under which :func:`_context` keeps the configuration in its cache (the contexts' keys are tuples)."""


def _context(source: str | None, site, cache: dict, args):
    """The context for ``source``; only the last one is kept (posts sharing a context come one after another, and
    keeping every post's context made ``check --site`` grow with the site). A saved prompt is read without the
    check that its YAML would re-render byte for byte: the checker never re-renders the prompt, and that round
    trip cost more than reading the prompt; and its metadata as plain dicts: the checker only reads its fields,
    and importing feedparser for its dict class cost more than the reading."""
    from ..config import load_config
    from ..rules import CheckContext
    from ..sources import load

    if source is None:
        return None
    key = (source, str(getattr(site, "root", None)))
    if key not in cache:
        config = cache.get(_CONFIG) or load_config()  # read once per run, not once per post
        cache.clear()
        cache[_CONFIG] = config
        paper = load(source, site=site, config=config, check_dump_form=False, feedparser_dicts=False)
        if getattr(args, "resolve", False):
            from ..resolve import resolve_paper

            resolution = resolve_paper(paper, network=True)
            print(f"posttui: {source}: references: {resolution.summary(paper.references)}", file=sys.stderr)
        ctx = CheckContext.from_paper(paper, model=args.model, image_model=args.image_model, config=config,
                                      lazy=True)
        for note in (*paper.warnings, *ctx.notes):
            print(f"posttui: {source}: {note}", file=sys.stderr)
        cache[key] = ctx
        cache[_NOTED] = (source, paper, len(paper.warnings))
    return cache[key]


_NOTED = "noted"
"""The key under which :func:`_context` keeps the last context's source, paper, and how many of the paper's notes
it has shown: a lazy context reads the bibliography only if a rule asks, and a note made then is shown after the
post's findings (:func:`_late_notes`)."""


def _late_notes(cache: dict) -> None:
    """Show the notes the last context's paper gained while its post was checked (see :data:`_NOTED`)."""
    if _NOTED not in cache:
        return
    source, paper, shown = cache[_NOTED]
    for note in paper.warnings[shown:]:
        print(f"posttui: {source}: {note}", file=sys.stderr)
    cache[_NOTED] = (source, paper, len(paper.warnings))


def _verified(ctx, text: str, path: str):
    """``ctx`` knowing which linked identifiers do not exist (for PT033); unverifiable ones are reported."""
    import dataclasses

    from ..config import load_config
    from ..resolve.verify import linked_identifiers, verify_identifiers

    ids = [i for i in linked_identifiers(text) if not (i[0] == "arxiv" and i[1] == ctx.featured_id)]
    result = verify_identifiers(ids, config=load_config())
    for key, why in result.unverified.items():
        print(f"posttui: {path}: could not verify {key}: {why}", file=sys.stderr)
    return dataclasses.replace(ctx, nonexistent=ctx.nonexistent | frozenset(result.missing))


def _read(target: Target) -> str:
    try:
        if target.file is None:  # posts are UTF-8 whatever the terminal's encoding
            stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
            return stdin.read().decode("utf-8") if stdin is not None else sys.stdin.read()
        return target.file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                          path=target.file or "standard input") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path=target.file) from None


def run(args: argparse.Namespace) -> int:
    from ..rules import CheckContext, check, fix
    from ..site import Site
    from ..siteconfig import SiteConfig

    if args.list_rules:
        from ..rules import load_rules

        for rule in load_rules().values():
            fix_text = f" (fix: {rule.fix})" if rule.fix else ""
            print(f"{rule.id}  {rule.severity.value:<7}  {rule.title}{fix_text}")
        return 0
    if args.fix and args.diff:
        raise SourceError("--fix and --diff do not go together", hint="use --diff to preview, then --fix to write")
    outcome = Outcome()
    site = Site(args.site) if args.site is not None else None
    targets = _targets(args, site, outcome)
    contexts: dict = {}
    configs: dict = {}
    report = _Report(args.format)
    for target in targets:
        site_key = str(getattr(target.site, "root", None))
        if site_key not in configs:
            settings = target.site.settings if target.site is not None else SiteConfig()
            configs[site_key] = settings.options(select=_split_ids(args.select), ignore=_split_ids(args.ignore))
        options = configs[site_key]
        ctx = _context(target.context_source, target.site, contexts, args)
        if ctx is None:
            outcome.no_context.append(target.path)
            ctx = CheckContext()
            options = replace(options, ignore=(*options.ignore, *NEEDS_PAPER))
        text = _read(target)
        if getattr(args, "online", False):
            ctx = _verified(ctx, text, target.path)
        crlf = "\r\n" in text
        original = text
        if crlf:  # the site's posts use \n; judge (and write) the text with \n line endings
            text = text.replace("\r\n", "\n")
        if (args.fix or args.diff) and not is_post(text):
            outcome.not_posts.append(target.path)
            if args.fix and target.file is None:
                sys.stdout.write(original)
            report.add(target.path, check(text, ctx, options=options))
            _late_notes(contexts)
            continue
        if args.fix or args.diff:
            result = fix(text, ctx, options=options)
            if crlf:
                outcome.converted.append(target.path)
            if result.changed or crlf:
                text = original
                outcome.changed.append((target.path, result.applied))
                if args.diff:
                    sys.stdout.write(_diff(target.path, text, result.text))
                elif target.file is None:
                    sys.stdout.write(result.text)
                else:
                    from ..files import write_file

                    write_file(target.file, result.text, overwrite=True)
            elif args.fix and target.file is None:
                sys.stdout.write(text)
            # --fix reports what is left after it wrote; --diff wrote nothing, so it reports the file as it is
            findings = result.findings if args.fix else check(text.replace("\r\n", "\n"), ctx, options=options)
        else:
            findings = check(text, ctx, options=options)
        _late_notes(contexts)
        report.add(target.path, findings)
    out = sys.stderr if (args.fix and any(t.file is None for t in targets)) or args.diff else sys.stdout
    errors = report.severities["error"]
    try:
        report.write(out, outcome, fixing=args.fix)
    except BrokenPipeError:  # `posttui check ... | head -1`: the status still says whether errors were found
        from .common import quiet_stdout

        quiet_stdout()
    for path in outcome.not_posts:
        refused = SourceError(f"not a post (no front matter and no BEGIN/END marker); "
                              f"{'left unchanged' if args.fix else 'no fixes shown'}", path=path,
                              hint="--fix and --diff only touch posts; check it without them, or give the post file")
        print(f"posttui: error: {refused}", file=sys.stderr)
    if outcome.not_posts:
        return 2
    return 1 if errors else 0


def is_post(text: str) -> bool:
    """Recognisably a post (a draft of one, maybe wrapped in a fence): it has YAML front matter or a BEGIN/END
    marker. Anything else is some other Markdown file, which --fix must never rewrite."""
    from ..postformat import layout

    lay = layout(text)
    return lay.front_matter is not None or bool(lay.begins or lay.ends)


def _diff(path: str, before: str, after: str) -> str:
    """A unified diff as ``diff -u`` writes it, including the "\\ No newline at end of file" marker."""
    out = []
    for line in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                     f"a/{path}", f"b/{path}"):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


class _PackedText:
    """Text kept zlib-compressed as it is appended, and given back piece by piece: the report of a site of
    thousands of posts (a few KB per post) would otherwise grow with the site. Findings repeat rules, paths and
    messages, so it packs about tenfold, at a cost far below the checks'."""

    PIECE = 1 << 16

    def __init__(self) -> None:
        import zlib

        self._packer = zlib.compressobj(1)
        self._packed: list[bytes] = []
        self.empty = True

    def append(self, text: str) -> None:
        self.empty = self.empty and not text
        packed = self._packer.compress(text.encode("utf-8"))
        if packed:
            self._packed.append(packed)

    def pieces(self):
        """The text appended so far, in pieces of at most :attr:`PIECE` bytes (decoded; a character is never
        split); the buffer is spent afterwards."""
        import codecs
        import zlib

        self._packed.append(self._packer.flush())
        unpacker = zlib.decompressobj()
        decoder = codecs.getincrementaldecoder("utf-8")()
        for packed in self._packed:
            data = unpacker.decompress(packed, self.PIECE)
            while data:
                yield decoder.decode(data)
                data = unpacker.decompress(unpacker.unconsumed_tail, self.PIECE)
        self._packed = []
        tail = decoder.decode(unpacker.flush(), final=True)
        if tail:
            yield tail


class _Report:
    """The findings of every post, kept as the text they print as (not as Finding objects, and packed: see
    :class:`_PackedText`), plus the counts the summary needs: a site of thousands of posts is checked in flat
    memory, and the report is still written only once every post was checked (an error part-way prints no
    partial report, as before)."""

    LEVELS = {"error": "error", "warning": "warning", "info": "notice", "pending": "notice"}

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.text = _PackedText()
        self.severities: Counter = Counter()
        self.posts = 0
        self.clean = 0
        self.fixable = 0

    def add(self, path: str, findings: list) -> None:
        self.posts += 1
        self.clean += not findings
        self.fixable += sum(1 for f in findings if f.fixable)
        self.severities.update(f.severity.value for f in findings)
        if not findings:
            return
        if self.format == "json":
            # each row exactly as json.dumps(all_rows, indent=2) writes it: one level deeper than on its own
            rows = (json.dumps(f.as_dict(path), indent=2, ensure_ascii=False) for f in findings)
            self.text.append((",\n" if not self.text.empty else "") +
                             ",\n".join("  " + row.replace("\n", "\n  ") for row in rows))
        elif self.format == "github":
            lines = []
            for f in findings:
                msg = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                lines.append(
                    f"::{self.LEVELS[f.severity.value]} file={path},line={f.line},col={f.column},endLine={f.end_line},"
                    f"endColumn={f.end_column},title={f.rule}::{msg}\n"
                )
            self.text.append("".join(lines))
        else:
            self.text.append("".join(
                f"{path}:{f.line}:{f.column}: {f.rule} [{f.severity.value}] {f.message}"
                f"{' (fixable)' if f.fixable else ''}\n"
                for f in findings
            ))

    def write(self, out, outcome: Outcome, *, fixing: bool) -> None:
        if self.format == "json":
            if self.text.empty:
                out.write("[]\n")
            else:  # piece by piece: unpacking first would hold the whole report
                out.write("[\n")
                for piece in self.text.pieces():
                    out.write(piece)
                out.write("\n]\n")
            for path, reason in outcome.skipped:
                print(f"posttui: skipped {path}: {reason}", file=sys.stderr)
            for path in outcome.no_context:
                print(f"posttui: {path}: {NO_CONTEXT_NOTE}", file=sys.stderr)
            return
        for piece in self.text.pieces():
            out.write(piece)
        if self.format == "github":
            return
        self._write_text_tail(out, outcome, fixing=fixing)

    def _write_text_tail(self, out, outcome: Outcome, *, fixing: bool) -> None:
        for path, applied in outcome.changed:
            counts = Counter(f.rule for f in applied)
            what = ", ".join(f"{rule}×{n}" for rule, n in sorted(counts.items()))
            verb = "fixed" if fixing else "would fix"
            if applied:
                out.write(f"{path}: {verb} {len(applied)} finding{'s' if len(applied) != 1 else ''} ({what})\n")
            if path in outcome.converted:
                out.write(f"{path}: {'converted' if fixing else 'would convert'} CRLF line endings to LF\n")
        for path, reason in outcome.skipped:
            out.write(f"skipped {path}: {reason}\n")
        for path in outcome.no_context:
            out.write(f"{path}: {NO_CONTEXT_NOTE}\n")
        sev = self.severities
        summary = (
            f"{self.posts} post{'s' if self.posts != 1 else ''} checked ({self.clean} clean): {sev['error']} errors, "
            f"{sev['warning']} warnings, {sev['info']} info"
        )
        if self.fixable and not fixing:
            summary += f"; {self.fixable} fixable with --fix"
        if outcome.skipped:
            summary += f"; {len(outcome.skipped)} skipped"
        out.write(summary + "\n")
