"""Saved prompts (``prompts/content/DATE-ID.txt`` of the site, or the seed): parsed back into a Paper.

The parser is driven by the packaged site template itself, so the two can never disagree: the template is cut at
its five data blocks (homepage, metadata, TeX, bbl, authors) into six "gaps" of fixed text that may hold small
values (front matter, footer, models, lead author, featured id). Gaps before the TeX block are searched from the
start, gaps after it from the end, so a TeX source may contain anything, even text that looks like the template.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import SavedPromptError
from ..files import write_file
from ..ids import split_arxiv
from ..paper import Paper, TexFile
from ..prompt import (
    OUTPUT_TEMPLATE,
    PROMPT_TEMPLATE,
    TEMPLATE_DIR,
    PromptParts,
    unwrap_saved,
)
from ..safenames import check_date, check_name, safe_join
from ..yamlio import dump_yaml, load_yaml
from .metadata import check_authors
from .safe_read import read_yaml_file

BLOCKS = ("homepage", "metadata", "tex", "bbl", "authors")
"""The data blocks of the template, in order."""

BLOCK_LABELS = {
    "homepage": "1. Homepage Content",
    "metadata": "2. Paper Metadata",
    "tex": "3. Paper Source (TeX)",
    "bbl": "4. Bibliographic Information",
    "authors": "5. Author Information",
    None: "Final Output Instructions",
}
"""How each block is named in messages (the gap *before* a block introduces it)."""

PARTS_FILE = "prompt-parts.yaml"
"""Written by ``posttui unpack`` beside the bundle: the template-level values of the saved prompt."""

_SIGNATURES = ("Output Format (Markdown):", "Section 2: Provided Data for Integration", "Create a Markdown Blog Post")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class _Gap:
    """Fixed template text between two data blocks, possibly holding small values."""

    before: str | None
    """The data block this gap introduces (None for the text after the last block)."""
    pieces: tuple[str, ...]
    """Alternating literal text and placeholder names (even indexes literal)."""
    regex: "_GapPattern"

    @property
    def anchor(self) -> str:
        return self.pieces[0]


_SHORT_LITERAL = 64
"""Literals up to this long are written into a gap's quick pattern; longer ones by their start and length."""


class _GapPattern:
    """A gap's pattern (its literals, and lazy values between them: see :func:`_gap_regex`), matched through a
    quick pattern that writes each long literal as its first characters and its length.

    Compiling the exact pattern, whose literals run to kilobytes, cost more than reading a saved prompt. The quick
    pattern accepts wherever the exact one does and tries the values in the same order, so its first match, when
    it also holds every literal in full, is the exact pattern's first match; when it does not, the exact pattern
    (compiled then) decides."""

    def __init__(self, pieces: tuple[str, ...]):
        self.pieces = pieces
        self.quick = _gap_regex(pieces, short=_SHORT_LITERAL)
        self._exact: re.Pattern | None = None

    @property
    def exact(self) -> re.Pattern:
        if self._exact is None:
            self._exact = _gap_regex(self.pieces)
        return self._exact

    def match(self, text: str, pos: int) -> re.Match | None:
        found = self.quick.match(text, pos)
        return found if found is None or self._holds_literals(text, found) else self.exact.match(text, pos)

    def fullmatch(self, text: str, pos: int, endpos: int) -> re.Match | None:
        found = self.quick.fullmatch(text, pos, endpos)
        if found is None or self._holds_literals(text, found):
            return found
        return self.exact.fullmatch(text, pos, endpos)

    def _holds_literals(self, text: str, found: re.Match) -> bool:
        at = found.start()
        seen: set[str] = set()
        for index, piece in enumerate(self.pieces):
            if index % 2 == 0:
                if not text.startswith(piece, at):
                    return False
                at += len(piece)
            elif piece in seen:  # a back-reference: the same text again
                at += len(found.group(piece))
            else:
                seen.add(piece)
                at = found.end(piece)
        return True


