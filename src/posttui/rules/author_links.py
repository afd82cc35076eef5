"""PT040-PT042: author names link only to that author's own links, academic or GitHub over social media, and
the lead author is named."""

from __future__ import annotations

import re
from functools import lru_cache

from .base import Fix, Hit, Severity, rule
from ..authors import is_social
from .context import normalize_name, normalize_url
from .markdown import fold_settled

_EMPHASIS_RE = re.compile(r"^[*_]+|[*_]+$")


def _linked_author(seg, link, ctx):
    if link.image or link.kind != "inline":
        return None
    label = _EMPHASIS_RE.sub("", link.label(seg.text).strip()).strip()
    if not label or len(label) > 80:
        return None
    return ctx.author_named(label)


@rule("PT040", "error", "author link not among that author's links", scope="segment", fix="drop the link, keep the name")
def author_link_owner(seg, ctx, opts):
    for link in seg.info.links:
        name = _linked_author(seg, link, ctx)
        if name is None:
            continue
        allowed = ctx.author_links.get(name, ())
        if normalize_url(link.url) in {normalize_url(u) for u in allowed}:
            continue
        label = link.label(seg.text)
        owners = [o for o in ctx.link_owners(link.url) if o != name]
        if owners:
            why = f"that link belongs to {', '.join(owners)} in the author information"
        elif allowed:
            why = "that link is not in the author information"
        else:
            why = f"the author information gives no link for {name}"
        use = ctx.author_preferred.get(name)
        advice = f"use {use} or drop the link" if use else "drop the link and keep the name"
        yield Hit(
            link.start,
            link.end,
            f"the link on {name}'s name is wrong: {why}; {advice}",
            Fix(link.start, link.end, label, "drop the link, keep the name"),
        )


def _mentions(text: str, candidates: tuple[str, ...]) -> bool:
    """True if a candidate name appears as whole words (a substring search first: most segments have none)."""
    low = text.casefold()
    if text.isascii() and not any(c.split()[0] in low for c in candidates):
        return False
    prose = normalize_name(text)
    for cand in candidates:
        i = prose.find(cand)
        while i != -1:
            before = prose[i - 1] if i else " "
            after = prose[i + len(cand)] if i + len(cand) < len(prose) else " "
            if not before.isalnum() and not after.isalnum():
                return True
            i = prose.find(cand, i + 1)
    return False


@lru_cache(maxsize=64)
def _surname_candidates(lead: str) -> tuple[str, ...]:
    """How the lead author may be named: the last token of the normalised name, and for multi-word surnames
    ("van der Merwe", "Gessey-Jones") also the last two/three tokens (memoised: asked at every streaming check)."""
    tokens = normalize_name(lead).split()
    return tuple(" ".join(tokens[-k:]) for k in range(1, min(3, len(tokens)) + 1))


@rule("PT041", "warning", "lead author not named in the narrative")
def lead_author_named(doc, ctx, opts, partial):
    lead = ctx.lead_author
    if not lead:
        return
    candidates = _surname_candidates(lead)
    if not candidates:
        return
    key = ("PT041", candidates)

    def named(found: bool, segments) -> bool:
        for seg in segments:
            if found:
                break
            memo = seg.info.memo
            found = memo.get(key)
            if found is None:
                found = memo[key] = _mentions(seg.info.masked, candidates)
        return found

    if named(fold_settled(doc, key, named, False), doc.segments[-1:]):
        return
    at = doc.layout.begins[0] if doc.layout.begins else (doc.layout.narrative[0], doc.layout.narrative[0])
    if partial:
        yield Hit(at[0], at[1], f"lead author {lead} not named yet", severity=Severity.PENDING)
        return
    link = ctx.author_preferred.get(lead)
    how = f" as [{lead}]({link})" if link else ""
    yield Hit(at[0], at[1], f"the lead author {lead} is not named in the post: name and highlight them{how}")


@rule("PT042", "info", "author linked to social media although a better link exists", scope="segment", fix="swap")
def author_link_preference(seg, ctx, opts):
    for link in seg.info.links:
        name = _linked_author(seg, link, ctx)
        if name is None or not is_social(link.url):
            continue
        allowed = {normalize_url(u) for u in ctx.author_links.get(name, ())}
        if normalize_url(link.url) not in allowed:
            continue  # PT040's business
        better = ctx.author_preferred.get(name)
        if not better or is_social(better):
            continue
        yield Hit(
            link.start,
            link.end,
            f"{name} is linked to a social-media profile: use the academic or GitHub link {better}",
            Fix(link.url_start, link.url_end, better, "use the preferred link"),
        )
