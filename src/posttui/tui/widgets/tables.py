"""The References and Authors tables, fed from a Paper."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ...panes import author_rows, bare_author_rows, cite_counts, reference_rows


class ReferencesTable(DataTable):
    """key, first author, year, title, DOI/arXiv, times cited; ● marks references the draft links to."""

    def __init__(self, paper=None, *, draft=None, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.paper = paper
        self.draft = draft
        """A callable giving the current draft text (to mark the references it links)."""
        self.references: list = []
        self.counts: dict[str, int] = {}
        self.used: list[bool] = []

    def on_mount(self) -> None:
        for label, key, width in (("", "used", 1), ("key", "key", 14), ("year", "year", 4), ("cited", "cited", 5),
                                  ("DOI / arXiv", "id", 22), ("first author", "author", 16),
                                  ("title", "title", None)):
            self.add_column(label, key=key, width=width)
        if self.paper is not None:
            self.load(self.paper, self.draft() if self.draft else "")

    def load(self, paper, draft: str = "") -> None:
        try:
            self.references = list(paper.references or [])
        except Exception as exc:  # noqa: BLE001
            self.references = []
            self.app.notify(f"References could not be read: {exc}", severity="warning")
        self.counts = cite_counts(paper)
        self.mark_used(draft)

    def mark_used(self, draft: str) -> None:
        self.clear()
        rows = reference_rows(self.references, self.counts, draft)
        self.rows_shown = [row.reference for row in rows]
        self.used = [row.used for row in rows]
        for row in rows:
            self.add_row(
                Text("●", style="bold #5fd75f") if row.used else "",
                row.key,
                row.year,
                str(row.cited),
                Text(row.ident, style="#5fafff") if row.ident else Text("—", style="dim"),
                row.author,
                row.title,
            )

    def describe(self, row: int) -> str:
        """The whole highlighted row, for the line under the table (columns may be cut on small screens)."""
        rows = getattr(self, "rows_shown", [])
        if not 0 <= row < len(rows):
            return ""
        r = rows[row]
        ident = " · ".join(x for x in (getattr(r, "doi", None), getattr(r, "arxiv", None)) if x) or "no DOI/arXiv id"
        authors = getattr(r, "authors", None)
        names = authors if isinstance(authors, str) else ", ".join(str(getattr(a, "name", a)) for a in authors or [])
        used = "linked in the draft · " if self.used[row] else ""
        title = " ".join(str(getattr(r, "title", "") or "").split())
        return (f"{used}{getattr(r, 'key', '')} ({getattr(r, 'year', '') or 'n.d.'}), cited "
                f"{self.counts.get(getattr(r, 'key', ''), 0)}×: {names}. {title} [{ident}]")


class AuthorsTable(DataTable):
    """Paper author ↔ group member, confidence, chosen link, image; ambiguous matches flagged."""

    def __init__(self, paper=None, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.paper = paper
        self.details: list[str] = []

    def describe(self, row: int) -> str:
        """The whole highlighted row, for the line under the table."""
        return self.details[row] if 0 <= row < len(self.details) else ""

    def on_mount(self) -> None:
        for label, key, width in (("author", "name", 22), ("member", "member", 20), ("conf.", "conf", 5),
                                  ("", "flag", 2), ("link", "link", 34), ("image", "image", None)):
            self.add_column(label, key=key, width=width)
        if self.paper is not None:
            self.load(self.paper)

    def load(self, paper) -> None:
        self.clear()
        try:
            rows = author_rows(paper)
        except Exception as exc:  # noqa: BLE001
            self.app.notify(f"Authors could not be matched: {exc}", severity="warning")
            rows = bare_author_rows(paper.author_names)
        self.details = [row.detail for row in rows]
        for row in rows:
            if not row.grouped:
                self.add_row(row.name, Text("—", style="dim"), "", "", "", "")
                continue
            self.add_row(
                row.name,
                Text(row.member, style="bold") if row.member else Text("not in group", style="dim"),
                f"{row.confidence:.2f}" if row.confidence is not None else "",
                Text("?", style="bold #ffd75f") if row.ambiguous else "",
                row.link,
                row.image,
            )
