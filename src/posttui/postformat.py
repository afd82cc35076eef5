"""The post format: what a post of the site looks like, and the one parser of it.

A post is the template's front matter, the header image line, the narrative between
``<!-- BEGINNING OF GENERATED POST -->`` and ``<!-- END OF GENERATED POST -->``, and the footer after END.
:func:`layout` finds those regions in any prefix of a post (so it is safe while a draft streams in); the checker
builds on it (:mod:`posttui.rules.markdown`) and so does the revision code (:func:`sections`, used to regenerate
one section). Nothing here knows about rules, models or widgets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BEGIN_MARKER = "<!-- BEGINNING OF GENERATED POST -->"
END_MARKER = "<!-- END OF GENERATED POST -->"
OPENING = ""
"""The heading of the opening section (the text before the first heading)."""

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})([^`\n]*)$")
FM_DELIM_RE = re.compile(r"^---[ \t]*\r?$")


# ----- the skeleton ----------------------------------------------------------------------------------------------
def iter_lines(text: str, start: int = 0, end: int | None = None):
    """Yield ``(line_start, line_end_without_newline, next_line_start)`` for the lines of ``text[start:end]``."""
    end = len(text) if end is None else end
    pos = start
    find = text.find
    while pos < end:
        nl = find("\n", pos, end)
        if nl == -1:
            yield pos, end, end
            return
        yield pos, nl, nl + 1
        pos = nl + 1



@dataclass
class Layout:
    text: str
    content_start: int = 0
    content_end: int = 0
    wrap_open: tuple[int, int] | None = None
    """The opening line of a code fence wrapping the whole post (start, end incl. newline)."""
    wrap_close: tuple[int, int] | None = None
    wrap_fence: str = ""
    preamble: tuple[int, int] | None = None
    """Non-blank text before the first template element (or before the wrapping fence)."""
    trailer: tuple[int, int] | None = None
    """Non-blank text after the wrapping fence's closing line."""
    front_matter: tuple[int, int] | None = None
    """From the opening ``---`` to the end of the closing ``---`` line (incl. its newline)."""
    front_matter_closed: bool = False
    header: tuple[int, int] | None = None
    """The header image line (without newline)."""
    stray_before_begin: tuple[int, int] | None = None
    begins: list[tuple[int, int]] = field(default_factory=list)
    ends: list[tuple[int, int]] = field(default_factory=list)
    narrative: tuple[int, int] = (0, 0)
    tail: tuple[int, int] | None = None
    """Everything after the END marker (up to the wrap's closing fence)."""
    structural: bool = False
    """False when nothing of the skeleton was found (then the whole text is taken as narrative)."""
    settled: bool = False
    """Whether appending text can change only the markers, the narrative's end and the tail: every line the
    regions before the narrative were told from is complete, and no fence wraps the post (see :func:`layout`)."""


