"""What the References pane shows, as plain rows: one home for the app's table and the notebook's.

Each front end draws the rows its own way (a Textual DataTable, an HTML table); which references the draft links
to and how often each is cited are decided here once. (The Authors pane's rows are
:func:`posttui.summary.author_lines`.)
"""

from __future__ import annotations

from dataclasses import dataclass


def first_author(authors) -> str:
    if not authors:
        return ""
    if isinstance(authors, str):
        return authors.split(" and ")[0].split(",")[0].strip()
    first = authors[0]
    return str(getattr(first, "name", first))


def cite_counts(paper) -> dict[str, int]:
    """How often each citation key is cited in the TeX: the LaTeX analysis counted them (none without TeX)."""
    try:
        doc = paper.document
    except Exception:  # noqa: BLE001 - the pane must open even when the analysis fails (the paper notes why)
        return {}
    return dict(doc.citation_counts) if doc is not None else {}


@dataclass(frozen=True)
class ReferenceRow:
    reference: object
    key: str
    year: str
    cited: int
    ident: str
    """The DOI, else the arXiv id, else empty."""
    author: str
    title: str
    used: bool
    """The draft links to it (its DOI or arXiv id appears in the draft)."""


def reference_rows(references, counts: dict[str, int], draft: str = "") -> list[ReferenceRow]:
    """The references, most cited first, each marked when the draft links to it."""
    low = draft.lower()
    rows = []
    for r in sorted(references, key=lambda r: -counts.get(getattr(r, "key", ""), 0)):
        ident = str(getattr(r, "doi", None) or getattr(r, "arxiv", None) or "")
        key = getattr(r, "key", "")
        rows.append(ReferenceRow(r, key, str(getattr(r, "year", "") or ""), counts.get(key, 0), ident,
                                 first_author(getattr(r, "authors", None)),
                                 " ".join(str(getattr(r, "title", "") or "").split()),
                                 bool(ident) and ident.lower() in low))
    return rows
