"""The References and Authors tables, fed from a Paper."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ...panes import cite_counts, reference_rows


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
        """One row per paper author, as ``posttui info`` lists them (:func:`posttui.summary.author_lines`)."""
        from ...summary import author_lines

        self.clear()
        self.details = []
        try:
            lines = author_lines(paper)
        except Exception as exc:  # noqa: BLE001 - a broken group file must not stop the app; the user is told
            self.app.notify(f"Authors could not be matched: {exc}", severity="warning")
            lines = []
        if not lines:
            for name in paper.author_names:
                self.add_row(name, Text("—", style="dim"), "", "", "", "")
                self.details.append(f"{name}: no group information")
            return
        states = {"member": "matched", "ambiguous": "ambiguous: check it", "maybe": "not in the group",
                  "-": "not in the group"}
        for line in lines:
            detail = f"{line.name} → {line.member or '—'} ({states[line.status]}, confidence {line.confidence:.2f}"
            detail += f"{'; ' + line.reason if line.reason else ''})"
            if line.status == "maybe":
                detail += f"; a weak candidate: {line.member}"
            detail += f"; link {line.url}" if line.url else ""
            detail += f"; image {line.image}" if line.image else ""
            self.details.append(detail)
            member = line.member if line.status == "member" else ""
            self.add_row(
                line.name,
                Text(member, style="bold") if member else Text("not in group", style="dim"),
                f"{line.confidence:.2f}",
                Text("?", style="bold #ffd75f") if line.status == "ambiguous" else "",
                line.url,
                line.image,
            )
