"""PT030-PT033: enough reference links, in the prompt's canonical form, to identifiers the sources know and
that exist (PT033 only after ``posttui check --online`` has asked doi.org and arXiv)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from ..ids import identifier_of_url, split_arxiv
from .base import Fix, Hit, Severity, rule
from .featured import relabel
from .markdown import fold_settled, link_identifiers

_ARXIV_VERSION_RE = re.compile(r"(v\d+)(?:\.pdf)?/?$", re.I)


def reference_ids(doc, featured: str | None) -> list[tuple[str, str]]:
    """Distinct (kind, id) of the narrative's DOI/arXiv links, the featured paper excluded."""

    def add(seen: dict, segments) -> dict:
        seen = dict(seen)
        for seg in segments:
            for _, ident in link_identifiers(seg.info):
                if not (ident[0] == "arxiv" and ident[1] == featured):
                    seen.setdefault(ident, None)
        return seen

    return list(add(fold_settled(doc, ("reference ids", featured), add, {}), doc.segments[-1:]))


@rule("PT030", "error", "too few reference links (3 unless the site says otherwise)")
def enough_references(doc, ctx, opts, partial):
    need = opts.min_references
    if need <= 0:
        return
    found = reference_ids(doc, ctx.featured_id)
    if len(found) >= need:
        return
    at = doc.layout.begins[0] if doc.layout.begins else (doc.layout.narrative[0], doc.layout.narrative[0])
    if partial:
        yield Hit(at[0], at[1], f"{len(found)} of {need} reference links so far", severity=Severity.PENDING)
        return
    msg = (
        f"only {len(found)} reference link{'s' if len(found) != 1 else ''} (DOI or arXiv, the featured paper not "
        f"counted): weave at least {need} of the most relevant references from the bibliography into the text"
    )
    # (the template first: a context has one, and asking whether it has references reads them all)
    available = ctx.identifiable_references(upto=need) if ctx.template is not None or ctx.references else need
    if available < need:
        msg += (
            f"; but the paper has only {available} bibliography entr{'y' if available == 1 else 'ies'} with a DOI "
            f"or arXiv id: resolve the others (`--resolve`, or resolve_references = \"online\" in the posttui "
            f"config) or lower min_references in the site's .posttui.toml"
        )
    yield Hit(at[0], at[1], msg)


def canonical_form(link, ctx) -> tuple[str, str, str, bool] | None:
    """(kind, identifier as the label should read, canonical URL, url_is_canonical) for a DOI/arXiv link."""
    url = link.url.strip()
    ident = identifier_of_url(url)
    if not ident:
        return None
    kind, norm = ident
    if kind == "doi":
        m = re.search(r"doi\.org/(.+)$", url, re.I)
        shown = unquote(m.group(1)) if m else norm
        if shown.lower() != norm:
            shown = norm
        canonical = f"https://doi.org/{shown}"
        return kind, shown, canonical, url == canonical
    parts = split_arxiv(url)
    version = parts[1] if parts else ""
    keep = version and f"{norm}{version}".lower() in ctx.known_arxiv_versions
    shown = f"{norm}{version}" if keep else norm
    canonical = f"https://arxiv.org/abs/{shown}"
    return kind, shown, canonical, url == canonical


def _label_ok(label: str, kind: str, shown: str) -> bool:
    label = label.strip()
    if kind == "doi":
        return label.lower() == shown.lower()
    return label == shown


@rule("PT031", "warning", "reference link label or URL not canonical", scope="segment", fix="normalise")
def canonical_links(seg, ctx, opts):
    text = seg.text
    for link in seg.info.links:
        if link.image or link.kind == "bare":
            continue
        form = canonical_form(link, ctx)
        if not form:
            continue
        kind, shown, canonical, url_ok = form
        label = link.label(text)
        featured = kind == "arxiv" and identifier_of_url(link.url) == ("arxiv", ctx.featured_id)
        label_ok = featured or _label_ok(label, kind, shown)
        if label_ok and url_ok:
            continue
        problems = []
        if not label_ok:
            problems.append(f"its label should be the identifier `{shown}`")
        if not url_ok:
            problems.append(f"its URL should be {canonical}")
        if featured:
            replacement = f"[{label}]({canonical})"
        else:
            replacement = relabel(text, link, shown, canonical)
        yield Hit(
            link.start,
            link.end,
            f"non-canonical reference link: {' and '.join(problems)} (format [{shown}]({canonical}))",
            Fix(link.start, link.end, replacement, "normalise the reference link"),
        )


def identifier_links(seg):
    """``(link, kind, id)`` for each DOI/arXiv link of a segment (images left out)."""
    for link in seg.info.links:
        if not link.image:
            ident = identifier_of_url(link.url)
            if ident:
                yield link, ident[0], ident[1]


@rule("PT032", "error", "linked identifier appears in none of the sources", scope="segment")
def invented_identifiers(seg, ctx, opts):
    if not ctx.has_sources:
        return
    for link, kind, norm in identifier_links(seg):
        known = ctx.is_known_doi(norm) if kind == "doi" else ctx.is_known_arxiv(norm)
        if known:
            continue
        what = "DOI" if kind == "doi" else "arXiv id"
        yield Hit(
            link.start,
            link.end,
            f"{what} {norm} appears in none of the sources (bibliography, TeX, metadata, homepage): it may be "
            "invented; drop the link or use a reference from the bibliography",
        )


@rule("PT033", "error", "linked identifier does not exist (posttui check --online)", scope="segment")
def nonexistent_identifiers(seg, ctx, opts):
    if not ctx.nonexistent:
        return
    for link, kind, norm in identifier_links(seg):
        if f"{kind}:{norm}" not in ctx.nonexistent:
            continue
        who = "doi.org does not know this DOI" if kind == "doi" else "arXiv has no paper with this id"
        yield Hit(
            link.start,
            link.end,
            f"{'DOI' if kind == 'doi' else 'arXiv id'} {norm} does not exist ({who}): correct the identifier or "
            "drop the link",
        )
