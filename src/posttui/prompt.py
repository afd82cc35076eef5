"""The generation prompt: one renderer over packaged template files, in "site" and "lean" modes.

Site mode reproduces the research group's prompt byte for byte. The template lives in
``posttui/templates/prompt.txt`` (the instructions) and ``posttui/templates/output.txt`` (the post skeleton the
model must fill, which the checker and the offline writer also use through :func:`output_template`). A user can
put files with the same names in ``Config.template_dir`` to override them.

Placeholders are ``{{name}}``; substitution is a single pass, so braces inside the TeX or YAML values are never
re-interpreted. Template-level values (models, footer, front matter...) come from the paper's ``parts`` when it
was loaded from a saved prompt, otherwise from the site's rules (see :func:`template_values`).
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .yamlio import double_quoted_body, dump_yaml

if TYPE_CHECKING:
    from .config import Config
    from .paper import Paper

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
PROMPT_TEMPLATE = "prompt.txt"
OUTPUT_TEMPLATE = "output.txt"
IMAGE_TEMPLATE = "image_prompt.txt"

DEFAULT_IMAGE = "/assets/images/user.png"
"""What the pipeline shows for a group member without an image."""

RAW_OPEN = "{% raw %}\n"
RAW_CLOSE = "\n{% endraw %}"

MODES = ("site", "lean")

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


# ----- template-level values ------------------------------------------------------------------------------------
@dataclass
class PromptParts:
    """The template-level values of one prompt: everything besides the five data blocks.

    A saved prompt keeps these as parsed, so re-rendering gives its bytes back even when the site's rules or
    model names have changed since it was written.
    """

    title: str
    """The front matter title as it stands between the double quotes: YAML-escaped where it needs it (a ``"``,
    a backslash, a control character), otherwise verbatim (arXiv titles keep their line wrapping, as the site
    prints them). A saved prompt's title is kept exactly as the file has it."""
    date: str
    """Post date, YYYY-MM-DD."""
    post_name: str
    """``DATE-ID``: names the header image and the saved prompt files."""
    footer_images: str
    """The ``<img ...>`` line of the footer (one per group member among the authors, no separator)."""
    model: str
    """Text model named in the footer."""
    image_model: str
    """Image model named in the footer."""
    lead_author: str
    """The lead author as the site prints it: ``repr`` of the first metadata author (``{'name': 'A B'}``)."""
    arxiv_id: str
    """The featured paper's id, linked twice in the instructions."""
    wrapped: bool = True
    """Whether the saved file had the ``{% raw %}`` wrapper."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any, source: str | Path = "<parts>") -> "PromptParts":
        from .errors import SavedPromptError

        if not isinstance(data, dict):
            raise SavedPromptError("prompt parts must be a mapping", path=source, hint="re-run `posttui unpack`")
        names = {f.name for f in fields(cls)}
        missing = sorted(n for n in names if n not in data and n != "wrapped")
        unknown = sorted(k for k in data if k not in names)
        if missing or unknown:
            problems = [f"missing {', '.join(missing)}"] if missing else []
            problems += [f"unknown {', '.join(unknown)}"] if unknown else []
            raise SavedPromptError(
                f"prompt parts are incomplete ({', '.join(problems)})", path=source, hint="re-run `posttui unpack`"
            )
        values = {k: data[k] for k in names if k in data}
        for key, value in values.items():
            if key == "wrapped":
                if not isinstance(value, bool):
                    raise SavedPromptError("prompt part 'wrapped' must be true or false", path=source)
            elif not isinstance(value, str):
                values[key] = str(value)
        return cls(**values)


@dataclass(frozen=True)
class OutputTemplate:
    """The post's fixed skeleton, exactly as the prompt's "Output Format" block gives it."""

    front_matter: str
    """The ``---`` ... ``---`` block, without a trailing newline."""
    header_image: str
    """The ``![AI generated image](...)`` line."""
    begin_marker: str
    end_marker: str
    footer: str
    """Everything after the END marker (blank line, footer images, model credits)."""
    text: str
    """The whole skeleton (what sits between the dashed lines of the Output Format block)."""

    @property
    def head(self) -> str:
        """Everything up to and including the BEGIN marker line."""
        return self.text[: self.text.index(self.begin_marker) + len(self.begin_marker)]

    def fill(self, body: str) -> str:
        """The post with ``body`` between the markers (no trailing newline, as the site's posts end)."""
        body = body.strip("\n")
        return f"{self.head}\n{body}\n{self.end_marker}{self.footer}".rstrip("\n")


# ----- templates ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _read_template(path: Path, mtime: float) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"prompt template cannot be read: {exc}", path=path) from None


def template_text(name: str, config: "Config | None" = None) -> str:
    """A template's text: the user's file from ``config.template_dir`` when present, else the packaged one."""
    candidates = []
    if config is not None and config.template_dir is not None:
        candidates.append(Path(config.template_dir) / name)
    candidates.append(TEMPLATE_DIR / name)
    for path in candidates:
        if path.is_file():
            return _read_template(path, path.stat().st_mtime)
    raise ConfigError(f"prompt template {name!r} not found", path=candidates[0], hint="reinstall posttui")


def render(template: str, values: dict[str, str], *, name: str = "template") -> str:
    """Replace every ``{{key}}`` in one pass (values are never re-scanned); unknown keys are an error."""
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - values.keys())
    if unknown:
        raise ConfigError(
            f"prompt template {name} uses unknown placeholder(s): {', '.join(unknown)}",
            hint=f"known placeholders: {', '.join(sorted(values))}",
        )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _config(config: "Config | None") -> "Config":
    if config is not None:
        return config
    from .config import load_config

    return load_config()


