"""Opening a paper by arXiv id or URL: Atom metadata and the source archive, both cached on disk.

Metadata comes from ``{arxiv_api_url}?id_list=ID`` parsed with feedparser (the entry object is kept exactly as
feedparser returns it: the site's prompt dumps that object), the source from ``{arxiv_src_url}/ID`` (a tar, a
gzipped TeX file or a PDF). Both downloads are validated before they are cached under ``config.cache_path()``,
so a paper opens offline the second time; a cached file that no longer reads is fetched again (or, offline, an
error says so) instead of crashing.
"""

from __future__ import annotations

import http.client
import os
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..version import __version__ as _version
from ..config import Config, load_config
from ..errors import FetchError, MetadataError, SourceError
from ..files import write_file
from ..ids import split_arxiv
from ..paper import Paper
from .archive import SourceFiles, read_source_bytes
from .local import read_author_info, read_group
from .metadata import parse_atom
from .textio import read_text_file

USER_AGENT = f"posttui/{_version} (research group blog tool; +https://github.com/)"
OFFLINE_HINT = "check the network connection (papers opened once before are cached and open offline)"


def cache_dir(config: Config, arxiv_id: str, version: str) -> Path:
    """Where the downloads of one paper (one version, or the latest) are cached."""
    return config.cache_path() / "arxiv" / (arxiv_id.replace("/", "_") + (version or ""))


def fetch(url: str, *, timeout: float, max_bytes: int, what: str) -> bytes:
    """GET ``url``; every failure becomes a :class:`FetchError` naming the URL and what to do."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) from config
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(
                    f"{what} is larger than the {max_bytes:,}-byte cap",
                    path=url,
                    hint="raise max_archive_bytes in the config if this source is genuine",
                )
            expected = response.headers.get("Content-Length")
            if expected and expected.isdigit() and int(expected) != len(data):
                raise FetchError(
                    f"{what} download was cut short ({len(data)} of {expected} bytes)",
                    path=url,
                    hint="try again; the connection dropped",
                )
            return data
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            hint = "check the arXiv id (arXiv does not know it)"
        elif exc.code in (403, 429, 503):
            hint = "arXiv is refusing or rate-limiting requests: wait a minute and try again"
        else:
            hint = "try again later"
        raise FetchError(f"{what}: HTTP {exc.code} {exc.reason}", path=url, hint=hint) from None
    except http.client.IncompleteRead as exc:
        raise FetchError(
            f"{what} download was cut short ({len(exc.partial)} bytes received)",
            path=url,
            hint="try again; the connection dropped",
        ) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"cannot reach arXiv for the {what} ({reason})", path=url, hint=OFFLINE_HINT) from None


def metadata_url(config: Config, ident: str) -> str:
    return f"{config.arxiv_api_url}?{urllib.parse.urlencode({'id_list': ident}, safe='/')}"


def source_url(config: Config, ident: str) -> str:
    return f"{config.arxiv_src_url.rstrip('/')}/{ident}"


def _cached_or_fetched(path: Path, url: str, config: Config, what: str, parse, warnings: list[str]):
    """``parse(bytes, name)`` of the cached file, else of a fresh download that is then cached."""
    if path.is_file():
        try:
            return parse(path.read_bytes(), str(path))
        except (SourceError, OSError) as exc:
            warnings.append(f"cached {what} {path} was unreadable ({str(exc).splitlines()[0]}); fetched again")
            path.unlink(missing_ok=True)
            try:
                data = fetch(url, timeout=config.fetch_timeout, max_bytes=config.max_archive_bytes, what=what)
            except FetchError as fetch_exc:
                raise FetchError(
                    f"the cached {what} is corrupt and arXiv cannot be reached to fetch it again "
                    f"({str(fetch_exc).splitlines()[0]})",
                    path=path,
                    hint=OFFLINE_HINT,
                ) from None
    else:
        data = fetch(url, timeout=config.fetch_timeout, max_bytes=config.max_archive_bytes, what=what)
    result = parse(data, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, data, overwrite=True)
    return result


def load_arxiv(
    text: str,
    *,
    group: str | Path | None = None,
    authors: str | Path | None = None,
    homepage: str | Path | None = None,
    config: Config | None = None,
) -> Paper:
    """A Paper for an arXiv id or URL (``2511.10640``, ``2511.10640v2``, ``astro-ph/0601001``, ``https://...``)."""
    config = config or load_config()
    parts = split_arxiv(str(text))
    if parts is None:
        raise SourceError(f"not an arXiv id or URL: {text!r}", hint="give an id like 2511.10640 or an arxiv.org URL")
    arxiv_id, version = parts
    ident = arxiv_id + version
    where = cache_dir(config, arxiv_id, version)
    warnings: list[str] = []

    def parse_metadata(data: bytes, name: str):
        try:
            return parse_atom(data, name, error=FetchError)
        except FetchError:
            raise
        except MetadataError as exc:  # pragma: no cover - parse_atom raises the given class
            raise FetchError(str(exc)) from None

    entry = _cached_or_fetched(
        where / "metadata.atom", metadata_url(config, ident), config, "metadata", parse_metadata, warnings
    )

    def parse_source(data: bytes, name: str) -> SourceFiles:
        return read_source_bytes(data, name, max_bytes=config.max_archive_bytes)

    files = _cached_or_fetched(where / "source", source_url(config, ident), config, "source", parse_source, warnings)
    warnings += files.warnings
    entry_parts = split_arxiv(str(entry.get("id", "") or ""))
    paper = Paper(
        arxiv_id=arxiv_id,
        metadata=entry,
        tex_files=files.tex_files,
        bbl=files.bbl,
        bib=files.bib,
        version=version or (entry_parts[1] if entry_parts else ""),
        origin=f"arXiv:{ident}",
        warnings=warnings,
    )
    if group is not None:
        paper.members = read_group(group)
    if authors is not None:
        paper.author_info = read_author_info(authors)
    if homepage is not None:
        paper.homepage = read_text_file(homepage, warnings, kind="Markdown")
    paper.post_name  # noqa: B018 - refuse, before any model call, a paper whose DATE-ID cannot name a file
    return paper
