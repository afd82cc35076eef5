"""The References and Authors tables, fed from a Paper."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...panes import cite_counts, reference_rows
from ..direct_keys import DirectKeys

ORIGIN_STYLE = {"source": "dim", "Semantic Scholar": "#5fd7af", "INSPIRE": "#d7af5f", "Crossref": "#af87d7"}


class ReferencesTable(DirectKeys, DataTable):
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
                                  ("DOI / arXiv", "id", 22), ("from", "origin", 10), ("first author", "author", 16),
                                  ("title", "title", None)):
            self.add_column(label, key=key, width=width)

    def show(self, references: list, counts: dict[str, int], draft: str = "") -> None:
        """Fill the table (the references and citation counts are read off the UI thread: see ReferencesPane)."""
        self.references, self.counts = references, counts
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
                _origin_cell(row.reference),
                row.author,
                row.title,
            )

    def describe(self, row: int) -> str:
        """The whole highlighted row, for the line under the table (columns may be cut on small screens)."""
        rows = getattr(self, "rows_shown", [])
        if not 0 <= row < len(rows):
            return ""
        r = rows[row]
        ident = " · ".join(x for x in (getattr(r, "doi", None), getattr(r, "arxiv", None)) if x)
        origin = getattr(r, "identifier_origin", "")
        if ident and origin:
            ident += f", from {'the source' if origin == 'source' else origin}"
        elif not ident:
            why = getattr(r, "unresolved", "")
            ident = f"no DOI/arXiv id: {why}" if why else "no DOI/arXiv id"
        authors = getattr(r, "authors", None)
        names = authors if isinstance(authors, str) else ", ".join(str(getattr(a, "name", a)) for a in authors or [])
        used = "linked in the draft · " if self.used[row] else ""
        title = " ".join(str(getattr(r, "title", "") or "").split())
        return (f"{used}{getattr(r, 'key', '')} ({getattr(r, 'year', '') or 'n.d.'}), cited "
                f"{self.counts.get(getattr(r, 'key', ''), 0)}×: {names}. {title} [{ident}]")


def _origin_cell(ref) -> Text:
    """Where the identifier comes from (source / Semantic Scholar / INSPIRE / Crossref), or "unresolved"."""
    origin = getattr(ref, "identifier_origin", "")
    if origin:
        return Text(origin, style=ORIGIN_STYLE.get(origin, ""))
    return Text("unresolved", style="#ffd75f") if getattr(ref, "unresolved", "") else Text("—", style="dim")


def bibliography_note(paper, min_references: int) -> str:
    """What the References tab says above the table, or instead of it when the paper has no bibliography:
    where the list comes from and what an empty one means for the post (PT030)."""
    try:
        refs = paper.references
    except Exception:  # noqa: BLE001 - the error is reported where the table loads
        return ""
    origin = getattr(refs, "bibliography_origin", "")
    if origin and len(refs):
        return (f"No bibliography in the source: these are the featured paper's references from {origin} "
                f"(the prompt lists them after the bibliography).")
    if len(refs):
        return ""
    need = (f"The post still needs {min_references} reference link{'s' if min_references != 1 else ''} (PT030: a "
            "DOI or arXiv link to another work, the featured paper not counted), and the model has no list to "
            "take them from, so expect PT030 as an error. Open the paper with --resolve to use the featured "
            "paper's reference list from Semantic Scholar or INSPIRE, link works the paper names yourself, or "
            "lower min_references in the site's .posttui.toml." if min_references > 0 else
            "The site asks for no reference links (min_references = 0), so PT030 does not apply.")
    return f"This paper has no bibliography: the source has no .bbl or .bib file and no reference list was found. {need}"


class ReferencesPane(Vertical):
    """The References tab: a note on where the list comes from (or why there is none), the table, the row detail."""

    def __init__(self, paper, *, draft=None, site=None, **kwargs):
        super().__init__(**kwargs)
        self.paper = paper
        self.draft = draft
        self.site = site

    @property
    def min_references(self) -> int:
        """PT030's threshold: the site's ``min_references`` (default 3; a broken .posttui.toml is reported by the
        checker, so the default stands in here)."""
        from ...errors import PosttuiError
        from ...siteconfig import SiteConfig

        try:
            return (self.site.settings if self.site is not None else SiteConfig()).min_references
        except PosttuiError:
            return SiteConfig().min_references

    def compose(self) -> ComposeResult:
        yield Static("Reading the references…", id="references-note", classes="row-detail", markup=False)
        yield ReferencesTable(self.paper, draft=self.draft, id="references")
        yield Static("", id="reference-detail", classes="row-detail")

    def on_mount(self) -> None:
        self.query_one(ReferencesTable).display = self.query_one("#reference-detail").display = False
        self._read()

    @work(thread=True, group="references", exit_on_error=False)
    def _read(self) -> None:
        """The bibliography and the citation counts (the LaTeX analysis of a 10 MB source takes seconds)."""
        from ..background import paper_work

        paper, error = self.paper, ""
        with paper_work(paper):
            try:
                references = list(paper.references or [])
            except Exception as exc:  # noqa: BLE001 - the pane must open even when the bibliography cannot be read
                references, error = [], f"References could not be read: {exc}"
            counts = cite_counts(paper)
            note = error or bibliography_note(paper, self.min_references)
        self.app.call_from_thread(self._loaded, references, counts, note)

    def _loaded(self, references: list, counts: dict[str, int], note: str) -> None:
        self.note = note
        table = self.query_one(ReferencesTable)
        table.show(references, counts, self.draft() if self.draft else "")
        self.query_one("#references-note", Static).update(note)
        self.query_one("#references-note").display = bool(note)
        table.display = self.query_one("#reference-detail").display = bool(references)


class AuthorsTable(DirectKeys, DataTable):
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