# ----- values from a paper --------------------------------------------------------------------------------------
def author_info(paper: "Paper") -> dict:
    """The Author Information mapping (name -> member entry, ``{}`` for non-members) the prompt prints."""
    if paper.author_info is not None:
        return paper.author_info
    if paper.members is None and not paper.author_names:
        return {}
    try:
        from .authors import author_info_block
    except ImportError:  # pragma: no cover - authors module is part of the package
        return {name: {} for name in paper.author_names}
    return author_info_block(paper.authors)


def footer_images(info: dict) -> str:
    """One ``<img>`` per group member among the authors; height ``100 // max(members + 2, 4)`` vw, as the site."""
    members = [(name, entry) for name, entry in info.items() if entry]
    height = 100 // max(len(members) + 2, 4)
    return "".join(
        f'<img src="{(entry.get("image") if isinstance(entry, dict) else None) or DEFAULT_IMAGE}" alt="{name}" '
        f'style="width: auto; height: {height}vw;">'
        for name, entry in members
    )


def derive_parts(paper: "Paper", *, model: str | None = None, image_model: str | None = None,
                 config: "Config | None" = None) -> PromptParts:
    """Template-level values from the site's rules (for a paper from a bundle or arXiv)."""
    cfg = None if (model and image_model) else _config(config)
    return PromptParts(
        title=double_quoted_body(str(paper._meta("title", "") or "")),
        date=paper.date,
        post_name=paper.post_name,
        footer_images=footer_images(author_info(paper)),
        model=model or cfg.model,  # type: ignore[union-attr]
        image_model=image_model or cfg.image_model,  # type: ignore[union-attr]
        lead_author=repr(paper.lead_author),
        arxiv_id=paper.arxiv_id or "",
    )


def template_values(paper: "Paper", *, model: str | None = None, image_model: str | None = None,
                    config: "Config | None" = None) -> PromptParts:
    """The parts to render: the paper's saved parts if it has them, else derived; explicit models always win
    (the footer must name the model actually used)."""
    parts = paper.parts if isinstance(paper.parts, PromptParts) else None
    if parts is None:
        return derive_parts(paper, model=model, image_model=image_model, config=config)
    if model or image_model:
        from dataclasses import replace

        parts = replace(parts, model=model or parts.model, image_model=image_model or parts.image_model)
    return parts