def _gap_regex(pieces: tuple[str, ...], short: int | None = None) -> re.Pattern:
    """The gap's pattern: its literals, and between them the values, each as short as it can be. ``short``: write
    a literal longer than that as a look-ahead for its first ``short`` characters and any characters of its length
    (see :class:`_GapPattern`)."""
    seen: set[str] = set()
    out = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if short is not None and len(piece) > short:
                out.append(f"(?={re.escape(piece[:short])})(?s:.{{{len(piece)}}})")
            else:
                out.append(re.escape(piece))
        elif piece in seen:
            out.append(f"(?P={piece})")
        else:
            seen.add(piece)
            # Small values are single lines, except the title, which arXiv wraps as "line\n  line".
            value = r"[^\n]*?(?:\n  [^\n]*?)*?" if piece == "title" else r"[^\n]*?"
            out.append(f"(?P<{piece}>{value})")
    return re.compile("".join(out))


@lru_cache(maxsize=1)
def _gaps() -> tuple[_Gap, ...]:
    """The site template (packaged, never a user override: saved files follow the site) cut into gaps."""
    prompt = (TEMPLATE_DIR / PROMPT_TEMPLATE).read_text(encoding="utf-8")
    output = (TEMPLATE_DIR / OUTPUT_TEMPLATE).read_text(encoding="utf-8")
    prompt = prompt.replace("{{output_format}}", output)
    tokens = _PLACEHOLDER.split(prompt)
    gaps: list[_Gap] = []
    current: list[str] = [tokens[0]]
    for index in range(1, len(tokens), 2):
        name, literal = tokens[index], tokens[index + 1]
        if name in BLOCKS:
            gaps.append(_Gap(name, tuple(current), _GapPattern(tuple(current))))
            current = [literal]
        else:
            current.extend([name, literal])
    gaps.append(_Gap(None, tuple(current), _GapPattern(tuple(current))))
    if [g.before for g in gaps] != [*BLOCKS, None] or not all(g.anchor for g in gaps):
        raise RuntimeError("the packaged prompt template does not have the five data blocks in order")
    return tuple(gaps)