def _first_nonblank(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    for ls, le, nxt in iter_lines(text, start, end):
        if text[ls:le].strip():
            return ls, le, nxt
    return None


def _span_nonblank(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span from the first to the last non-white character of ``text[start:end]``, or None."""
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return None
    lead = len(chunk) - len(chunk.lstrip())
    return start + lead, start + lead + len(stripped)


def layout(text: str, previous: Layout | None = None) -> Layout:
    """Locate the template regions in ``text`` (any prefix of a post is fine). ``previous``: the layout of a prefix
    of ``text`` (a draft that only grew, as while it streams); when it is settled and what was added holds no marker,
    its regions are taken over and only the end moves, instead of scanning the whole text again."""
    if previous is not None and previous.settled:
        grown = _grown(text, previous)
        if grown is not None:
            return grown
    lay = Layout(text, 0, len(text))
    n = len(text)
    first_begin = text.find(BEGIN_MARKER)
    scan_end = first_begin if first_begin != -1 else n
    # 1. The first structural line: a fence, the front matter, the header image, or the BEGIN marker.
    cursor = 0
    struct_line = None
    for ls, le, nxt in iter_lines(text, 0, scan_end):
        line = text[ls:le]
        stripped = line.strip()
        if not stripped:
            continue
        if FENCE_RE.match(line) or FM_DELIM_RE.match(line) or stripped.startswith("![") or stripped.startswith(
            "<!--"
        ):
            struct_line = (ls, le, nxt)
            break
    if struct_line is None and first_begin != -1:
        struct_line = (first_begin, first_begin, first_begin)
    if struct_line is None:
        lay.narrative = (0, n)
        return lay
    lay.structural = True
    if struct_line[0] > 0:
        lay.preamble = _span_nonblank(text, 0, struct_line[0])
    cursor = struct_line[0]
    m = FENCE_RE.match(text[struct_line[0] : struct_line[1]])
    if m and struct_line[0] < scan_end:
        lay.wrap_open = (struct_line[0], struct_line[2])
        lay.wrap_fence = m.group(1)
        cursor = struct_line[2]
        lay.content_start = cursor
    # 2. Markers (inside the content region).
    find = text.find
    for marker, bucket in ((BEGIN_MARKER, lay.begins), (END_MARKER, lay.ends)):
        i = find(marker, cursor)
        while i != -1:
            bucket.append((i, i + len(marker)))
            i = find(marker, i + len(marker))
    # 3. The wrap's closing fence: the last fence-only line after the last END marker.
    if lay.wrap_open is not None:
        after = lay.ends[-1][1] if lay.ends else None
        if after is not None:
            close = None
            fence_char = lay.wrap_fence[0]
            for ls, le, nxt in iter_lines(text, after, n):
                stripped = text[ls:le].strip()
                if stripped and set(stripped) == {fence_char} and len(stripped) >= len(lay.wrap_fence):
                    close = (ls, nxt)
            if close:
                lay.wrap_close = close
                lay.content_end = close[0]
                lay.trailer = _span_nonblank(text, close[1], n)
        lay.ends = [e for e in lay.ends if e[1] <= lay.content_end]
        lay.begins = [b for b in lay.begins if b[1] <= lay.content_end]
    ce = lay.content_end
    begin = lay.begins[0] if lay.begins else None
    limit = begin[0] if begin else ce
    # 4. Front matter.
    first = _first_nonblank(text, cursor, limit)
    if first and FM_DELIM_RE.match(text[first[0] : first[1]]):
        fm_start = first[0]
        fm_end = None
        for ls, le, nxt in iter_lines(text, first[2], limit):
            line = text[ls:le]
            if FM_DELIM_RE.match(line) or line.rstrip() == "...":
                if le < len(text):  # while streaming, "--" may still become "---" or the newline may follow
                    fm_end = nxt
                    lay.front_matter_closed = True
                break
            if line.strip().startswith("![") or line.strip().startswith("<!--"):
                fm_end = ls
                break
        if fm_end is None:
            fm_end = limit
        lay.front_matter = (fm_start, fm_end)
        cursor = fm_end
    # 5. Header image line.
    first = _first_nonblank(text, cursor, limit)
    if first and text[first[0] : first[1]].strip().startswith("!["):
        lay.header = (first[0], first[1])
        cursor = first[2]
    # What comes before a BEGIN marker is there for good. Without one, everything above was told from complete lines
    # (a front matter still open runs to the end) when the line the header was looked for in is there and complete.
    lay.settled = lay.wrap_open is None and (begin is not None or (first is not None and first[1] < n))
    # 6. Anything else before BEGIN is stray text.
    if begin:
        lay.stray_before_begin = _span_nonblank(text, cursor, begin[0])
        start = begin[1]
        end_marker = next((e for e in lay.ends if e[0] >= start), None)
        lay.narrative = (start, end_marker[0] if end_marker else ce)
        if end_marker:
            lay.tail = (end_marker[1], ce)
    else:
        end_marker = lay.ends[0] if lay.ends else None
        lay.narrative = (cursor, end_marker[0] if end_marker else ce)
        if end_marker:
            lay.tail = (end_marker[1], ce)
    return lay


def _grown(text: str, previous: Layout) -> Layout | None:
    """The layout of ``text``, an extension of the text of the settled layout ``previous``, when what was added
    holds no marker (None: it may, so the whole text is scanned again): every region stays, and the content and the
    narrative (or, after the END marker, the tail) now run to the end."""
    before = len(previous.text)
    n = len(text)
    if n < before:
        return None
    for marker in (BEGIN_MARKER, END_MARKER):
        if text.find(marker, max(0, before - len(marker) + 1)) != -1:  # (one may end in what was added)
            return None
    narrative, tail = previous.narrative, previous.tail
    if tail is not None:
        tail = (tail[0], n)
    else:
        narrative = (narrative[0], n)
    return Layout(text, content_start=previous.content_start, content_end=n, preamble=previous.preamble,
                  front_matter=previous.front_matter, front_matter_closed=previous.front_matter_closed,
                  header=previous.header, stray_before_begin=previous.stray_before_begin,
                  begins=list(previous.begins), ends=list(previous.ends), narrative=narrative, tail=tail,
                  structural=True, settled=True)  # (a settled layout has no wrapping fence, so no close or trailer)


_FENCE = re.compile(r"^(```+|~~~+)")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")


# ----- sections ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    """A part of the narrative: ``text[start:end]`` of the whole draft, heading line included."""

    heading: str
    """The heading's text (``Key results``), or ``""`` for the opening section."""
    level: int
    """1-6 for ``#``...``######``; 0 for the opening."""
    start: int
    end: int
    heading_line: str = ""
    """The heading line exactly as written (``## Key results``), empty for the opening."""

    @property
    def is_opening(self) -> bool:
        return self.level == 0

    @property
    def label(self) -> str:
        return "the opening paragraph" if self.is_opening else f"the section \u201c{self.heading}\u201d"


def narrative_bounds(draft: str) -> tuple[int, int]:
    """Offsets of the narrative (by :func:`layout`): after the BEGIN marker line, up to the END marker (or the end
    of the text while a draft is still arriving)."""
    start, end = layout(draft).narrative
    if draft.startswith("\n", start) and start < end:
        start += 1
    return start, end


def _lines_with_offsets(text: str, start: int, end: int):
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl + 1
        yield pos, text[pos:stop]
        pos = stop


def sections(draft: str) -> list[Section]:
    """The opening section (if it has any text) and one section per Markdown heading of the narrative.

    A heading's section runs to the next heading of the same or a higher level, so a section includes its
    subsections; headings inside fenced code blocks do not count.
    """
    n_start, n_end = narrative_bounds(draft)
    heads: list[tuple[int, int, str, str]] = []  # (offset, level, text, line)
    fence: str | None = None
    for offset, line in _lines_with_offsets(draft, n_start, n_end):
        stripped = line.strip()
        mark = _FENCE.match(stripped)
        if fence is not None:
            if len(stripped) >= len(fence) and not stripped.strip(fence[0]):
                fence = None  # a closing fence: only fence characters, at least as many as the opening
            continue
        if mark:
            fence = mark.group(1)
            continue
        match = _HEADING.match(line.rstrip("\n"))
        if match and not line.startswith((" " * 4, "\t")):
            heads.append((offset, len(match.group(1)), match.group(2).strip(), line.rstrip("\n")))
    out: list[Section] = []
    first = heads[0][0] if heads else n_end
    if draft[n_start:first].strip():
        out.append(Section(OPENING, 0, n_start, first))
    for i, (offset, level, text, line) in enumerate(heads):
        end = next((o for o, lv, _, _ in heads[i + 1 :] if lv <= level), n_end)
        out.append(Section(text, level, offset, end, line))
    return out


def section_at(draft: str, offset: int) -> Section | None:
    """The innermost section containing ``offset`` (the cursor), or None outside the narrative."""
    found = [s for s in sections(draft) if s.start <= offset < s.end or (offset == s.end == len(draft))]
    return max(found, key=lambda s: (s.level, s.start)) if found else None


def find_section(draft: str, heading: str) -> Section | None:
    """The section with this heading (case and spacing insensitive), ``""`` naming the opening."""
    wanted = " ".join(heading.split()).casefold()
    for s in sections(draft):
        if " ".join(s.heading.split()).casefold() == wanted:
            return s
    return None


# ----- cleaning model answers -------------------------------------------------------------------------------------
def strip_fence(text: str) -> str:
    """Remove a code fence wrapped around the whole answer (```` ```markdown ... ``` ````)."""
    stripped = text.strip()
    match = re.match(r"^(```+|~~~+)[\w+-]*[ \t]*\n(.*)\n\1[ \t]*$", stripped, re.S)
    return match.group(2) if match else text


def splice_section(draft: str, section: Section, answer: str) -> str:
    """Replace ``section`` in ``draft`` with the model's ``answer`` for it.

    The answer is cleaned (code fence removed); if the model sent a whole post, the matching section is taken
    from it; a heading section keeps its heading line when the answer dropped it. Blank-line separation around
    the section is preserved.
    """
    text = strip_fence(answer)
    if BEGIN_MARKER in text:
        inner = find_section(text, section.heading)
        if inner is not None:
            text = text[inner.start : inner.end]
    text = text.strip("\n")
    if not section.is_opening:
        first = text.split("\n", 1)[0]
        match = _HEADING.match(first)
        if not match:
            text = f"{section.heading_line}\n\n{text}"
        elif " ".join(match.group(2).split()).casefold() == " ".join(section.heading.split()).casefold():
            text = section.heading_line + text[len(first):]
    else:
        lines = text.split("\n")
        while lines and _HEADING.match(lines[0]):  # an opening has no heading
            lines.pop(0)
        text = "\n".join(lines).strip("\n")
    old = draft[section.start : section.end]
    trailing = old[len(old.rstrip("\n")) :] or "\n"
    if section.end == len(draft) and not old.endswith("\n"):
        trailing = ""
    return draft[: section.start] + text + trailing + draft[section.end :]


# ----- the post as a reader sees it -------------------------------------------------------------------------------
def reader_view(text: str) -> str:
    """The Markdown a reader of the site sees: front matter and the two marker comments left out (for previews)."""
    lay = layout(text)
    body = text[lay.front_matter[1]:] if lay.front_matter and lay.front_matter_closed else text
    return body.lstrip("\n").replace(BEGIN_MARKER, "").replace(END_MARKER, "")
