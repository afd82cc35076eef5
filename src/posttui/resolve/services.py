"""The four services, each reduced to :class:`~posttui.resolve.match.Candidate` records.

* Semantic Scholar Graph API: ``GET {semantic_scholar_url}/paper/arXiv:{id}/references?fields=...&limit=1000``
  answers ``{"data": [{"citedPaper": {"title", "year", "authors": [{"name"}], "externalIds": {"DOI", "ArXiv"},
  "venue"}}]}``; ``$S2_API_KEY`` (optional) goes in the ``x-api-key`` header.
* INSPIRE-HEP: ``GET {inspire_url}/literature?q=arxiv:{id}&fields=references`` answers ``{"hits": {"hits":
  [{"metadata": {"references": [{"reference": {"title": {"title"}, "authors": [{"full_name"}], "arxiv_eprint",
  "dois": [...], "publication_info": {"journal_title", "journal_volume", "page_start", "artid", "year"}}}]}}]}}``.
* Crossref: ``GET {crossref_url}/works?query.bibliographic=TEXT&rows=3`` answers ``{"message": {"items": [{"DOI",
  "title": [...], "author": [{"family", "given"}], "issued": {"date-parts": [[YYYY, ...]]}, "container-title",
  "short-container-title", "volume", "page"}]}}``.
* doi.org handles and the arXiv API, only to say whether an identifier exists (``posttui check --online``).
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

from ..ids import normalize_arxiv, normalize_doi
from .match import Candidate
from .web import Answer, WebClient

S2_FIELDS = "title,year,authors,externalIds,venue"
CROSSREF_ROWS = 3


def _str(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _clean_doi(value: Any) -> str:
    doi = _str(value)
    return doi if normalize_doi(doi) else ""


def _clean_arxiv(value: Any) -> str:
    return normalize_arxiv(_str(value)) or ""


def _dig(value: Any, *path: Any) -> Any:
    """``value[p0][p1]...`` when every step has the expected type, else None (answers are untrusted input)."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _ids(doi: Any, arxiv: Any) -> dict[str, str]:
    """DOI and arXiv id; arXiv's own DataCite DOI (``10.48550/arXiv.ID``) counts as the arXiv id."""
    doi, arxiv = _clean_doi(doi), _clean_arxiv(arxiv)
    if doi.lower().startswith("10.48550/arxiv."):
        arxiv = arxiv or _clean_arxiv(doi[len("10.48550/arxiv."):])
        doi = ""
    return {"doi": doi, "arxiv": arxiv}


# ----- Semantic Scholar ---------------------------------------------------------------------------------------
def s2_references_url(client: WebClient, arxiv_id: str) -> str:
    base = client.config.semantic_scholar_url.rstrip("/")
    query = urllib.parse.urlencode({"fields": S2_FIELDS, "limit": 1000})
    return f"{base}/paper/arXiv:{arxiv_id}/references?{query}"


def semantic_scholar_references(client: WebClient, arxiv_id: str) -> tuple[list[Candidate] | None, str]:
    """The featured paper's reference list, or ``(None, why not)``."""
    key = os.environ.get("S2_API_KEY", "").strip()
    answer = client.get("semantic_scholar", s2_references_url(client, arxiv_id),
                        headers={"x-api-key": key} if key else None)
    if not answer.ok:
        return None, _why(answer, "Semantic Scholar", f"arXiv:{arxiv_id}")
    rows = _dig(answer.body, "data")
    if not isinstance(rows, list):
        return None, "Semantic Scholar answered without a reference list"
    out = []
    for row in rows:
        paper = row.get("citedPaper") if isinstance(row, dict) else None
        if not isinstance(paper, dict):
            continue
        ids = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
        authors = [_str(a.get("name")) for a in _list(paper.get("authors")) if isinstance(a, dict) and a.get("name")]
        out.append(Candidate(
            origin="Semantic Scholar",
            title=_str(paper.get("title")),
            year=_str(paper.get("year")),
            authors=authors,
            journal=_str(paper.get("venue")),
            **_ids(ids.get("DOI"), ids.get("ArXiv")),
        ))
    return out, ""


# ----- INSPIRE ------------------------------------------------------------------------------------------------
def inspire_references_url(client: WebClient, arxiv_id: str) -> str:
    base = client.config.inspire_url.rstrip("/")
    return f"{base}/literature?{urllib.parse.urlencode({'q': f'arxiv:{arxiv_id}', 'fields': 'references'})}"


