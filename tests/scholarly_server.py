"""Fake scholarly APIs on 127.0.0.1 (random port), answering in each real service's response shape.

* Semantic Scholar Graph API: ``GET /graph/v1/paper/arXiv:{id}/references?fields=...&limit=N``
  -> ``{"offset": 0, "data": [{"citedPaper": {"paperId", "title", "year", "authors": [{"authorId", "name"}],
  "externalIds": {...}, "venue"}}]}``; an unknown paper -> 404 ``{"error": "Paper with id ... not found"}``;
  ``fields`` naming an unknown field or ``limit`` above 1000 -> 400 ``{"error": ...}`` as the real API does.
* INSPIRE: ``GET /inspire/api/literature?q=arxiv:{id}&fields=references`` -> ``{"hits": {"hits": [{"id",
  "metadata": {"references": [{"reference": {...}, "record": {"$ref"}}]}}], "total": N}, "links": {...}}``.
* Crossref: ``GET /crossref/works?query.bibliographic=TEXT&rows=N`` -> ``{"status": "ok", "message-type":
  "work-list", "message": {"items": [...], "total-results": N, "items-per-page": rows}}``; items are the works
  whose title words occur in the query, best first, like Crossref's relevance ranking.
* doi.org handles: ``GET /doi/api/handles/{doi}`` -> 200 ``{"responseCode": 1, "handle", "values": [...]}`` or
  404 ``{"responseCode": 100, "handle"}``.

Every request is recorded with its headers (``requests``), so tests can prove what was (not) asked.
"""

from __future__ import annotations

import json
import zlib
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from local_server import LocalServer

S2_KNOWN_FIELDS = {"title", "year", "authors", "externalIds", "venue", "abstract", "citationCount", "journal",
                   "publicationDate", "url", "paperId", "contexts", "intents", "isInfluential"}


def s2_paper(title: str, year: int | None, authors: list[str], *, doi: str = "", arxiv: str = "",
             venue: str = "") -> dict:
    """One ``citedPaper`` as the Graph API gives it (ids absent when unknown, as the real API omits them)."""
    ids: dict = {"CorpusId": zlib.crc32(title.encode()) % 10**8}
    if doi:
        ids["DOI"] = doi
    if arxiv:
        ids["ArXiv"] = arxiv
    return {
        "paperId": f"{zlib.crc32(title.encode()):040x}",
        "externalIds": ids,
        "title": title,
        "year": year,
        "venue": venue,
        "authors": [{"authorId": str(100 + n), "name": name} for n, name in enumerate(authors)],
    }


def inspire_reference(*, title: str = "", authors: list[str] = (), arxiv: str = "", doi: str = "",
                      journal: str = "", volume: str = "", page: str = "", year: int | None = None) -> dict:
    """One element of INSPIRE's ``metadata.references`` (authors as ``Family, Given``)."""
    ref: dict = {"authors": [{"full_name": a} for a in authors]}
    if title:
        ref["title"] = {"title": title}
    if arxiv:
        ref["arxiv_eprint"] = arxiv
    if doi:
        ref["dois"] = [doi]
    pub = {k: v for k, v in (("journal_title", journal), ("journal_volume", volume), ("page_start", page),
                             ("year", year)) if v}
    if pub:
        ref["publication_info"] = pub
    return {"reference": ref, "record": {"$ref": "https://inspirehep.net/api/literature/1"}}


