"""Polite, cached HTTP GETs to the scholarly APIs (Semantic Scholar, INSPIRE, Crossref, doi.org, arXiv).

Every answer that says something about the world (HTTP 200, and 404 "no such record") is kept on disk under
``config.cache_path() / "resolve"`` keyed by the request URL, so a paper resolves offline the second time and a
test can prove no request was made. Failures (timeouts, refused connections, 5xx, 429) are never cached: they are
reported as an :class:`Answer` with ``status=0`` and a reason, and the host is not asked again in the same run,
so an offline machine pays one timeout per service instead of one per entry.

Requests to one service are spaced by its polite interval (times ``config.api_pace``; tests set it to 0). With
``network=False`` the client answers from the cache only and never opens a socket. API keys travel in headers,
never in the URL, so they never reach the cache.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..version import __version__ as _version
from ..config import Config

USER_AGENT = f"posttui/{_version} (reference resolver for a research group blog; mailto in config)"
MAX_ANSWER_BYTES = 20 * 1024 * 1024

SERVICE_INTERVAL = {
    "semantic_scholar": 1.0,  # 1 request/second is the documented limit with a key; be as polite without one
    "inspire": 0.4,  # INSPIRE allows 15 requests per 5 seconds
    "crossref": 0.2,  # polite pool guidance: a few requests per second
    "doi": 0.2,
    "arxiv": 3.0,  # arXiv API terms: no more than one request every three seconds
}
SERVICE_NAMES = {
    "semantic_scholar": "Semantic Scholar",
    "inspire": "INSPIRE",
    "crossref": "Crossref",
    "doi": "doi.org",
    "arxiv": "arXiv",
}


@dataclass(frozen=True)
class Answer:
    """One API answer: ``status`` is the HTTP status (200, 404...) or 0 when there was no usable answer."""

    status: int
    body: Any = None
    """Parsed JSON (``kind="json"``) or text (``kind="text"``)."""
    reason: str = ""
    """Why there is no usable answer (offline, timeout, not cached...), for the user."""
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def not_found(self) -> bool:
        return self.status == 404


@dataclass
class WebClient:
    """Cached GETs for one run; ``network=False`` answers from the cache only."""

    config: Config
    network: bool = False
    requests: int = 0
    """How many HTTP requests this client made (the cache answered the rest)."""
    _down: dict[str, str] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cache_file(self, service: str, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
        return self.config.resolve_cache_path() / service / f"{digest}.json"

    def get(self, service: str, url: str, *, kind: str = "json", headers: dict[str, str] | None = None) -> Answer:
        """The cached answer for ``url``, else (when allowed) a fresh one that is then cached."""
        path = self.cache_file(service, url)
        cached = _read_cached(path, url)
        if cached is not None:
            return cached
        name = SERVICE_NAMES.get(service, service)
        if not self.network:
            return Answer(0, reason=f"{name} not asked (offline mode; resolve with --resolve to look it up)")
        if service in self._down:
            return Answer(0, reason=self._down[service])
        self._pace(service)
        answer = self._fetch(service, url, kind, headers or {})
        if answer.status in (200, 404):
            _write_cache(path, url, answer)
        elif answer.status == 0 or answer.status == 429 or answer.status >= 500:
            self._down[service] = answer.reason
        return answer

    def _pace(self, service: str) -> None:
        interval = SERVICE_INTERVAL.get(service, 1.0) * max(self.config.api_pace, 0.0)
        with self._lock:
            wait = self._last.get(service, 0.0) + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last[service] = time.monotonic()

    def _fetch(self, service: str, url: str, kind: str, headers: dict[str, str]) -> Answer:
        # Imported here: every Paper.references applies the cache through this module, and the HTTP stack (ssl
        # included) is needed only on a network run.
        import http.client
        import urllib.error
        import urllib.request

        name = SERVICE_NAMES.get(service, service)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT[kind], **headers})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.config.fetch_timeout) as response:  # noqa: S310
                data = response.read(MAX_ANSWER_BYTES + 1)
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                data = exc.read(MAX_ANSWER_BYTES + 1)
            except (OSError, http.client.HTTPException):
                data = b""
            if status == 429:
                return Answer(429, reason=f"{name} is rate-limiting requests (HTTP 429); try again in a minute")
            if status != 404:
                return Answer(status, reason=f"{name} answered HTTP {status} {exc.reason}")
        except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", None) or exc
            return Answer(0, reason=f"{name} unreachable ({reason}); offline?")
        if len(data) > MAX_ANSWER_BYTES:
            return Answer(0, reason=f"{name} answer larger than {MAX_ANSWER_BYTES:,} bytes; ignored")
        text = data.decode("utf-8", errors="replace")
        if kind == "text":
            return Answer(status, text)
        try:
            return Answer(status, json.loads(text) if text.strip() else None)
        except json.JSONDecodeError:
            if status == 404:
                return Answer(404, None)
            return Answer(0, reason=f"{name} answered something that is not JSON")


_ACCEPT = {"json": "application/json", "text": "application/atom+xml, text/xml;q=0.9, */*;q=0.1"}


def _read_cached(path: Path, url: str) -> Answer | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("url") != url or record.get("status") not in (200, 404):
        return None  # a hash collision or a damaged file: ask again
    return Answer(int(record["status"]), record.get("body"), cached=True)


def _write_cache(path: Path, url: str, answer: Answer) -> None:
    from ..errors import PosttuiError
    from ..files import write_file

    if path.is_symlink() or (path.exists() and not path.is_file()):
        return  # never write through a link or into a device/FIFO planted in the cache
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, json.dumps({"url": url, "status": answer.status, "body": answer.body}), overwrite=True)
    except (OSError, PosttuiError):
        pass  # a cache that cannot be written costs a request next time, nothing more
