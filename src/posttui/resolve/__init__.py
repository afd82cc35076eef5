"""Reference resolution: a DOI or arXiv id for every bibliography entry that has one, never a guess.

Order of evidence (each step only touches the entries still without an identifier):

1. the source: the ``.bbl``/``.bib`` parsers already read ``\\doi``, eprint fields, ``\\href``/``\\url`` and
   ``arXiv:`` text; here an entry of the ``.bbl`` also takes the identifiers of the ``.bib`` entry with the same
   key (the site's pipeline drops ``.bib`` files, the arXiv source keeps them);
2. the featured paper's reference list from Semantic Scholar, then from INSPIRE-HEP (physics and astronomy);
3. a Crossref bibliographic query per entry still unmatched (at most ``config.crossref_max_queries``).

Records are attached only on a strong match (:mod:`posttui.resolve.match`); every entry left without an
identifier gets :attr:`~posttui.references.Reference.unresolved` saying why. A source without any bibliography
takes the featured paper's API reference list as its bibliography (``ReferenceList.bibliography_origin``).

Network use is opt-in: ``config.resolve_references`` is ``cache`` by default (answers cached by an earlier
``--resolve`` run are used, the network never is), ``online`` looks up on every run, ``off`` does nothing.
Every answer is cached (:mod:`posttui.resolve.web`), so a paper resolved once resolves offline afterwards.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import Config, load_config
from ..errors import PosttuiError

if TYPE_CHECKING:
    from .match import Candidate, EntryKey
    from ..paper import Paper
    from .web import WebClient
    from ..references import Reference, ReferenceList

SOURCE = "source"
ORIGINS = (SOURCE, "Semantic Scholar", "INSPIRE", "Crossref")
NOT_LOOKED_UP = "no DOI or arXiv id in the source; not looked up online yet (use --resolve)"
PHYSICS_PREFIXES = ("astro-ph", "gr-qc", "hep-", "nucl-", "physics", "quant-ph", "cond-mat", "math-ph", "nlin")


@dataclass
class Resolution:
    """What one resolution run did, for ``posttui info`` and the CLI's messages."""

    attached: Counter = field(default_factory=Counter)
    """Origin -> how many entries got an identifier from it in this run."""
    notes: list[str] = field(default_factory=list)
    """Service-level outcomes (offline, paper unknown to a service...), part of each unresolved entry's reason."""
    failures: list[str] = field(default_factory=list)
    """The notes that are failures (unreachable, rate-limited, bad answer): warnings for the user."""
    bibliography_origin: str = ""
    requests: int = 0
    network: bool = False

    def add_note(self, why: str) -> None:
        self.notes.append(why)
        if " does not know " not in why and "answered without" not in why:
            self.failures.append(why)

    def summary(self, refs) -> str:
        unresolved = sum(1 for r in refs if not r.has_identifier)
        got = ", ".join(f"{n} from {origin}" for origin, n in self.attached.most_common())
        text = f"{got or 'no new identifiers'}; {unresolved} of {len(refs)} entries without an identifier"
        if self.bibliography_origin:
            text = f"no bibliography in the source: the featured paper's reference list from " \
                   f"{self.bibliography_origin} ({len(refs)} entries); " + text
        return text


def resolve_paper(paper: "Paper", *, network: bool | None = None, config: Config | None = None) -> Resolution:
    """Resolve ``paper.references`` in place (``network=None``: as ``config.resolve_references`` says)."""
    config = config or load_config()
    refs = paper.references
    resolution = resolve_references(paper, refs, config=config, network=network)
    if resolution.network:
        for failure in resolution.failures:
            paper.note(f"references: {failure}")
    return resolution


def resolve_cached(paper: "Paper", refs: "ReferenceList", *, config: Config | None = None) -> "ReferenceList":
    """The hook behind ``Paper.references``: apply what the cache knows (no network unless configured).

    ``config``: the configuration a caller has already read (the checker, once per run), else it is read here."""
    if config is None:
        try:
            config = load_config()
        except PosttuiError as exc:
            paper.note(f"references not resolved: {exc}")
            return refs
    try:
        resolution = resolve_references(paper, refs, config=config, network=None)
    except PosttuiError as exc:  # pragma: no cover - the resolver turns service failures into notes
        paper.note(f"references not resolved: {exc}")
        return refs
    if resolution.network:
        for failure in resolution.failures:
            paper.note(f"references: {failure}")
    return refs


