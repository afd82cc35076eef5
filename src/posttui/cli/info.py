"""``posttui info SOURCE``: what posttui understands of a paper, before any model is called.

Title, date and post name, the authors and how each was matched to the group, the reference counts with how many
carry a DOI or arXiv id, and the size of the site and lean prompts in characters and estimated tokens.
"""

from __future__ import annotations

import argparse

from .common import add_resolve_option, add_source_options, load_from_args


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help="summarise a paper: authors, references, prompt size",
        description="Summarise what posttui reads from SOURCE: metadata, author matches, references, prompt size.",
    )
    add_source_options(parser)
    parser.add_argument("--no-prompt", action="store_true", help="skip building the prompts (faster)")
    parser.add_argument("--references", action="store_true",
                        help="list every reference with its identifier and where it comes from")
    add_resolve_option(parser)
    parser.set_defaults(run=run)
    return parser


LISTED_REFERENCES = 40
"""Without --references, list at most this many of the looked-up and unresolved entries."""


def render_references(summary, console, *, every: bool) -> None:
    """The references whose identifier was looked up or is missing (every one with ``every``), with origins."""
    from rich.markup import escape
    from rich.table import Table

    rows = [line for line in summary.reference_lines if every or line.origin not in ("source",)]
    if not rows:
        return
    table = Table(title="References" if every else "References looked up or unresolved", title_justify="left")
    for column in ("key", "authors year", "identifier", "origin / why unresolved"):
        table.add_column(column, overflow="fold")
    shown = rows if every else rows[:LISTED_REFERENCES]
    for line in shown:
        note = line.origin if line.identifier else f"[yellow]unresolved:[/yellow] {escape(line.unresolved or '-')}"
        table.add_row(escape(line.key), escape(line.who or "-"), escape(line.identifier or "-"),
                      note if not line.identifier else escape(note))
    console.print(table)
    if len(rows) > len(shown):
        console.print(f"[dim]... {len(rows) - len(shown)} more (posttui info --references lists them all)[/dim]")


def render(summary, console, *, every_reference: bool = False) -> None:
    """Print a :class:`~posttui.summary.PaperSummary` with rich."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]{escape(summary.title or '(untitled paper)')}[/bold]")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    arxiv = f"{summary.arxiv_id}{summary.version}" if summary.arxiv_id else "-"
    facts.add_row("arXiv", escape(arxiv))
    facts.add_row("date", escape(summary.date or "-"))
    facts.add_row("post name", escape(summary.post_name))
    bib = ".bbl" if summary.has_bbl else (".bib" if summary.has_bib else "none")
    facts.add_row("source", escape(f"{summary.tex_files} TeX file(s), bibliography: {bib}"))
    if summary.origin:
        facts.add_row("from", escape(summary.origin))
    facts.add_row("references", escape(summary.references or "-"))
    if summary.reference_count:
        from ..summary import origins_text

        facts.add_row("identifiers", escape(origins_text(summary)))
    if summary.bibliography_origin:
        facts.add_row("bibliography", escape(f"none in the source: the featured paper's reference list from "
                                             f"{summary.bibliography_origin}"))
    for size in summary.prompts:
        facts.add_row(f"{size.mode} prompt", f"{size.chars:,} characters, ~{size.tokens:,} tokens (estimated)")
    if summary.lean_saving is not None:
        facts.add_row("lean saves", f"{summary.lean_saving:.0%} of the estimated tokens")
    console.print(facts)
    if summary.authors:
        table = Table(title="Authors", title_justify="left", show_lines=False)
        for column in ("author", "group member", "match", "why", "link"):
            table.add_column(column, overflow="fold")
        styles = {"member": "green", "ambiguous": "yellow", "maybe": "yellow", "-": "dim"}
        for a in summary.authors:
            match = f"{a.status} {a.confidence:.2f}" if a.status != "-" else "-"
            table.add_row(
                escape(a.name),
                escape(a.member or "-"),
                f"[{styles.get(a.status, '')}]{escape(match)}[/]",
                escape(a.reason if a.status != "-" else ""),
                escape(a.link),
            )
        console.print(table)
    render_references(summary, console, every=every_reference)
    for problem in summary.problems:
        console.print(f"[red]problem:[/red] {escape(problem)}")
    for warning in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..summary import paper_summary

    paper = load_from_args(args)
    render(paper_summary(paper, prompts=not args.no_prompt), Console(highlight=False),
           every_reference=args.references)
    return 0