def is_saved_prompt(path: str | Path) -> bool:
    """True when ``path`` is a text file that looks like one of the site's saved prompts."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(16384)
    except OSError:
        return False
    text = head.decode("utf-8", errors="replace")
    return text.startswith("{% raw %}") or sum(sig in text for sig in _SIGNATURES) >= 2


def _missing(path, block: str | None, detail: str = "", *, label: str | None = None) -> SavedPromptError:
    label = label or BLOCK_LABELS[block]
    return SavedPromptError(
        f"saved prompt is missing or has a garbled '{label}' block{detail}",
        path=path,
        hint="the file must be a prompt as the site saves it (prompts/content/*.txt); restore that block",
    )


def _diagnose_head(gap: _Gap, text: str) -> str:
    """Name the first fixed line of the Output Format/instructions head that the file does not have."""
    template = "".join(p if i % 2 == 0 else "\0" for i, p in enumerate(gap.pieces))
    for line in template.splitlines():
        if line.strip() and "\0" not in line and line not in text:
            return f" (no line {line.strip()[:70]!r})"
    return " (its front matter, footer or featured id does not fit the site's template)"


def split_saved_prompt(text: str, path: str | Path = "<prompt>") -> tuple[dict[str, str], dict[str, str]]:
    """Cut a prompt (without the raw wrapper) into its data blocks and its small template values."""
    gaps = _gaps()
    blocks: dict[str, str] = {}
    values: dict[str, str] = {}

    def take(gap: _Gap, start: int) -> int:
        # Bound the match by the gap's last literal so a broken file never makes the regex scan the whole TeX.
        last = gap.pieces[-1]
        if gap.before is None:
            match = gap.regex.match(text, start)
            if match is not None and match.end() != len(text):
                raise _missing(path, None, " (unexpected text after the final instructions)")
        else:
            found = text.find(last, start + len(gap.anchor) if len(gap.pieces) > 1 else start)
            match = gap.regex.fullmatch(text, start, found + len(last)) if found >= 0 else None
        if match is None:
            if gap is gaps[0]:
                raise _missing(path, None, _diagnose_head(gap, text), label="Output Format / instructions")
            raise _missing(path, gap.before)
        for name, value in match.groupdict().items():
            if name in values and values[name] != value:
                raise _missing(path, gap.before, f" ({name} {value!r} differs from {values[name]!r} elsewhere)")
            values[name] = value
        return match.end()

    # Forward: head, homepage, metadata, up to the start of the TeX block.
    pos = take(gaps[0], 0)
    starts = {}
    for gap in gaps[1:3]:
        at = text.find(gap.anchor, pos)
        if at < 0:
            raise _missing(path, gap.before)
        blocks[BLOCKS[len(blocks)]] = text[pos:at]
        pos = take(gap, at)
    tex_start = pos
    # Backward: the text after the last block, authors, bbl; what remains is the TeX block.
    end = len(text)
    for gap in reversed(gaps[3:]):
        at = text.rfind(gap.anchor, tex_start, end)
        if at < 0:
            raise _missing(path, gap.before)
        gap_end = take(gap, at)
        starts[gap.before] = (at, gap_end)
        end = at
    blocks["tex"] = text[tex_start : starts["bbl"][0]]
    blocks["bbl"] = text[starts["bbl"][1] : starts["authors"][0]]
    blocks["authors"] = text[starts["authors"][1] : starts[None][0]]
    return blocks, values


def parse_saved_prompt(text: str, path: str | Path = "<prompt>", *, check_dump_form: bool = True,
                       feedparser_dicts: bool = True) -> Paper:
    """A Paper from the text of a saved prompt (with or without the ``{% raw %}`` wrapper).

    ``check_dump_form`` re-dumps the two YAML blocks to warn when a re-rendered prompt would differ; a caller that
    never re-renders the prompt (the checker) skips that round trip, which costs more than the parse itself.
    ``feedparser_dicts=False`` gives metadata of plain dicts (see :func:`~posttui.yamlio.load_yaml`): for a caller
    that only reads the entry's fields and never dumps it.
    """
    if not text.strip():
        raise SavedPromptError("saved prompt is empty", path=path, hint="give a prompt saved by the site")
    prompt, wrapped = unwrap_saved(text)
    if not wrapped and text.startswith("{% raw %}"):
        raise SavedPromptError(
            "starts with {% raw %} but does not end with a closing {% endraw %}",
            path=path,
            hint="the site saves prompts as '{% raw %}' + newline + prompt + newline + '{% endraw %}'",
        )
    blocks, values = split_saved_prompt(prompt, path)
    metadata = load_yaml(blocks["metadata"], f"{path} (its '2. Paper Metadata' block)", error=SavedPromptError,
                         feedparser_dicts=feedparser_dicts)
    if not hasattr(metadata, "get"):
        raise _missing(path, "metadata", " (it is not a YAML mapping)")
    check_authors(metadata, f"{path} (its '2. Paper Metadata' block)", error=SavedPromptError)
    authors = load_yaml(blocks["authors"], f"{path} (its '5. Author Information' block)", error=SavedPromptError,
                        feedparser_dicts=feedparser_dicts)
    if not isinstance(authors, dict):
        raise _missing(path, "authors", " (the Full Authors List is not a YAML mapping)")
    parts = PromptParts(**values, wrapped=wrapped)
    identity = split_arxiv(parts.arxiv_id) or split_arxiv(str(metadata.get("id", "") or ""))
    arxiv_id = identity[0] if identity else (parts.arxiv_id or None)
    meta_identity = split_arxiv(str(metadata.get("id", "") or ""))
    paper = Paper(
        arxiv_id=arxiv_id,
        metadata=metadata,
        tex_files=[TexFile(f"{parts.post_name or 'paper'}.tex", blocks["tex"])] if blocks["tex"] else [],
        bbl=blocks["bbl"],
        homepage=blocks["homepage"],
        author_info=authors,
        parts=parts,
        version=meta_identity[1] if meta_identity else "",
        origin=str(path),
    )
    _check_names(paper, path)
    if not check_dump_form:
        return paper
    if dump_yaml(metadata) != blocks["metadata"]:
        paper.warnings.append("the Paper Metadata block is not in yaml.dump form: a re-rendered prompt will differ")
    if dump_yaml(authors) != blocks["authors"]:
        paper.warnings.append("the Author Information block is not in yaml.dump form: a re-rendered prompt will differ")
    return paper


def _check_names(paper: Paper, path: str | Path) -> None:
    """Refuse, before any use, a saved prompt whose post name or featured id cannot name the post's files (a
    ``../`` or absolute post name, a 300-character id, a date that is not a calendar date)."""
    hint = "a saved prompt's post name is DATE-ID (e.g. 2025-01-31-2501.01234); restore it in the front matter"
    if paper.parts.post_name:
        check_name(paper.parts.post_name, what="the post name", path=path, error=SavedPromptError, hint=hint)
    check_date(paper.parts.date, path=path, error=SavedPromptError)
    paper.post_name  # noqa: B018 - DATE-ID from the metadata date and the featured id; raises SourceError


def load_saved_prompt(path: str | Path, *, check_dump_form: bool = True, feedparser_dicts: bool = True) -> Paper:
    """Read a saved prompt file into a Paper whose ``parts`` re-render it byte for byte (see
    :func:`parse_saved_prompt` for ``check_dump_form`` and ``feedparser_dicts``)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise SavedPromptError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
    except OSError as exc:
        raise SavedPromptError(f"cannot be read: {exc.strerror}", path=path) from None
    return parse_saved_prompt(text, path, check_dump_form=check_dump_form, feedparser_dicts=feedparser_dicts)