def crossref_work(doi: str, title: str, authors: list[tuple[str, str]], year: int, *, journal: str = "",
                  volume: str = "", page: str = "") -> dict:
    """One ``message.items`` element (authors as (given, family))."""
    work = {
        "DOI": doi,
        "title": [title],
        "author": [{"given": g, "family": f, "sequence": "first" if n == 0 else "additional", "affiliation": []}
                   for n, (g, f) in enumerate(authors)],
        "issued": {"date-parts": [[year]]},
        "container-title": [journal] if journal else [],
        "type": "journal-article",
        "score": 0.0,
    }
    if volume:
        work["volume"] = volume
    if page:
        work["page"] = page
    return work


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass
class FakeScholar(LocalServer):
    s2: dict[str, list[dict]] = field(default_factory=dict)
    """Featured arXiv id -> its ``citedPaper`` records."""
    inspire: dict[str, list[dict]] = field(default_factory=dict)
    crossref: list[dict] = field(default_factory=list)
    dois: set[str] = field(default_factory=set)
    """DOIs doi.org knows (lower-case)."""
    requests: list[tuple[str, dict]] = field(default_factory=list)
    failing: dict[str, int] = field(default_factory=dict)
    """Path prefix -> HTTP status to answer instead (``{"/crossref/": 429}``), as an overloaded service does."""
    answers: dict[str, object] = field(default_factory=dict)
    """Path prefix -> a JSON body to answer with HTTP 200 instead (malformed answers for robustness tests)."""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeScholar":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                fake.requests.append((self.path, dict(self.headers)))
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                for prefix, body in fake.answers.items():
                    if url.path.startswith(prefix):
                        return self._json(200, body)
                for prefix, status in fake.failing.items():
                    if url.path.startswith(prefix):
                        return self._json(status, {"status": "failed", "message-type": "error",
                                                   "message": "Too many requests" if status == 429 else "Error"})
                m = re.fullmatch(r"/graph/v1/paper/arXiv:([^/]+)/references", unquote(url.path))
                if m:
                    wanted = set((query.get("fields") or [""])[0].split(","))
                    if not wanted <= S2_KNOWN_FIELDS:
                        return self._json(400, {"error": f"Unrecognized or unsupported fields: {sorted(wanted - S2_KNOWN_FIELDS)}"})
                    limit = int((query.get("limit") or ["100"])[0])
                    if limit > 1000:
                        return self._json(400, {"error": "The limit parameter must be <= 1000"})
                    papers = fake.s2.get(m.group(1))
                    if papers is None:
                        return self._json(404, {"error": f"Paper with id arXiv:{m.group(1)} not found"})
                    data = [{"citedPaper": {k: v for k, v in p.items() if k in wanted or k == "paperId"}}
                            for p in papers[:limit]]
                    return self._json(200, {"offset": 0, "data": data})
                if url.path == "/inspire/api/literature":
                    q = (query.get("q") or [""])[0]
                    ident = q.split(":", 1)[1] if q.startswith("arxiv:") else None
                    refs = fake.inspire.get(ident) if ident else None
                    hits = [] if refs is None else [{"id": "2999999", "created": "2025-11-14T00:00:00+00:00",
                                                     "metadata": {"references": refs}}]
                    return self._json(200, {"hits": {"hits": hits, "total": len(hits)},
                                            "links": {"self": f"https://inspirehep.net/api/literature?q={q}"}})
                if url.path == "/crossref/works":
                    text = (query.get("query.bibliographic") or [""])[0]
                    rows = int((query.get("rows") or ["20"])[0])
                    scored = []
                    asked = _words(text)
                    for work in fake.crossref:  # relevance: how much of the query the work's metadata explains
                        known = _words(" ".join([work["title"][0], *work.get("container-title", []),
                                                 *(a["family"] for a in work["author"]), work.get("volume", ""),
                                                 work.get("page", ""), str(work["issued"]["date-parts"][0][0])]))
                        overlap = len(asked & known) / max(len(asked), 1)
                        if overlap > 0.5:
                            scored.append((overlap, work))
                    scored.sort(key=lambda x: -x[0])
                    items = [dict(w, score=round(60 * s, 3)) for s, w in scored[:rows]]
                    return self._json(200, {"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
                                            "message": {"facets": {}, "total-results": len(scored), "items": items,
                                                        "items-per-page": rows, "query": {"start-index": 0,
                                                                                          "search-terms": None}}})
                if url.path.startswith("/doi/api/handles/"):
                    doi = unquote(url.path[len("/doi/api/handles/"):])
                    if doi.lower() in fake.dois:
                        return self._json(200, {"responseCode": 1, "handle": doi, "values": [
                            {"index": 1, "type": "URL", "data": {"format": "string", "value": "https://example.org/"},
                             "ttl": 86400, "timestamp": "2020-01-01T00:00:00Z"}]})
                    return self._json(404, {"responseCode": 100, "handle": doi})
                return self._json(404, {"error": "no such endpoint"})

        self.serve(Handler)
        return self

    def environ(self) -> dict[str, str]:
        """The POSTTUI_* variables that point posttui at this fake."""
        return {
            "POSTTUI_SEMANTIC_SCHOLAR_URL": f"{self.base}/graph/v1",
            "POSTTUI_INSPIRE_URL": f"{self.base}/inspire/api",
            "POSTTUI_CROSSREF_URL": f"{self.base}/crossref",
            "POSTTUI_DOI_API_URL": f"{self.base}/doi/api/handles",
            "POSTTUI_API_PACE": "0",
        }

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]