def resolve_references(paper: "Paper", refs: "ReferenceList", *, config: Config,
                       network: bool | None = None) -> Resolution:
    mode = config.resolve_references
    network = (mode == "online") if network is None else network
    resolution = Resolution(network=network)
    if mode == "off" and not network:
        return resolution
    _fill_from_bib(paper, refs, resolution)
    if not network and not config.resolve_cache_path().is_dir():  # nothing was ever cached: skip all the work
        for ref in refs:
            if not ref.has_identifier and not ref.unresolved:
                ref.unresolved = NOT_LOOKED_UP
        return resolution
    from .web import WebClient  # the HTTP client, its cache and hashing: only once there is a cache to read

    client = WebClient(config, network=network)
    lists: list[tuple[str, list[Candidate]]] = []
    featured = paper.arxiv_id
    if featured and not network and not _resolved_before(client, featured):
        for ref in refs:  # cache-only and this paper was never looked up: skip the per-entry work
            if not ref.has_identifier and not ref.unresolved:
                ref.unresolved = NOT_LOOKED_UP
        return resolution
    from .services import inspire_references, semantic_scholar_references  # imported once a service is asked

    if featured:
        found, why = semantic_scholar_references(client, featured)
        if found is not None:
            lists.append(("Semantic Scholar", found))
        else:
            resolution.add_note(why)
        if _is_physics(paper):
            found, why = inspire_references(client, featured)
            if found is not None:
                lists.append(("INSPIRE", found))
            else:
                resolution.add_note(why)
    else:
        resolution.notes.append("the paper has no arXiv id, so its reference list cannot be fetched")
    if not refs and not refs.bibliography_origin:
        _adopt_api_list(refs, lists, resolution)
        resolution.requests = client.requests
        return resolution
    keys: dict[int, EntryKey] = {}
    tried: dict[int, list[str]] = {}
    same_author_year = Counter(_author_year(entry_key_cached(r, keys)) for r in refs if r.authors)
    for origin, candidates in lists:
        _match_list(refs, candidates, origin, keys, same_author_year, tried, resolution)
    _crossref(client, refs, keys, tried, resolution, config)
    for ref in refs:
        if not ref.has_identifier:
            reasons = dict.fromkeys([*resolution.notes, *(tried.get(id(ref)) or [])])
            ref.unresolved = "; ".join(reasons) or "no service was asked"
    resolution.requests = client.requests
    return resolution


def _resolved_before(client: WebClient, featured: str) -> bool:
    """Whether an earlier online run cached an answer about this paper's reference list."""
    from .services import inspire_references_url, s2_references_url

    return (client.cache_file("semantic_scholar", s2_references_url(client, featured)).is_file()
            or client.cache_file("inspire", inspire_references_url(client, featured)).is_file())


def entry_key_cached(ref: "Reference", keys: dict[int, EntryKey]) -> EntryKey:
    key = keys.get(id(ref))
    if key is None:
        from .match import entry_key  # the matcher (and difflib): only once there is something to match

        key = keys[id(ref)] = entry_key(ref)
    return key


def _author_year(key: EntryKey) -> tuple[str, str]:
    return (key.surnames[0] if key.surnames else "", key.year[:4])


def _is_physics(paper: "Paper") -> bool:
    """INSPIRE covers physics and astronomy; ask it for those papers (or when the categories are unknown)."""
    tags = paper._meta("tags") or []
    terms = [str(t.get("term", "")) for t in tags if hasattr(t, "get")]
    return not terms or any(t.startswith(PHYSICS_PREFIXES) for t in terms)


def _attach(ref: "Reference", cand: Candidate, resolution: Resolution) -> None:
    if cand.doi and not ref.doi:
        ref.doi, ref.doi_origin = cand.doi, cand.origin
    if cand.arxiv and not ref.arxiv:
        ref.arxiv, ref.arxiv_origin = cand.arxiv, cand.origin
    ref.unresolved = ""
    resolution.attached[cand.origin] += 1


