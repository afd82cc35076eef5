"""A paper at a glance: the facts ``posttui info`` prints and a notebook shows for a :class:`~posttui.paper.Paper`.

:func:`paper_summary` gathers them once as plain data (so the CLI, the notebook view and tests share one source);
:func:`paper_markdown` renders them as Markdown for ``Paper._repr_markdown_``. A part that cannot be computed (a
broken bibliography, say) is reported as a problem in the summary instead of hiding the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import PosttuiError

if TYPE_CHECKING:
    from .paper import Paper


@dataclass
class AuthorLine:
    name: str
    """As the paper writes it."""
    member: str = ""
    """The group member's name, when matched."""
    status: str = ""
    """``member``, ``ambiguous``, ``maybe`` or ``-`` (not a member)."""
    confidence: float = 0.0
    reason: str = ""
    link: str = ""
    """The member's preferred link (academic or GitHub first), as ``label: url``."""
    url: str = ""
    """The preferred link's URL alone."""
    image: str = ""
    """The member's image, as the footer shows it."""


@dataclass
class ReferenceLine:
    """One bibliography entry as ``posttui info`` and the References pane show it."""

    key: str
    who: str
    """``Surname et al. 2019``."""
    identifier: str
    """``doi:10.x/y`` or ``arXiv:ID``, or ``""``."""
    origin: str
    """Where the identifier comes from: ``source``, ``Semantic Scholar``, ``INSPIRE``, ``Crossref`` (or ``""``)."""
    unresolved: str = ""
    """Why there is no identifier (offline, no confident match...), never a guess."""


@dataclass
class PromptSize:
    mode: str
    chars: int
    tokens: int


@dataclass
class PaperSummary:
    title: str
    arxiv_id: str
    version: str
    date: str
    post_name: str
    origin: str
    tex_files: int
    has_bbl: bool
    has_bib: bool
    authors: list[AuthorLine] = field(default_factory=list)
    references: str = ""
    """E.g. ``42 references, 40 with an identifier (35 DOI, 30 arXiv)``."""
    reference_count: int = 0
    with_identifier: int = 0
    origins: dict = field(default_factory=dict)
    """Identifier origin -> number of entries (``{"source": 40, "Crossref": 3}``)."""
    bibliography_origin: str = ""
    """Set when the source has no bibliography and the list comes from an API (see :mod:`posttui.resolve`)."""
    reference_lines: list[ReferenceLine] = field(default_factory=list)
    prompts: list[PromptSize] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def lean_saving(self) -> float | None:
        """Fraction of estimated tokens the lean prompt saves over the site prompt."""
        sizes = {p.mode: p for p in self.prompts}
        if "site" in sizes and "lean" in sizes and sizes["site"].tokens:
            return 1.0 - sizes["lean"].tokens / sizes["site"].tokens
        return None


def author_lines(paper: "Paper") -> list[AuthorLine]:
    """One line per paper author: the member matched (or the candidates), how sure, why, the link and image used.
    ``posttui info``, the app's Authors pane and the notebook all show these."""
    lines = []
    for match in paper.authors:
        line = AuthorLine(name=match.name, confidence=float(match.confidence or 0.0), reason=match.reason or "")
        if match.member is not None:
            line.member = match.member.name
            line.status = "member"
            link = match.member.preferred_link
            line.link = f"{link[0]}: {link[1]}" if link else ""
            line.url = link[1] if link else ""
            line.image = match.member.image or ""
        elif match.ambiguous:
            line.status = "ambiguous"
            line.member = " / ".join(match.candidates)
        elif match.candidates:
            line.status = "maybe"
            line.member = match.candidates[0]
        else:
            line.status = "-"
        lines.append(line)
    return lines


