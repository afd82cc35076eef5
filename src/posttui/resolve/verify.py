"""Whether the identifiers a post links exist at all: doi.org's handle API and the arXiv API's ``id_list``.

Used by ``posttui check --online`` (PT033). Answers are cached like every resolver answer (an identifier that
exists keeps existing; one that does not is asked again only after the cache is cleared). An identifier that
cannot be checked (offline, a service error) is neither flagged nor cached: the caller reports it as unverified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..config import Config
from ..ids import identifier_of_url
from .services import arxiv_exists, doi_exists
from .web import WebClient


@dataclass
class Verification:
    missing: set[str] = field(default_factory=set)
    """``doi:10.x/y`` / ``arxiv:ID`` keys that do not exist."""
    unverified: dict[str, str] = field(default_factory=dict)
    """Key -> why it could not be checked."""
    checked: int = 0


def linked_identifiers(text: str) -> list[tuple[str, str]]:
    """Distinct ``(kind, id)`` of every DOI/arXiv URL in ``text`` (Markdown links and bare URLs), in order."""
    from ..rules.context import urls_in

    found: dict[tuple[str, str], None] = {}
    for url in urls_in(text):
        ident = identifier_of_url(url)
        if ident:
            found.setdefault(ident, None)
    return list(found)


def verify_identifiers(ids: Iterable[tuple[str, str]], *, config: Config, network: bool = True,
                       client: WebClient | None = None) -> Verification:
    client = client or WebClient(config, network=network)
    result = Verification()
    for kind, ident in dict.fromkeys(ids):
        exists, why = doi_exists(client, ident) if kind == "doi" else arxiv_exists(client, ident)
        key = f"{kind}:{ident}"
        result.checked += 1
        if exists is False:
            result.missing.add(key)
        elif exists is None:
            result.unverified[key] = why
    return result