def _match_list(refs, candidates, origin, keys, same_author_year, tried, resolution) -> None:
    from .match import strong_match, venue_match

    usable = [c for c in candidates if c.has_identifier]
    for ref in refs:
        if ref.has_identifier:
            continue
        key = entry_key_cached(ref, keys)
        strong = [c for c in usable if strong_match(key, c)]
        distinct = {(c.doi.lower(), c.arxiv) for c in strong}
        if len(distinct) == 1:
            _attach(ref, strong[0], resolution)
            continue
        if len(distinct) > 1:
            tried.setdefault(id(ref), []).append(f"{origin}: {len(distinct)} records match equally; not guessed")
            continue
        venue = [c for c in usable if venue_match(key, c)]
        if len(venue) == 1 and same_author_year[_author_year(key)] == 1:
            _attach(ref, venue[0], resolution)
            continue
        if len(venue) > 1:
            why = f"{origin}: {len(venue)} works by {key.surnames[0]} in {key.year}; without a title not guessed"
        elif not key.title and not key.surnames:
            why = f"{origin}: the entry has neither a title nor readable authors to match"
        else:
            why = f"{origin}: no record with an identifier matches"
        tried.setdefault(id(ref), []).append(why)


def _crossref(client, refs, keys, tried, resolution, config: Config) -> None:
    from .match import strong_match
    from .services import crossref_candidates

    budget = max(config.crossref_max_queries, 0)
    for ref in refs:
        if ref.has_identifier:
            continue
        key = entry_key_cached(ref, keys)
        if not key.title and not (key.surnames and key.year and key.volume and key.page):
            tried.setdefault(id(ref), []).append("Crossref: too little to look up (no title, no volume and page)")
            continue
        if budget <= 0:
            tried.setdefault(id(ref), []).append(
                f"Crossref: not asked (limit of {config.crossref_max_queries} look-ups per paper reached)")
            continue
        budget -= 1
        found, why = crossref_candidates(client, _query_text(ref, key))
        if found is None:
            tried.setdefault(id(ref), []).append(why)
            continue
        strong = [c for c in found if c.doi and strong_match(key, c)]
        if len({c.doi.lower() for c in strong}) == 1:
            _attach(ref, strong[0], resolution)
        else:
            tried.setdefault(id(ref), []).append("Crossref: no confident match" if not strong
                                                 else "Crossref: several works match; not guessed")


def _query_text(ref: "Reference", key: EntryKey) -> str:
    parts = [", ".join(ref.authors[:3]), ref.title, key.journal, key.volume, key.page, ref.year]
    return " ".join(" ".join(p.split()) for p in parts if p)[:300]


def _adopt_api_list(refs, lists, resolution: Resolution) -> None:
    """No bibliography in the source: the featured paper's reference list from the API becomes it."""
    from ..references import Reference
    from .match import fold, surname

    if not lists:
        return
    origin, candidates = lists[0]
    used: Counter = Counter()
    for n, cand in enumerate(candidates, 1):
        stem = re.sub(r"[^a-z]", "", fold(surname(cand.authors[0])) if cand.authors else "") or "ref"
        stem = f"{stem}{cand.year}" if cand.year else f"{stem}{n}"
        used[stem] += 1
        key = stem if used[stem] == 1 else f"{stem}{chr(ord('a') + used[stem] - 2) if used[stem] < 28 else used[stem]}"
        ref = Reference(key=key, authors=list(cand.authors), year=cand.year, title=cand.title, journal=cand.journal)
        if cand.has_identifier:
            _attach(ref, cand, resolution)
        else:
            ref.unresolved = f"{origin} lists it without a DOI or arXiv id"
        refs.append(ref)
    refs.bibliography_origin = origin
    resolution.bibliography_origin = origin


def _fill_from_bib(paper: "Paper", refs, resolution: Resolution) -> None:
    """A ``.bbl`` entry without identifiers takes those of the ``.bib`` entry with the same key (source)."""
    if not (paper.bbl.strip() and paper.bib.strip()) or all(r.has_identifier for r in refs):
        return
    from ..references import parse_bib

    try:
        bib = parse_bib(paper.bib, f"{paper.origin or 'paper'} (.bib)").by_key()
    except PosttuiError:
        return
    for ref in refs:
        other = bib.get(ref.key)
        if ref.has_identifier or other is None or not other.has_identifier:
            continue
        ref.doi, ref.arxiv, ref.arxiv_version = other.doi, other.arxiv, other.arxiv_version
        resolution.attached[SOURCE] += 1