def paper_summary(paper: "Paper", *, prompts: bool = True) -> PaperSummary:
    """Everything ``posttui info`` shows; ``prompts=False`` skips building the two prompts."""
    summary = PaperSummary(
        title=paper.title,
        arxiv_id=paper.arxiv_id or "",
        version=paper.version,
        date=paper.date,
        post_name="",
        origin=paper.origin,
        tex_files=len(paper.tex_files),
        has_bbl=bool(paper.bbl.strip()),
        has_bib=bool(paper.bib.strip()),
    )
    try:
        summary.post_name = paper.post_name
    except PosttuiError as exc:
        summary.problems.append(f"post name: {exc}")
    try:
        summary.authors = author_lines(paper)
    except PosttuiError as exc:
        summary.problems.append(f"authors: {exc}")
    try:
        refs = paper.references
        counts = refs.summary
        summary.references = str(counts)
        summary.reference_count = counts.count
        summary.with_identifier = counts.with_identifier
        summary.bibliography_origin = getattr(refs, "bibliography_origin", "")
        summary.reference_lines = [reference_line(r) for r in refs]
        for line in summary.reference_lines:
            if line.origin:
                summary.origins[line.origin] = summary.origins.get(line.origin, 0) + 1
    except PosttuiError as exc:
        summary.problems.append(f"references: {exc}")
    if prompts:
        from .prompt import build_prompt, estimate_tokens

        for mode in ("site", "lean"):
            try:
                text = build_prompt(paper, mode)
            except PosttuiError as exc:
                summary.problems.append(f"{mode} prompt: {exc}")
                continue
            summary.prompts.append(PromptSize(mode, len(text), estimate_tokens(text)))
    try:
        paper.document  # noqa: B018 - analysing records TeX structure problems in paper.warnings
    except PosttuiError:
        pass
    summary.warnings = list(paper.warnings)
    return summary


def reference_line(ref) -> ReferenceLine:
    """A :class:`~posttui.references.Reference` reduced to what a listing shows (identifier with its origin)."""
    who = " ".join(p for p in (ref.short_authors, ref.year) if p)
    ident = f"doi:{ref.doi}" if ref.doi else f"arXiv:{ref.arxiv}" if ref.arxiv else ""
    return ReferenceLine(ref.key, who, ident, ref.identifier_origin, "" if ident else ref.unresolved)


def origins_text(summary: "PaperSummary") -> str:
    """``40 from the source, 3 from Crossref; 12 without`` (empty when there are no references)."""
    if not summary.reference_count:
        return ""
    parts = [f"{n} from {'the source' if o == 'source' else o}" for o, n in sorted(
        summary.origins.items(), key=lambda item: (item[0] != "source", -item[1]))]
    missing = summary.reference_count - summary.with_identifier
    text = ", ".join(parts) or "none"
    return f"{text}; {missing} without" if missing else text


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(summary: PaperSummary) -> str:
    """Markdown for a notebook: a heading, key facts, an author table, references and prompt sizes."""
    ident = "—"
    if summary.arxiv_id:
        ident = f"[{summary.arxiv_id}](https://arxiv.org/abs/{summary.arxiv_id}){summary.version}"
    lines = [
        f"### {summary.title or '(untitled paper)'}",
        "",
        f"- **arXiv:** {ident}",
        f"- **date:** {summary.date or '—'}  **post:** `{summary.post_name}`",
        f"- **source:** {summary.tex_files} TeX file(s), "
        f"{'.bbl' if summary.has_bbl else ('.bib' if summary.has_bib else 'no bibliography')}"
        + (f" — `{summary.origin}`" if summary.origin else ""),
        f"- **references:** {summary.references or '—'}",
    ]
    if summary.reference_count:
        lines.append(f"- **identifiers:** {origins_text(summary)}")
    if summary.bibliography_origin:
        lines.append(f"- **bibliography:** none in the source; the featured paper's reference list from "
                     f"{summary.bibliography_origin}")
    for size in summary.prompts:
        lines.append(f"- **{size.mode} prompt:** {size.chars:,} characters, ~{size.tokens:,} tokens")
    if summary.lean_saving is not None:
        lines.append(f"- **lean saves:** {summary.lean_saving:.0%} of the estimated tokens")
    if summary.authors:
        lines += ["", "| author | group member | match | link |", "|---|---|---|---|"]
        for a in summary.authors:
            match = f"{a.status} ({a.confidence:.2f})" if a.status != "-" else "—"
            lines.append(f"| {_cell(a.name)} | {_cell(a.member or '—')} | {_cell(match)} | {_cell(a.link or '')} |")
    for problem in summary.problems:
        lines.append(f"\n> **problem:** {_cell(problem)}")
    for warning in summary.warnings:
        lines.append(f"\n> ⚠ {_cell(warning)}")
    return "\n".join(lines) + "\n"


def paper_markdown(paper: "Paper") -> str:
    """``Paper._repr_markdown_``: the summary as Markdown (prompt sizes included)."""
    return summary_markdown(paper_summary(paper))
