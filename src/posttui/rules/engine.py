"""Running the rules: one full check, fixing until stable, and incremental checking while a draft streams.

``check(text, ctx)`` parses the draft once (:func:`~posttui.rules.markdown.parse_document`), runs every enabled
rule and returns findings sorted by position. Segment-scoped rules depend only on one segment's text, so
:class:`StreamingChecker` keeps the findings of the segments above the streaming tail and, as chunks arrive,
re-checks every ``min_interval`` seconds or when the draft grew enough: only the changed tail is parsed and
judged again, and document rules extend running totals over the settled segments
(:func:`~posttui.rules.markdown.fold_settled`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from operator import attrgetter
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


class _Carried:
    """What a streaming check hands to the next one. The settled segments (every segment but the last) of a draft
    that only grows never change, nor do the lines and columns up to them: their findings are kept, in order, and
    reused as they are. Also the rule hits of the last segment by its text (a time-triggered check may see it
    unchanged), and the findings made for the document rules' hits (most recur unchanged)."""

    def __init__(self):
        self.segments: list = []
        self.counts: list[int] = []
        """How many findings the settled segments up to each one have."""
        self.findings: list[Finding] = []
        self.tail: dict = {}
        self.made: dict = {}

    def keep(self, doc: Document) -> None:
        """Forget the segments ``doc`` did not take over from the previous parse."""
        keep = min(len(self.segments), doc.reused)
        # Segments are only ever taken over as a prefix, each at its index, so the same object at the last index
        # kept means the same objects before it; anything else (not the parse checked last) starts over.
        if keep and self.segments[keep - 1] is not doc.segments[keep - 1]:
            keep = 0
        del self.segments[keep:]
        del self.counts[keep:]
        del self.findings[self.counts[-1] if self.counts else 0 :]

    def add(self, seg, found: list[Finding]) -> None:
        self.segments.append(seg)
        self.findings.extend(found)
        self.counts.append(len(self.findings))


_ORDER = attrgetter("start", "end", "rule")


def _run(
    doc: Document,
    ctx: CheckContext,
    options: CheckOptions,
    partial: bool,
    carried: _Carried | None = None,
) -> list[Finding]:
    """Every finding of ``doc``. ``carried`` (streaming): what the check of the previous parse (``doc`` extends
    its text) left; the findings of the segments ``doc`` took over from it are reused, and it is updated."""
    doc_rules, seg_rules = _rules(options)
    segments = doc.segments
    settled = segments[:-1]
    if carried is not None:
        carried.keep(doc)
        for seg in settled[len(carried.segments) :]:
            hits = carried.tail.get(seg.text)  # the last check's tail, complete by then
            if hits is None:
                hits = _segment_hits(seg, ctx, options, seg_rules)
            carried.add(seg, _segment_findings(doc, seg, hits, False))
        findings = list(carried.findings)
    else:
        findings = []
        for seg in settled:
            findings.extend(_segment_findings(doc, seg, _segment_hits(seg, ctx, options, seg_rules), False))
    if segments:
        seg = segments[-1]
        hits = carried.tail.get(seg.text) if carried is not None else None
        if hits is None:
            hits = _segment_hits(seg, ctx, options, seg_rules)
            if carried is not None:
                carried.tail = {seg.text: hits}
        findings.extend(_segment_findings(doc, seg, hits, partial and doc.at_end(seg.end)))
    made = carried.made if carried is not None else {}
    now_made = {}
    for r in doc_rules:
        for hit in r.func(doc, ctx, options, partial):
            key = (r.id, hit)
            found = made.get(key)
            if found is None:
                found = _finding(doc, r.id, hit)
            now_made[key] = found
            findings.append(found)
    if carried is not None:
        carried.made = now_made
    findings.sort(key=_ORDER)
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

    ``feed(chunk)`` appends text and re-checks (``partial=True``), returning the new findings, when
    ``min_interval`` seconds passed since the last check (the time trigger: a violation is highlighted at most that
    long, plus one chunk, after it arrives), or when the draft grew by ``min_bytes`` characters or a third of its
    length, whichever is more (the byte trigger, for streams faster than the time trigger sees). A check the byte
    trigger calls for waits for the line being written to end (a chunk holding a newline; at most ``min_bytes``
    more characters, never past the time trigger): the half-written block would be parsed and judged now and again,
    complete, a moment later. Otherwise ``feed`` returns None. The first chunk is always checked. The default
    ``min_bytes`` is about what arrives within ``min_interval`` at a typical rate (300 characters per 50 ms), so at
    such rates the time trigger sets the pace and the byte trigger only adds checks for faster bursts.

    Contract: every result of ``feed``/``check_now(partial=True)`` equals ``check(text so far, partial=True)``,
    and ``finish()`` equals ``check(text)``. Each check costs about what changed: segments (blocks) above the
    streaming tail never change, so their parse, their findings and the document rules' running totals over them
    are carried over from the previous check; only the tail is parsed and judged again.
    """

    def __init__(
        self,
        ctx: CheckContext | None = None,
        *,
        options: CheckOptions | None = None,
        min_bytes: int = 1536,
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
        self._parts.append(chunk)
        self._length = length = self._length + len(chunk)  # (read back from a local: a third of feed's cost)
        if length < self._next_at and self.clock() < self._deadline:
            return None  # the common case first: one addition and two comparisons per chunk
        if not chunk:
            return None
        if "\n" not in chunk and length < self._next_at + self.min_bytes and self.clock() < self._deadline:
            return None  # due by size only: wait for the line being written to end
        return self.check_now(partial=True)

    def check_now(self, *, partial: bool = True) -> list[Finding]:
        now = self.clock()
        # Byte trigger: min_bytes more, or a third more than now (a quarter of the text by then) for long drafts,
        # so the number of checks grows with the logarithm of the length; the time trigger keeps the findings of
        # a stream at any rate fresh.
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