# ----- the parts file written by `posttui unpack` ----------------------------------------------------------------
def read_parts_file(directory: str | Path) -> PromptParts | None:
    """The parts saved by ``posttui unpack`` in ``directory``, or None when there are none (or it is no directory)."""
    target = Path(directory) / PARTS_FILE
    if not Path(directory).is_dir() or not os.path.lexists(target):
        return None
    data = read_yaml_file(target, root=directory, error=SavedPromptError)  # a bundle file: the safe reader
    return PromptParts.from_dict(data, target)


# ----- unpacking into an ordinary bundle -------------------------------------------------------------------------
def bundle_files(paper: Paper) -> dict[str, str]:
    """The files of an ordinary bundle holding ``paper`` (name -> exact text), as ``posttui unpack`` writes them.

    ``load_local`` reads these back: the TeX and .bbl verbatim, ``metadata.yaml`` (the feedparser entry, in the
    same ``yaml.dump`` form as the prompt), ``authors.yaml`` (already-matched author information), ``index.md``
    (the homepage) and :data:`PARTS_FILE` with the template-level values.
    """
    stem = paper.post_name if paper.parts is None else (paper.parts.post_name or paper.post_name)
    files: dict[str, str] = {}
    for tex in paper.tex_files:
        files[Path(tex.name).name or f"{stem}.tex"] = tex.text
    if paper.bbl:
        files[f"{stem}.bbl"] = paper.bbl
    files["metadata.yaml"] = dump_yaml(paper.metadata if paper.metadata is not None else {})
    files["authors.yaml"] = dump_yaml(paper.author_info or {})
    files["index.md"] = paper.homepage
    if isinstance(paper.parts, PromptParts):
        header = "# Template-level values of a saved prompt, used by `posttui prompt DIR --saved`.\n"
        files[PARTS_FILE] = header + dump_yaml(paper.parts.to_dict())
    return files


def unpack_saved_prompt(source: str | Path | Paper, directory: str | Path, *, force: bool = False) -> list[Path]:
    """Write a saved prompt's parts as an ordinary bundle in ``directory``; returns the files written.

    Existing files are never overwritten unless ``force`` is given.
    """
    paper = source if isinstance(source, Paper) else load_saved_prompt(source)
    source_name = paper.origin or None
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise SavedPromptError("exists and is not a directory", path=directory, hint="give a new or empty directory")
    files = bundle_files(paper)
    targets = {name: safe_join(directory, name, what="bundle file", path=source_name, error=SavedPromptError)
               for name in files}  # names come from the saved prompt: never a path out of ``directory``
    clash = sorted(name for name, target in targets.items() if target.exists() or target.is_symlink())
    special = [t for t in targets.values() if t.is_symlink() or (t.exists() and not t.is_file())]
    if special:
        raise SavedPromptError("is a link or a special file; posttui never writes over one", path=special[0],
                               hint="remove it, or unpack into a new directory")
    if clash and not force:
        raise SavedPromptError(
            f"would overwrite {', '.join(clash)}",
            path=directory,
            hint="unpack into a new or empty directory, or pass --force",
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SavedPromptError(f"cannot create the directory: {exc.strerror}", path=directory) from None
    written = []
    for name, text in files.items():
        target = targets[name]
        write_file(target, text, overwrite=force)
        written.append(target)
    return written
