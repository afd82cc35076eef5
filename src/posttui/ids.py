"""Normalising and recognising DOIs and arXiv identifiers.

One place decides what counts as "the same reference": DOIs compare case-insensitively without any resolver
prefix, arXiv ids compare without their version suffix, and old-style ids (``hep-th/9901001``) are arXiv ids too.
The reference parsers, the checker and the offline writer all rely on these functions.
"""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import unquote

from .lazy_pattern import LazyPattern

# New-style (0704.0001 .. 2511.10640, 4 or 5 digits after the dot) and old-style (archive[.SUB]/YYMMNNN) ids.
NEW_ARXIV = r"\d{4}\.\d{4,5}"
OLD_ARXIV = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = rf"(?:{NEW_ARXIV}|{OLD_ARXIV})"
ARXIV_ID_RE = re.compile(rf"^(?P<id>{ARXIV_ID})(?P<version>v\d+)?$", re.IGNORECASE)
ARXIV_IN_TEXT_RE = LazyPattern(
    rf"(?:arxiv\s*[:/]?\s*|arxiv\.org/(?:abs|pdf|html)/)(?P<id>{ARXIV_ID})(?P<version>v\d+)?",
    re.IGNORECASE,
)
ARXIV_URL_RE = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|src)/(?P<id>{ARXIV_ID})(?P<version>v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
_ARXIV_IN_FOLDED_TEXT_RE = LazyPattern(
    r"(?:arxiv\s*[:/]?\s*|arxiv\.org/(?:abs|pdf|html)/)(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?"
)
"""``ARXIV_IN_TEXT_RE`` for text folded by :func:`search_folded` (case-sensitive, so the regex engine can skip
ahead to the literal ``arxiv``: several times faster on a whole paper)."""
# DOI: 10.<registrant>/<suffix>; the suffix may hold parentheses, so trailing punctuation is trimmed afterwards.
# "10." comes first and the word boundary before it is a look-behind (the same test as a leading \b): a pattern
# that starts with a literal is searched many times faster.
DOI_IN_TEXT_RE = LazyPattern(r"10\.(?<!\w10\.)\d{4,9}/[^\s\"<>{}\\]+")
_CASE_FOLD_SPECIALS = "\u0130\u0131\u017f\u212a"
_DOI_SHAPE_RE = re.compile(r"^10\.\d{4,9}/\S+$")
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
    if not _DOI_SHAPE_RE.match(text):
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


def search_folded(text: str) -> str | None:
    """``text.lower()`` when a case-sensitive lower-case pattern finds in it exactly what the same ASCII pattern
    with re.IGNORECASE finds in ``text``, else None.

    That holds unless the text has one of the four non-ASCII letters re.IGNORECASE equates with ASCII ones
    (dotted/dotless i, long s, Kelvin sign); ``lower()`` keeps every other character's class and position.
    """
    if not text.isascii() and any(letter in text for letter in _CASE_FOLD_SPECIALS):
        return None
    return text.lower()


def find_identifiers(text: str) -> tuple[set[str], set[str]]:
    """All DOIs and arXiv ids written anywhere in ``text`` (normalised), as ``(dois, arxiv_ids)``."""
    return find_dois(text), {_canonical_arxiv(m.group("id")) for m in arxiv_matches(text, search_folded(text))}


def find_dois(text: str) -> set[str]:
    """Every DOI written in ``text``, normalised."""
    return {trim_doi(m.group(0)).lower() for m in DOI_IN_TEXT_RE.finditer(text)}


def arxiv_matches(text: str, folded: str | None) -> Iterator[re.Match]:
    """The matches of ``ARXIV_IN_TEXT_RE`` in ``text``; in ``folded`` (``search_folded(text)``) when given: the same
    places and the same ids in lower case (the canonical id does not depend on the case it was written in)."""
    return ARXIV_IN_TEXT_RE.finditer(text) if folded is None else _ARXIV_IN_FOLDED_TEXT_RE.finditer(folded)


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def arxiv_url(ident: str) -> str:
    return f"https://arxiv.org/abs/{ident}"
