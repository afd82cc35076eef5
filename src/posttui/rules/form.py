"""PT060-PT063: length, readable structure, and Markdown/MathJax that renders."""

from __future__ import annotations

import re

from .base import Hit, Severity, rule
from .markdown import fold_settled

_BOLD_LINE_RE = re.compile(r"^\s*(\*\*|__)[^\n]+?\1:?\s*$")


def _narrative_anchor(doc) -> tuple[int, int]:
    if doc.layout.begins:
        return doc.layout.begins[0]
    ns = doc.layout.narrative[0]
    return ns, ns


def _add_words(total: int, segments) -> int:
    return total + sum(seg.info.words for seg in segments)


@rule("PT060", "warning", "narrative too short (or too long)")
def length(doc, ctx, opts, partial):
    words = _add_words(fold_settled(doc, "words", _add_words, 0), doc.segments[-1:])
    s, e = _narrative_anchor(doc)
    if opts.max_words and words > opts.max_words:
        yield Hit(s, e, f"the post has {words} words, more than the limit of {opts.max_words}: tighten it")
        return
    if words >= opts.min_words:
        return
    if partial:
        yield Hit(s, e, f"{words} words so far", severity=Severity.PENDING)
    elif words == 0:
        yield Hit(s, e, "the post has no text between the markers: write the narrative")
    else:
        yield Hit(s, e, f"the post has only {words} words (at least {opts.min_words} expected): expand the narrative")


def _has_structure(seg) -> bool:
    """A heading, list or table, or a paragraph opening with a bold line (a pseudo-heading)."""
    for kind, s, e in seg.info.blocks:
        if kind in ("heading", "list", "table"):
            return True
        if kind == "paragraph" and _BOLD_LINE_RE.match(seg.text[s:e].split("\n", 1)[0]):
            return True
    return False


def _any_structure(found: bool, segments) -> bool:
    return found or any(_has_structure(seg) for seg in segments)


@rule("PT061", "info", "no subheading or list")
def structure_present(doc, ctx, opts, partial):
    if _any_structure(fold_settled(doc, "structure", _any_structure, False), doc.segments[-1:]):
        return
    s, e = _narrative_anchor(doc)
    if partial:
        yield Hit(s, e, "no subheading or list yet", severity=Severity.PENDING)
    else:
        yield Hit(s, e, "the post has no subheading or list: the prompt asks for them to aid readability")


@rule("PT062", "warning", "unbalanced math delimiters", scope="segment")
def unbalanced_math(seg, ctx, opts):
    for s, e, message in seg.info.math_errors:
        yield Hit(s, e, f"{message}: MathJax will not render it (escape a literal dollar as `\\$`)")


@rule("PT063", "warning", "malformed Markdown link or image", scope="segment")
def malformed_links(seg, ctx, opts):
    for s, e, message in seg.info.link_errors:
        yield Hit(s, e, f"malformed link: {message}")