# ----- the output skeleton --------------------------------------------------------------------------------------
def _output_values(parts: PromptParts) -> dict[str, str]:
    return {
        "title": parts.title,
        "date": parts.date,
        "post_name": parts.post_name,
        "footer_images": parts.footer_images,
        "model": parts.model,
        "image_model": parts.image_model,
        "arxiv_id": parts.arxiv_id,
    }


def _render_output(parts: PromptParts, config: "Config | None") -> str:
    return render(template_text(OUTPUT_TEMPLATE, config), _output_values(parts), name=OUTPUT_TEMPLATE)


def split_output(text: str) -> OutputTemplate:
    """Cut a rendered skeleton into its fields (raises ConfigError if a user template lacks a marker)."""
    from .postformat import BEGIN_MARKER, END_MARKER  # the post parser's module: not needed to build a prompt

    for marker in (BEGIN_MARKER, END_MARKER):
        if marker not in text:
            raise ConfigError(f"the output template has no {marker} marker", hint="restore it in output.txt")
    match = re.match(r"(---\n.*?\n---)\n", text, re.S)
    front_matter = match.group(1) if match else ""
    rest = text[match.end():] if match else text
    header_image = next((line for line in rest.splitlines() if line.startswith("![")), "")
    end = text.index(END_MARKER) + len(END_MARKER)
    return OutputTemplate(
        front_matter=front_matter,
        header_image=header_image,
        begin_marker=BEGIN_MARKER,
        end_marker=END_MARKER,
        footer=text[end:],
        text=text,
    )


def output_template(paper: "Paper", model: str | None = None, image_model: str | None = None, *,
                    config: "Config | None" = None) -> OutputTemplate:
    """The post's fixed skeleton for ``paper`` (front matter, header image, markers, footer), as the prompt
    gives it; the checker compares drafts against it and the offline writer fills it."""
    from .claims import for_writer

    parts = template_values(paper, model=model, image_model=image_model, config=config)
    return split_output(for_writer(_render_output(parts, config), parts.model))  # no false claims (claims.py)


# ----- the prompt -----------------------------------------------------------------------------------------------
def site_blocks(paper: "Paper") -> dict[str, str]:
    """The five data blocks exactly as the site pastes them."""
    return {
        "homepage": paper.homepage,
        "metadata": dump_yaml(paper.metadata if paper.metadata is not None else {}),
        "tex": paper.site_tex,
        "bbl": paper.bbl,
        "authors": dump_yaml(author_info(paper)),
    }


RESOLVED_HEADING = "4a. **Resolved References:**"
RESOLVED_NOTE = (
    "Identifiers posttui found for the bibliography entries above that do not show one (in brackets: where each "
    "comes from). Link them like the identifiers in the bibliography."
)


def resolved_block(paper: "Paper") -> str:
    """The "Resolved references" block ``--resolve`` adds after the bibliography, or ``""`` when nothing was
    resolved: one line ``key | Authors year | arXiv:ID or doi:DOI (origin)`` per entry whose identifier came from
    an API (Semantic Scholar, INSPIRE, Crossref) or, without a bibliography, the whole API reference list."""
    from .lean import reference_table

    refs = paper.references
    rows = [r for r in refs if r.has_identifier and (r.identifier_origin != "source" or refs.bibliography_origin)]
    if not rows:
        return ""
    note = RESOLVED_NOTE
    if refs.bibliography_origin:
        note = (f"The source has no bibliography: this is the featured paper's reference list from "
                f"{refs.bibliography_origin}. Link these identifiers.")
    return f"{RESOLVED_HEADING}\n{note}\n```text\n{reference_table(rows, origins=True)}\n```"


