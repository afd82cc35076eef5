"""Running the rules: one full check, fixing until stable, and incremental checking while a draft streams.

``check(text, ctx)`` parses the draft once (:func:`~posttui.rules.markdown.parse_document`), runs every enabled
rule and returns findings sorted by position. Segment-scoped rules depend only on one segment's text, so
:class:`StreamingChecker` keeps their results per segment and, as chunks arrive, re-checks at most every
``min_bytes`` characters or ``min_interval`` seconds: only the changed tail is parsed and judged again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from .base import RULES, CheckOptions, Finding, Hit, Severity, load_rules
from .context import CheckContext
from .fixes import apply_fixes, fixes_of
from .markdown import Document, parse_document

_STREAM_TAIL_RULES = {"PT062", "PT063", "PT020", "PT021"}
"""Segment rules whose findings in the last, still-growing segment are only pending while streaming."""


_RULE_SETS: dict = {}


def _rules(options: CheckOptions):
    """(document rules, segment rules) enabled by ``options`` (computed once per options value)."""
    found = _RULE_SETS.get(options)
    if found is None:
        load_rules()
        doc_rules = [r for r in RULES.values() if r.scope == "document" and options.enabled(r.id)]
        seg_rules = [r for r in RULES.values() if r.scope == "segment" and options.enabled(r.id)]
        found = _RULE_SETS[options] = (doc_rules, seg_rules)
    return found


def _segment_hits(seg, ctx, options, seg_rules) -> list[tuple[str, Hit]]:
    out = []
    for r in seg_rules:
        for hit in r.func(seg, ctx, options):
            out.append((r.id, hit))
    return out


def _finding(doc: Document, rid: str, hit: Hit) -> Finding:
    line, col = doc.line_col(hit.start)
    end_line, end_col = doc.line_col(hit.end)
    return Finding(
        rule=rid,
        severity=hit.severity or RULES[rid].severity,
        message=hit.message,
        start=hit.start,
        end=hit.end,
        line=line,
        column=col,
        end_line=end_line,
        end_column=end_col,
        fix=hit.fix,
    )


def _segment_findings(doc: Document, seg, hits, streaming_tail: bool) -> list[Finding]:
    out = []
    for rid, hit in hits:
        hit = hit.shifted(seg.start)
        if streaming_tail and rid in _STREAM_TAIL_RULES and _open_at_end(rid, hit, seg):
            hit = Hit(hit.start, hit.end, f"{hit.message} (still streaming)", None, Severity.PENDING)
        out.append(_finding(doc, rid, hit))
    return out


@dataclass
class _Carried:
    """What a streaming check hands to the next one: the findings of each settled segment (every segment but the
    last, which no appended text can change), and the rule hits of the last segment by its text (a time-triggered
    check may see it unchanged)."""

    settled: list = field(default_factory=list)
    """(segment, its findings), in order: the leading segments of the last check's document."""
    tail: dict = field(default_factory=dict)


def _run(
    doc: Document,
    ctx: CheckContext,
    options: CheckOptions,
    partial: bool,
    carried: _Carried | None = None,
) -> list[Finding]:
    """Every finding of ``doc``. ``carried`` (streaming): the previous check of a text ``doc`` extends; the
    findings of the segments ``doc`` reuses from that parse are taken from it as they are (the same segment at
    the same offset of the same text so far), and it is updated for the next check."""
    doc_rules, seg_rules = _rules(options)
    findings: list[Finding] = []
    segments = doc.segments
    settled = carried.settled if carried is not None else []
    keep = 0
    limit = min(len(settled), doc.reused)
    while keep < limit and settled[keep][0] is segments[keep]:
        findings.extend(settled[keep][1])
        keep += 1
    del settled[keep:]
    text_end = len(doc.text.rstrip())
    last = len(segments) - 1
    for i in range(keep, len(segments)):
        seg = segments[i]
        if i < last:
            found = _segment_findings(doc, seg, _segment_hits(seg, ctx, options, seg_rules), False)
            if carried is not None:
                settled.append((seg, found))
        else:
            hits = carried.tail.get(seg.text) if carried is not None else None
            if hits is None:
                hits = _segment_hits(seg, ctx, options, seg_rules)
                if carried is not None:
                    carried.tail = {seg.text: hits}
            found = _segment_findings(doc, seg, hits, partial and seg.end >= text_end)
        findings.extend(found)
    for r in doc_rules:
        for hit in r.func(doc, ctx, options, partial):
            findings.append(_finding(doc, r.id, hit))
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def _open_at_end(rid: str, hit: Hit, seg) -> bool:
    """True for what the rest of the stream may still complete: unclosed math or link syntax anywhere in the last
    segment (the closing delimiter may follow), or a LaTeX command cut off at the very end of the text."""
    if rid in ("PT062", "PT063"):
        return True
    return hit.end >= seg.end and hit.fix is None


