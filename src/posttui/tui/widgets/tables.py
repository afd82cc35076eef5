"""The References and Authors tables, fed from a Paper."""

from __future__ import annotations

import re

from rich.text import Text
from textual.widgets import DataTable


def _first_author(authors) -> str:
    if not authors:
        return ""
    if isinstance(authors, str):
        return authors.split(" and ")[0].split(",")[0].strip()
    first = authors[0]
    return str(getattr(first, "name", first))


def cite_counts(paper) -> dict[str, int]:
    """How often each citation key is cited in the TeX (from the LaTeX analysis when present, else a scan)."""
    counts: dict[str, int] = {}
    doc = None
    try:
        doc = paper.document
    except Exception:  # noqa: BLE001 - the pane must open even when the analysis fails
        doc = None
    cites = getattr(doc, "citations", None) if doc is not None else None
    if cites:
        for c in cites:
            keys = getattr(c, "keys", None) or [getattr(c, "key", c)]
            for k in keys if not isinstance(keys, str) else [keys]:
                counts[str(k)] = counts.get(str(k), 0) + 1
        return counts
    for m in re.finditer(r"\\[a-zA-Z]*cite[a-zA-Z]*\*?(?:\[[^\]]*\]){0,2}\{([^}]*)\}", paper.site_tex):
        for k in m.group(1).split(","):
            k = k.strip()
            if k:
                counts[k] = counts.get(k, 0) + 1
    return counts


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
        low = draft.lower()
        self.clear()
        self.rows_shown = sorted(self.references, key=lambda r: -self.counts.get(getattr(r, "key", ""), 0))
        self.used = []
        for r in self.rows_shown:
            ident = getattr(r, "doi", None) or getattr(r, "arxiv", None) or ""
            used = bool(ident) and str(ident).lower() in low
            self.used.append(used)
            self.add_row(
                Text("●", style="bold #5fd75f") if used else "",
                getattr(r, "key", ""),
                str(getattr(r, "year", "") or ""),
                str(self.counts.get(getattr(r, "key", ""), 0)),
                Text(str(ident), style="#5fafff") if ident else Text("—", style="dim"),
                _first_author(getattr(r, "authors", None)),
                " ".join(str(getattr(r, "title", "") or "").split()),
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
        self.details: list[str] = []
        try:
            matches = list(paper.authors or [])
        except Exception as exc:  # noqa: BLE001
            self.app.notify(f"Authors could not be matched: {exc}", severity="warning")
            matches = []
        if not matches:
            for name in paper.author_names:
                self.add_row(name, Text("—", style="dim"), "", "", "", "")
                self.details.append(f"{name}: no group information")
            return
        for m in matches:
            member = getattr(m, "member", None)
            member_name = getattr(member, "name", member) if member is not None else None
            conf = getattr(m, "confidence", None)
            candidates = getattr(m, "candidates", None) or []
            ambiguous = bool(getattr(m, "ambiguous", len(candidates) > 1))
            links = getattr(m, "links", None) or {}
            urls = list(links.values()) if isinstance(links, dict) else list(links)
            from ...authors import preferred_url

            link = preferred_url(links) or (urls[0] if urls else "")
            state = ("matched" if member_name else "not in the group") if not ambiguous else "ambiguous: check it"
            reason = str(getattr(m, "reason", "") or "")
            alternatives = ", ".join(str(getattr(c, "name", c)) for c in candidates) if len(candidates) > 1 else ""
            image = str(getattr(m, "image", "") or "")
            detail = f"{getattr(m, 'name', m)} → {member_name or '—'} ({state}"
            if isinstance(conf, (int, float)):
                detail += f", confidence {float(conf):.2f}"
            detail += f"{'; ' + reason if reason else ''})"
            if alternatives:
                detail += f"; candidates: {alternatives}"
            if link:
                detail += f"; link {link}"
            if image:
                detail += f"; image {image}"
            self.details.append(detail)
            self.add_row(
                getattr(m, "name", str(m)),
                Text(str(member_name), style="bold") if member_name else Text("not in group", style="dim"),
                f"{float(conf):.2f}" if isinstance(conf, (int, float)) else "",
                Text("?", style="bold #ffd75f") if ambiguous else "",
                str(link or ""),
                str(getattr(m, "image", "") or ""),
            )