def _with_resolved(template: str, blocks: dict[str, str], block: str) -> dict[str, str]:
    """Put ``block`` right after the bibliography's code fence (the value closes the template's fence early and
    opens a text fence that the template's closing fence then ends), or after the bibliography text."""
    blocks = dict(blocks)
    if "{{bbl}}\n```\n" in template:
        text, fence = block.rsplit("\n```", 1)
        blocks["bbl"] = f"{blocks['bbl']}\n```\n\n{text}{fence}"
    else:
        blocks["bbl"] = f"{blocks['bbl']}\n\n{block}"
    return blocks


def build_prompt(paper: "Paper", mode: str = "site", model: str | None = None, image_model: str | None = None,
                 *, config: "Config | None" = None, resolved: bool = False) -> str:
    """The generation prompt for ``paper`` (without the ``{% raw %}`` wrapper; see :func:`wrap_saved`).

    ``site``: byte-identical to the site's prompt. ``lean``: the same template and rules with compact data
    blocks (see :mod:`posttui.lean`), whose reference table already carries the resolved identifiers.
    ``resolved=True`` (``--resolve``) adds :func:`resolved_block` after the site prompt's bibliography; without
    it, or when nothing was resolved, the site prompt stays byte-identical.
    """
    if mode not in MODES:
        raise ConfigError(f"unknown prompt mode {mode!r}", hint=f"use one of: {', '.join(MODES)}")
    parts = template_values(paper, model=model, image_model=image_model, config=config)
    if mode == "site":
        blocks = site_blocks(paper)
    else:
        from .lean import lean_blocks

        blocks = lean_blocks(paper, author_info(paper))
    template = template_text(PROMPT_TEMPLATE, config)
    extra = resolved_block(paper) if resolved and mode == "site" else ""
    values = _with_resolved(template, blocks, extra) if extra else dict(blocks)
    values["output_format"] = _render_output(parts, config)
    values["lead_author"] = parts.lead_author
    values["arxiv_id"] = parts.arxiv_id
    return render(template, values, name=PROMPT_TEMPLATE)


def wrap_saved(prompt: str) -> str:
    """The prompt as the site saves it in ``prompts/``: inside ``{% raw %}`` so Jekyll leaves it alone."""
    return f"{RAW_OPEN}{prompt}{RAW_CLOSE}"


def unwrap_saved(text: str) -> tuple[str, bool]:
    """``(prompt, was_wrapped)``: the inverse of :func:`wrap_saved` (text without the wrapper is returned as is)."""
    if text.startswith(RAW_OPEN) and text.endswith(RAW_CLOSE):
        return text[len(RAW_OPEN) : -len(RAW_CLOSE)], True
    return text, False


SAVED_TITLE = re.compile(r'^title:[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\n]*))', re.MULTILINE)


def saved_prompt_title(path: str | Path, head: int = 16_384) -> str:
    """The post title a saved prompt's front-matter example names (read from the file's first ``head`` bytes
    only, so listing hundreds of saved prompts stays cheap); "" when there is none or the file cannot be read."""
    try:
        with open(path, "rb") as fh:
            text = fh.read(head).decode("utf-8", errors="replace")
    except OSError:
        return ""
    match = SAVED_TITLE.search(text)
    if match is None:
        return ""
    title = match.group(1) if match.group(1) is not None else match.group(2).strip().strip("'")
    return " ".join(title.replace('\\"', '"').split())


def saved_prompt_text(paper: "Paper", *, model: str | None = None, image_model: str | None = None,
                      config: "Config | None" = None) -> str:
    """The bytes of ``prompts/content/DATE-ID.txt``: the site prompt, wrapped unless the saved original was not."""
    prompt = build_prompt(paper, "site", model=model, image_model=image_model, config=config)
    parts = paper.parts if isinstance(paper.parts, PromptParts) else None
    return wrap_saved(prompt) if parts is None or parts.wrapped else prompt


