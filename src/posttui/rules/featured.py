"""PT010-PT011: the featured paper is linked, as ``[ID](https://arxiv.org/abs/ID)``, in the first sentence."""

from __future__ import annotations

import re

from ..ids import identifier_of_url
from .base import Fix, Hit, Severity, rule
from .markdown import SpanIndex, fold_settled, link_identifiers

ABBREVIATIONS = frozenset(
    "e.g i.e al fig figs eq eqs sec secs approx vs cf dr prof mr mrs ms no nos ref refs ch vol pp resp st"
    " ca tab app ed eds viz sect".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]*_]*(?=\s|$)")
"""Sentence-final punctuation, with any closing quotes, brackets or emphasis markers after it."""
_WORD_BEFORE_RE = re.compile(r"([^\s(\[\"'“‘]+)$")


def _first_prose(found, segments):
    if found is None:
        for seg in segments:
            for kind, s, e in seg.info.blocks:
                if kind in ("paragraph", "list", "quote", "table"):
                    return seg.start + s, seg.start + e, seg, s
    return found


def first_prose_block(doc):
    """(absolute start, absolute end, segment, relative start) of the first paragraph/list/quote/table of the
    narrative, skipping headings, rules, HTML comments and code."""
    return _first_prose(fold_settled(doc, "first prose block", _first_prose, None), doc.segments[-1:])


def sentence_end(seg, rel_start: int, rel_end: int) -> int | None:
    """Offset (relative to the segment) just after the first sentence's final punctuation, or None when the
    block holds no complete sentence. Links, code and math never end a sentence; nor do abbreviations."""
    key = ("sentence end", rel_start, rel_end)
    memo = seg.info.memo
    if key not in memo:
        memo[key] = _sentence_end(seg.info, rel_start, rel_end)
    return memo[key]


def _sentence_end(info, rel_start: int, rel_end: int) -> int | None:
    prose = info.prose
    in_link = SpanIndex((lk.start, lk.end) for lk in info.links)
    for m in _SENTENCE_END_RE.finditer(prose, rel_start, rel_end):
        pos = m.start()
        if in_link(pos):
            continue
        if prose[pos] == ".":
            wb = _WORD_BEFORE_RE.search(prose, max(rel_start, pos - 24), pos)
            word = wb.group(1).lower() if wb else ""
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                continue
        if m.end() == rel_end and m.end() == len(prose):
            return m.end()
        return m.end()
    return None


def featured_links(doc, featured: str) -> list:
    """(segment, link) for every link to the featured paper, in order."""

    def add(found: tuple, segments) -> tuple:
        more = [(seg, link) for seg in segments for link, ident in link_identifiers(seg.info)
                if ident[0] == "arxiv" and ident[1] == featured]
        return found + tuple(more) if more else found

    return list(add(fold_settled(doc, ("featured links", featured), add, ()), doc.segments[-1:]))


@rule("PT010", "error", "first sentence lacks the featured-paper link")
def featured_in_first_sentence(doc, ctx, opts, partial):
    featured = ctx.featured_id
    if not featured:
        return
    wanted = f"[{featured}](https://arxiv.org/abs/{featured})"
    block = first_prose_block(doc)
    links = list(featured_links(doc, featured))
    if block is None:
        ns = doc.layout.narrative[0]
        if partial:
            yield Hit(ns, ns, "first sentence not written yet", severity=Severity.PENDING)
        else:
            yield Hit(ns, ns, f"the post has no text: its first sentence must link the featured paper {wanted}")
        return
    abs_start, abs_end, seg, rel_start = block
    rel_end = abs_end - seg.start
    end = sentence_end(seg, rel_start, rel_end)
    still_streaming = partial and end is None and doc.at_end(abs_end)
    if end is None:
        end = rel_end
    sentence_stop = seg.start + end
    if any(seg2.start + lk.start < sentence_stop and seg2.start + lk.start >= abs_start for seg2, lk in links):
        return
    if still_streaming:
        yield Hit(abs_start, sentence_stop, "first sentence still streaming", severity=Severity.PENDING)
        return
    later = ""
    if links:
        seg2, lk = links[0]
        line, col = doc.line_col(seg2.start + lk.start)
        later = f" (it first appears at line {line}, column {col}, after the first sentence: move it)"
    yield Hit(
        abs_start,
        sentence_stop,
        f"the first sentence must link the featured paper as {wanted}{later}",
    )


def relabel(text: str, link, ident: str, url: str) -> str:
    """The repaired link: ``[ID](URL)``, keeping a descriptive label as prose before it."""
    label = link.label(text).strip()
    canonical = f"[{ident}]({url})"
    low = label.lower()
    if (
        not label
        or low.startswith(("http", "arxiv", "doi", "www.", "10."))
        or identifier_of_url(label)
        or ident.lower() in low
        or _KEY_LIKE_RE.match(label)
    ):
        return canonical
    return f"{label} ({canonical})"


_KEY_LIKE_RE = re.compile(r"^(?=[^\s]*\d)[\w.&:+/-]+$")
"""A cite key or ADS bibcode used as a label (``abbott2009ligo``, ``2003JCAP...07..002C``): not prose to keep."""


@rule("PT011", "warning", "featured link label is not the bare id", fix="relabel")
def featured_label(doc, ctx, opts, partial):
    featured = ctx.featured_id
    if not featured:
        return
    url = f"https://arxiv.org/abs/{featured}"
    for seg, link in featured_links(doc, featured):
        label = link.label(seg.text).strip()
        if label == featured:
            continue
        s, e = seg.start + link.start, seg.start + link.end
        yield Hit(
            s,
            e,
            f"the featured paper's link should read [{featured}]({url}), not [{label[:60]}]",
            Fix(s, e, relabel(seg.text, link, featured, url), "relabel the featured link"),
        )
