"""A fake arXiv on 127.0.0.1 (random port) for the fetch, cache and error-path tests.

Serves Atom XML for ``/api/query?id_list=ID`` and source bytes for ``/src/ID`` like export.arxiv.org and
arxiv.org do. Per-id failure modes reproduce what the real service (or the network) does wrong:

* ``"404"``: HTTP 404 on both endpoints;
* ``"error-feed"``: HTTP 200 with arXiv's error entry (title ``Error``);
* ``"empty-feed"``: HTTP 200 with no entry (what arXiv answers for a well-formed id it does not know);
* ``"truncated"``: the source body is cut in half while Content-Length promises all of it;
* ``"truncated-gzip"``: a complete HTTP response whose gzip stream is cut short.

Stdlib only; start it with ``with FakeArxiv() as server:`` and point ``POSTTUI_ARXIV_API_URL`` /
``POSTTUI_ARXIV_SRC_URL`` at ``server.api_url`` / ``server.src_url``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from local_server import LocalServer


def atom_feed(
    arxiv_id: str,
    *,
    version: str = "v1",
    title: str = "A Made-Up Paper",
    summary: str = "We made this up for a test.",
    authors: tuple[str, ...] = ("Ada Lovelace", "Charles Babbage"),
    published: str = "2025-11-13T18:59:59Z",
    category: str = "astro-ph.CO",
) -> bytes:
    """An arXiv API response with one entry, shaped like the real one."""
    author_xml = "".join(f"<author><name>{escape(a)}</name></author>" for a in authors)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?id_list={arxiv_id}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: id_list={arxiv_id}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2025-11-14T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/{arxiv_id}{version}</id>
    <updated>{published}</updated>
    <published>{published}</published>
    <title>{escape(title)}</title>
    <summary>  {escape(summary)}
</summary>
    {author_xml}
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">10 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/{arxiv_id}{version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{arxiv_id}{version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{category}" scheme="http://arxiv.org/schemas/atom"/>
    <category term="{category}" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
""".encode()


def error_feed(message: str) -> bytes:
    """arXiv's answer to a malformed id: one entry titled ``Error`` whose summary is the message."""
    slug = message.replace(" ", "_")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: error</title>
  <id>http://arxiv.org/api/fake</id>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#{slug}</id>
    <title>Error</title>
    <summary>{escape(message)}</summary>
    <updated>2025-11-14T00:00:00-05:00</updated>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
""".encode()


EMPTY_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: empty</title>
  <id>http://arxiv.org/api/fake</id>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>
"""


@dataclass
class FakePaper:
    feed: bytes
    source: bytes
    mode: str = ""


@dataclass
class FakeArxiv(LocalServer):
    papers: dict[str, FakePaper] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def add(self, arxiv_id: str, source: bytes, *, mode: str = "", version: str = "v1", **entry) -> None:
        """Serve ``arxiv_id`` (and ``arxiv_id + version``) with this source and an entry built from ``entry``."""
        paper = FakePaper(atom_feed(arxiv_id, version=version, **entry), source, mode)
        self.papers[arxiv_id] = paper
        self.papers[arxiv_id + version] = paper

    # ----- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> "FakeArxiv":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: bytes, ctype: str, *, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 - http.server API
                fake.requests.append(self.path)
                url = urlsplit(self.path)
                if url.path == "/api/query":
                    ident = (parse_qs(url.query).get("id_list") or [""])[0]
                    paper = fake.papers.get(ident)
                    if paper is None:
                        return self._send(200, EMPTY_FEED, "application/atom+xml")
                    if paper.mode == "404":
                        return self._send(404, b"not found", "text/plain")
                    if paper.mode == "error-feed":
                        return self._send(200, error_feed(f"incorrect id format for {ident}"), "application/atom+xml")
                    if paper.mode == "empty-feed":
                        return self._send(200, EMPTY_FEED, "application/atom+xml")
                    return self._send(200, paper.feed, "application/atom+xml; charset=utf-8")
                if url.path.startswith("/src/"):
                    ident = url.path[len("/src/") :]
                    paper = fake.papers.get(ident)
                    if paper is None or paper.mode == "404":
                        return self._send(404, b"not found", "text/plain")
                    body = paper.source
                    ctype = "application/pdf" if body.startswith(b"%PDF") else "application/gzip"
                    if paper.mode == "truncated":
                        self._send(200, body[: len(body) // 2], ctype, length=len(body))
                        self.close_connection = True
                        return None
                    if paper.mode == "truncated-gzip":
                        return self._send(200, body[: len(body) // 2], ctype)
                    return self._send(200, body, ctype)
                return self._send(404, b"no such endpoint", "text/plain")

        self.serve(Handler)
        return self

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/query"

    @property
    def src_url(self) -> str:
        return f"{self.base}/src"