# ----- the image prompt request ---------------------------------------------------------------------------------
def image_prompt_request(post_text: str, *, config: "Config | None" = None) -> str:
    """The instruction for the second model call: write an image prompt (abstract, text-free) for this post."""
    return render(template_text(IMAGE_TEMPLATE, config), {"post": post_text.strip("\n")}, name=IMAGE_TEMPLATE)


# ----- size -----------------------------------------------------------------------------------------------------
def _char_class(char: str) -> str:
    """The class :func:`estimate_tokens` gives one character: ``a`` ASCII letter, ``d`` decimal digit (``\\d``),
    space for whitespace (``\\s``), ``o`` anything else."""
    if char.isascii() and char.isalpha():
        return "a"
    if char.isdecimal():
        return "d"
    if char.isspace():
        return " "
    return "o"


# Latin-1 holds no decimal digit outside ASCII, so every byte of a Latin-1 encoding has one fixed class.
_BYTE_CLASS = bytes.maketrans(bytes(range(256)), "".join(_char_class(chr(code)) for code in range(256)).encode())
_LETTERS_ONLY = bytes.maketrans(b"ad o", b"a   ")
_DIGITS_ONLY = bytes.maketrans(b"ad o", b" d  ")
_NON_ASCII_LED_DIGITS = re.compile(r"(?<!\d)(?![0-9])\d+")


_DIGITS_BEYOND_LATIN1 = threading.local()
_STAND_INS = str.maketrans("do", "0!")  # an ASCII character of each class


def _classes_beyond_latin1(error: UnicodeEncodeError) -> tuple[str, int]:
    """Encoding error handler: characters beyond Latin-1 become Latin-1 stand-ins of their class; notes (per
    thread) whether a decimal digit was among them (rare: Arabic-Indic, fullwidth, mathematical digits)."""
    classes = "".join(map(_char_class, error.object[error.start:error.end]))
    if "d" in classes:
        _DIGITS_BEYOND_LATIN1.seen = True
    return classes.translate(_STAND_INS), error.end


codecs.register_error("posttui-token-classes", _classes_beyond_latin1)


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate of how many tokens ``text`` costs a Gemini/GPT-style BPE model.

    Heuristic (documented so the figures can be judged): the text splits into pieces
    ``[A-Za-z]+|\\d+|\\s+|[^\\sA-Za-z\\d]``; letters count one token per started 5 characters
    (common words are one token, long or rare words split), digits one token per started 3 (a digit run that
    starts with a non-ASCII digit counts one), every other non-space character one token (TeX backslashes,
    braces, YAML punctuation), and runs of whitespace are free except that each newline counts one. It tracks
    ``len(text) / 4`` on English prose but does not undercount punctuation-heavy TeX and YAML, where the lean
    mode makes most of its savings.

    Counted with C-level passes (the piece-by-piece loop held the GIL for a second per 10 MB while the app's UI
    thread waited): each character becomes a class byte; a run of ``n`` letters counts its ``aaaaa`` plus one
    when letters remain once those are gone (``ceil(n / 5)``); digits likewise with ``ddd``.
    """
    if text.isascii():
        classes = text.encode("ascii").translate(_BYTE_CLASS)
        digits_seen = False
    else:
        _DIGITS_BEYOND_LATIN1.seen = False
        classes = text.encode("latin-1", "posttui-token-classes").translate(_BYTE_CLASS)
        digits_seen = _DIGITS_BEYOND_LATIN1.seen
    classes += b" "
    letters = classes.translate(_LETTERS_ONLY)
    digits = classes.translate(_DIGITS_ONLY)
    letters = letters.count(b"aaaaa") + letters.replace(b"aaaaa", b"").count(b"a ")
    digits = digits.count(b"ddd") + digits.replace(b"ddd", b"").count(b"d ")
    if digits_seen:  # a run led by a non-ASCII digit counts one, not one per started 3
        digits -= sum((len(run) + 2) // 3 - 1 for run in _NON_ASCII_LED_DIGITS.findall(text))
    return text.count("\n") + classes.count(b"o") + letters + digits