def inspire_references(client: WebClient, arxiv_id: str) -> tuple[list[Candidate] | None, str]:
    answer = client.get("inspire", inspire_references_url(client, arxiv_id))
    if not answer.ok:
        return None, _why(answer, "INSPIRE", f"arXiv:{arxiv_id}")
    hits = _dig(answer.body, "hits", "hits")
    if not isinstance(hits, list) or not hits:
        return None, f"INSPIRE does not know arXiv:{arxiv_id}"
    refs = _dig(hits, 0, "metadata", "references")
    refs = refs if isinstance(refs, list) else []
    out = []
    for item in refs:
        ref = item.get("reference") if isinstance(item, dict) else None
        if not isinstance(ref, dict):
            continue
        title = ref.get("title")
        title = _str(title.get("title")) if isinstance(title, dict) else _str(title)
        pub = ref.get("publication_info") if isinstance(ref.get("publication_info"), dict) else {}
        dois = [_dig(d, "value") if isinstance(d, dict) else d for d in _list(ref.get("dois")) if d]
        out.append(Candidate(
            origin="INSPIRE",
            title=title,
            year=_str(pub.get("year")),
            authors=[_str(a.get("full_name")) for a in _list(ref.get("authors")) if isinstance(a, dict)],
            journal=_str(pub.get("journal_title")),
            volume=_str(pub.get("journal_volume")),
            page=_str(pub.get("page_start") or pub.get("artid")),
            **_ids(dois[0] if dois else "", ref.get("arxiv_eprint")),
        ))
    return out, ""


# ----- Crossref -----------------------------------------------------------------------------------------------
def crossref_url(client: WebClient, text: str) -> str:
    params = {"query.bibliographic": text[:500], "rows": CROSSREF_ROWS}
    if client.config.crossref_mailto:
        params["mailto"] = client.config.crossref_mailto
    return f"{client.config.crossref_url.rstrip('/')}/works?{urllib.parse.urlencode(params)}"


def crossref_candidates(client: WebClient, text: str) -> tuple[list[Candidate] | None, str]:
    answer = client.get("crossref", crossref_url(client, text))
    if not answer.ok:
        return None, _why(answer, "Crossref", "this entry")
    items = _dig(answer.body, "message", "items")
    if not isinstance(items, list):
        return None, "Crossref answered without a list of works"
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = [
            f"{_str(a.get('given'))} {_str(a.get('family'))}".strip() or _str(a.get("name"))
            for a in _list(item.get("author")) if isinstance(a, dict)
        ]
        containers = _list(item.get("short-container-title")) + _list(item.get("container-title"))
        out.append(Candidate(
            origin="Crossref",
            title=_str(_dig(item, "title", 0)),
            year=_str(_dig(item, "issued", "date-parts", 0, 0)),
            authors=authors,
            journal=_str(containers[-1]) if containers else "",
            volume=_str(item.get("volume")),
            page=_str(item.get("page") or item.get("article-number")),
            **_ids(item.get("DOI"), ""),
        ))
    return out, ""


# ----- existence ----------------------------------------------------------------------------------------------
def doi_exists(client: WebClient, doi: str) -> tuple[bool | None, str]:
    """True/False as doi.org's handle API says (``responseCode`` 1 / 100), or ``(None, why unknown)``."""
    url = f"{client.config.doi_api_url.rstrip('/')}/{urllib.parse.quote(doi, safe='/')}"
    answer = client.get("doi", url)
    code = answer.body.get("responseCode") if isinstance(answer.body, dict) else None
    if answer.not_found or code == 100:
        return False, ""
    if answer.ok and code in (1, 200):  # 200: the handle exists but has no values of the requested type
        return True, ""
    return None, answer.reason or f"doi.org gave an unexpected answer for {doi}"


def arxiv_exists(client: WebClient, arxiv_id: str) -> tuple[bool | None, str]:
    """True/False as the arXiv API's ``id_list`` says (an entry, or an empty/error feed), or ``(None, why)``."""
    import feedparser

    url = f"{client.config.arxiv_api_url}?{urllib.parse.urlencode({'id_list': arxiv_id}, safe='/')}"
    answer = client.get("arxiv", url, kind="text")
    if answer.not_found:
        return False, ""
    if not answer.ok:
        return None, answer.reason or f"arXiv gave an unexpected answer for {arxiv_id}"
    feed = feedparser.parse(answer.body or "")
    entries = [e for e in feed.entries if str(e.get("title", "")).strip() != "Error"]
    if feed.entries and not entries:
        return False, ""  # arXiv's error entry: an id it cannot have
    ids = {normalize_arxiv(str(e.get("id", ""))) for e in entries}
    return (arxiv_id in ids), ""


def _why(answer: Answer, service: str, what: str) -> str:
    if answer.not_found:
        return f"{service} does not know {what}"
    return answer.reason or f"{service} gave no usable answer"