def check(
    text: str,
    ctx: CheckContext | None = None,
    *,
    partial: bool = False,
    options: CheckOptions | None = None,
) -> list[Finding]:
    """All findings for ``text``. With ``partial=True`` (a draft still streaming) what may yet arrive (the END
    marker, the footer, more references or words) is reported with severity ``pending``, not as an error."""
    return _run(parse_document(text), ctx or CheckContext(), options or CheckOptions(), partial)


@dataclass
class FixResult:
    text: str
    """The fixed text."""
    applied: list[Finding] = field(default_factory=list)
    """The findings whose fixes were applied, in the order found (over all rounds)."""
    findings: list[Finding] = field(default_factory=list)
    """What a fresh check of the fixed text reports."""
    rounds: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def fix(
    text: str,
    ctx: CheckContext | None = None,
    *,
    options: CheckOptions | None = None,
    max_rounds: int = 10,
) -> FixResult:
    """Apply every mechanical fix, re-checking after each round (a fix may reveal another, and overlapping fixes
    wait for the next round), until nothing more changes. Fixing the result again changes nothing."""
    ctx = ctx or CheckContext()
    options = options or CheckOptions()
    applied: list[Finding] = []
    findings = check(text, ctx, options=options)
    rounds = 0
    while rounds < max_rounds:
        fixes = fixes_of(findings)
        if not fixes:
            break
        new_text, used = apply_fixes(text, fixes)
        if not used or new_text == text:
            break
        used_ids = {id(f) for f in used}
        applied.extend(f for f in findings if f.fix is not None and id(f.fix) in used_ids)
        text = new_text
        rounds += 1
        findings = check(text, ctx, options=options)
    return FixResult(text, applied, findings, rounds)


class StreamingChecker:
    """Checks a draft while it streams in, cheaply.

    ``feed(chunk)`` appends text and re-checks (``partial=True``) only when at least ``min_bytes`` characters (or a
    quarter of the draft so far, whichever is more) arrived since the last check, or ``min_interval`` seconds
    passed; it returns the new findings then, else None.
    Per-segment results are reused for the segments that did not change, so each re-check costs about the size
    of the changed tail. ``finish()`` runs the final, non-partial check.
    """

    def __init__(
        self,
        ctx: CheckContext | None = None,
        *,
        options: CheckOptions | None = None,
        min_bytes: int = 1024,
        min_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ctx = ctx or CheckContext()
        self.options = options or CheckOptions()
        self.min_bytes = min_bytes
        self.min_interval = min_interval
        self.clock = clock
        self._parts: list[str] = []
        self._text = ""
        self._length = 0
        self._next_at = 0
        self._deadline = float("-inf")
        self._carried = _Carried()
        self._doc: Document | None = None
        """The last parse; reused for the unchanged prefix while text is only appended."""
        self.findings: list[Finding] = []
        self.checks = 0

    @property
    def text(self) -> str:
        if self._parts:
            self._text += "".join(self._parts)
            self._parts.clear()
        return self._text

    def feed(self, chunk: str) -> list[Finding] | None:
        if not chunk:
            return None
        self._parts.append(chunk)
        self._length += len(chunk)
        if self._length >= self._next_at or self.clock() >= self._deadline:
            return self.check_now(partial=True)
        return None

    def check_now(self, *, partial: bool = True) -> list[Finding]:
        now = self.clock()
        # Byte trigger: min_bytes more, or a third more than now (a quarter of the text by then) for long drafts,
        # so the number of checks grows with the logarithm of the length; the time trigger keeps a slow stream's
        # findings fresh.
        self._next_at = self._length + max(self.min_bytes, self._length // 3)
        self._deadline = now + self.min_interval
        self.checks += 1
        doc = parse_document(self.text, self._doc)
        self._doc = doc
        self.findings = _run(doc, self.ctx, self.options, partial, self._carried)
        return self.findings

    def finish(self) -> list[Finding]:
        """The final check of the complete draft (missing END marker or footer are errors now)."""
        return self.check_now(partial=False)

    def reset(self, text: str = "") -> None:
        """Start over with ``text`` (e.g. after the user edited the draft)."""
        self._parts.clear()
        self._text = text
        self._doc = None
        self._carried = _Carried()
        self._length = len(text)
        self._next_at = 0
        self._deadline = float("-inf")
