"""Normalising and recognising DOIs and arXiv identifiers.

One place decides what counts as "the same reference": DOIs compare case-insensitively without any resolver
prefix, arXiv ids compare without their version suffix, and old-style ids (``hep-th/9901001``) are arXiv ids too.
The reference parsers, the checker and the offline writer all rely on these functions.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# New-style (0704.0001 .. 2511.10640, 4 or 5 digits after the dot) and old-style (archive[.SUB]/YYMMNNN) ids.
NEW_ARXIV = r"\d{4}\.\d{4,5}"
OLD_ARXIV = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = rf"(?:{NEW_ARXIV}|{OLD_ARXIV})"
ARXIV_ID_RE = re.compile(rf"^(?P<id>{ARXIV_ID})(?P<version>v\d+)?$", re.IGNORECASE)
ARXIV_IN_TEXT_RE = re.compile(
    rf"(?:arxiv\s*[:/]?\s*|arxiv\.org/(?:abs|pdf|html)/)(?P<id>{ARXIV_ID})(?P<version>v\d+)?",
    re.IGNORECASE,
)
ARXIV_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|src)/(?P<id>{ARXIV_ID})(?P<version>v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
# DOI: 10.<registrant>/<suffix>; the suffix may hold parentheses, so trailing punctuation is trimmed afterwards.
DOI_IN_TEXT_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}\\]+", re.IGNORECASE)
DOI_URL_RE = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(?P<doi>10\..+)$", re.IGNORECASE)


def split_arxiv(text: str) -> tuple[str, str] | None:
    """Return ``(id, version)`` for a bare arXiv id or an arxiv.org URL, else None.

    >>> split_arxiv("2511.10640v2")
    ('2511.10640', 'v2')
    >>> split_arxiv("https://arxiv.org/abs/astro-ph/0601001")
    ('astro-ph/0601001', '')
    """
    text = text.strip()
    if text.lower().startswith("arxiv:"):
        text = text[6:].strip()
    m = ARXIV_ID_RE.match(text) or ARXIV_URL_RE.match(text)
    if not m:
        return None
    return _canonical_arxiv(m.group("id")), (m.group("version") or "").lower()


def normalize_arxiv(text: str) -> str | None:
    """The canonical arXiv id (no version) of an id or URL, else None."""
    parts = split_arxiv(text)
    return parts[0] if parts else None


def _canonical_arxiv(ident: str) -> str:
    if "/" in ident:  # old style: archive name lower-case, subject class upper-case (math.AG/0601001)
        archive, number = ident.split("/", 1)
        if "." in archive:
            name, sub = archive.split(".", 1)
            archive = f"{name.lower()}.{sub.upper()}"
        else:
            archive = archive.lower()
        return f"{archive}/{number}"
    return ident


def trim_doi(doi: str) -> str:
    """Remove punctuation that ends a sentence rather than the DOI, keeping balanced parentheses."""
    doi = doi.rstrip(".,;:'\"")
    while doi.endswith(")") and doi.count("(") < doi.count(")"):
        doi = doi[:-1].rstrip(".,;:")
    while doi.endswith("]") and doi.count("[") < doi.count("]"):
        doi = doi[:-1]
    return doi


def normalize_doi(text: str) -> str | None:
    """The canonical DOI (lower-case, no resolver prefix, URL-decoded) of a DOI or doi.org URL, else None.

    >>> normalize_doi("https://dx.doi.org/10.1093/MNRAS/STAA123")
    '10.1093/mnras/staa123'
    """
    text = text.strip()
    if text.lower().startswith("doi:"):
        text = text[4:].strip()
    m = DOI_URL_RE.match(text)
    if m:
        text = unquote(m.group("doi"))
    if not re.match(r"^10\.\d{4,9}/\S+$", text):
        return None
    return trim_doi(text).lower()


def identifier_of_url(url: str) -> tuple[str, str] | None:
    """Classify a link target: ``("arxiv", id)`` or ``("doi", doi)`` or None for any other URL."""
    arx = split_arxiv(url) if "arxiv" in url.lower() else None
    if arx:
        return "arxiv", arx[0]
    if "doi.org/" in url.lower():
        doi = normalize_doi(url)
        if doi:
            return "doi", doi
    return None


def find_identifiers(text: str) -> tuple[set[str], set[str]]:
    """All DOIs and arXiv ids written anywhere in ``text`` (normalised), as ``(dois, arxiv_ids)``."""
    dois = {trim_doi(m.group(0)).lower() for m in DOI_IN_TEXT_RE.finditer(text)}
    arxiv = {_canonical_arxiv(m.group("id")) for m in ARXIV_IN_TEXT_RE.finditer(text)}
    return dois, arxiv


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def arxiv_url(ident: str) -> str:
    return f"https://arxiv.org/abs/{ident}"
