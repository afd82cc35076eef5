"""What the References and Authors panes show, as plain rows: one home for the app's tables and the notebook's.

Each front end draws the rows its own way (a Textual DataTable, an HTML table); which references the draft links
to, how often each is cited, and how each author matched the group are decided here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def first_author(authors) -> str:
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


@dataclass(frozen=True)
class AuthorRow:
    name: str
    member: str | None
    """The group member the author matched, or None."""
    confidence: float | None
    ambiguous: bool
    link: str
    image: str
    detail: str
    """The whole match in words (state, confidence, reason, candidates, link, image)."""
    grouped: bool = True
    """False when there is no group information to match against (a bare name)."""


def bare_author_rows(names) -> list[AuthorRow]:
    """One row per author name, when there is no group information (or matching failed)."""
    return [AuthorRow(name, None, None, False, "", "", f"{name}: no group information", grouped=False)
            for name in names]


def author_rows(paper) -> list[AuthorRow]:
    """Paper author ↔ group member; without group information, one bare row per author. Raises what matching
    raises (the caller tells the user)."""
    from .authors import preferred_url

    matches = list(paper.authors or [])
    if not matches:
        return bare_author_rows(paper.author_names)
    rows = []
    for m in matches:
        member = getattr(m, "member", None)
        member_name = getattr(member, "name", member) if member is not None else None
        conf = getattr(m, "confidence", None)
        conf = float(conf) if isinstance(conf, (int, float)) else None
        candidates = getattr(m, "candidates", None) or []
        ambiguous = bool(getattr(m, "ambiguous", len(candidates) > 1))
        links = getattr(m, "links", None) or {}
        urls = list(links.values()) if isinstance(links, dict) else list(links)
        link = preferred_url(links) or (urls[0] if urls else "")
        state = ("matched" if member_name else "not in the group") if not ambiguous else "ambiguous: check it"
        reason = str(getattr(m, "reason", "") or "")
        alternatives = ", ".join(str(getattr(c, "name", c)) for c in candidates) if len(candidates) > 1 else ""
        image = str(getattr(m, "image", "") or "")
        detail = f"{getattr(m, 'name', m)} → {member_name or '—'} ({state}"
        if conf is not None:
            detail += f", confidence {conf:.2f}"
        detail += f"{'; ' + reason if reason else ''})"
        if alternatives:
            detail += f"; candidates: {alternatives}"
        if link:
            detail += f"; link {link}"
        if image:
            detail += f"; image {image}"
        rows.append(AuthorRow(str(getattr(m, "name", m)), str(member_name) if member_name else None, conf,
                              ambiguous, str(link or ""), image, detail))
    return rows
