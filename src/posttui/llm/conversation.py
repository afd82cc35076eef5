"""Conversations on top of a draft: repair the open problems, regenerate one section, keep every version.

* Repair sends the original prompt, the current draft (as the model's earlier answer) and the open problems
  (rule id, message, quoted text) and asks for the corrected full post.
* Regenerating a section asks for only that section (the text under one heading of the narrative, or the
  opening paragraph before the first heading) and splices the answer into the draft.

Both return a :class:`Revision` (new text, the call's result, and the findings of a re-check when a checker is
given) and never modify a draft in place: :class:`DraftHistory` keeps the previous versions so the user can go
back.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .base import Backend, GenerationResult, Turn, model, user

BEGIN_MARKER = "<!-- BEGINNING OF GENERATED POST -->"
END_MARKER = "<!-- END OF GENERATED POST -->"
OPENING = ""
"""The heading of the opening section (the text before the first heading)."""

SECTION_REQUEST_LEAD = "Rewrite only one section of the post above:"
REPAIR_REQUEST_LEAD = "The post above breaks rules of the instructions."

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
    """Offsets of the narrative: after the BEGIN marker line, up to the END marker (or the end of the text)."""
    begin = draft.find(BEGIN_MARKER)
    start = 0 if begin < 0 else begin + len(BEGIN_MARKER)
    if begin >= 0 and draft.startswith("\n", start):
        start += 1
    end = draft.find(END_MARKER, start)
    return start, (len(draft) if end < 0 else end)


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


# ----- requests ---------------------------------------------------------------------------------------------------
def _quote(draft: str, problem: Any, limit: int = 160) -> str:
    start, end = int(getattr(problem, "start", 0) or 0), int(getattr(problem, "end", 0) or 0)
    text = draft[start:end] if 0 <= start < end <= len(draft) else ""
    if not text.strip():
        line_start = draft.rfind("\n", 0, start) + 1
        line_end = draft.find("\n", start)
        text = draft[line_start : len(draft) if line_end < 0 else line_end]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def problem_lines(draft: str, problems: Sequence[Any]) -> list[str]:
    """One line per problem: ``- PT010 (error, line 12): message. Text: "..."``."""
    lines = []
    for p in problems:
        severity = str(getattr(getattr(p, "severity", ""), "value", getattr(p, "severity", "")))
        where = f", line {p.line}" if getattr(p, "line", None) else ""
        quote = _quote(draft, p)
        text = f'- {p.rule} ({severity}{where}): {p.message}'
        if quote:
            text += f' Text: "{quote}"'
        lines.append(text)
    return lines


def repair_request(draft: str, problems: Sequence[Any]) -> str:
    """The follow-up instruction that asks for the corrected full post."""
    listed = "\n".join(problem_lines(draft, problems)) or "- (no open problems were listed)"
    return (
        f"{REPAIR_REQUEST_LEAD} A checker found these problems (rule id, severity, line, message, the text "
        f"concerned):\n\n{listed}\n\n"
        "Write the corrected complete post, from the front matter to the footer. Fix every problem listed; keep "
        "everything else as it is, including the template parts (front matter, header image line, the BEGINNING "
        "and END markers and the footer) byte for byte. Use only identifiers (DOIs, arXiv ids) and links that "
        "appear in the material you were given. Reply with the post only: no code fence, no commentary."
    )


def section_request(draft: str, section: Section) -> str:
    """The follow-up instruction that asks for one section only."""
    current = draft[section.start : section.end].strip("\n")
    if section.is_opening:
        what = (
            "the opening paragraph (the text between the BEGINNING marker and the first heading). Its first "
            "sentence must carry the featured-paper link and name the lead author, as the instructions require."
        )
        shape = "Reply with the new opening text only: no heading, no markers, no code fence, no commentary."
    else:
        what = f'the section headed "{section.heading_line.strip()}" (including any subsections under it).'
        shape = (
            f"Reply with that section only, starting with the heading line {section.heading_line.strip()!r} "
            "exactly as it is: no other sections, no markers, no code fence, no commentary."
        )
    return (
        f"{SECTION_REQUEST_LEAD} {what}\nWrite it afresh, following every rule of the original instructions "
        f"(links, references, style).\n\nThe current text of this section:\n\n{current}\n\n{shape}"
    )


def requested_section(request: str) -> str | None:
    """For a request built by :func:`section_request`: the heading asked for (``""`` for the opening), else None.

    Lets a backend that is not a language model (the offline writer) answer a section request."""
    if not request.startswith(SECTION_REQUEST_LEAD):
        return None
    match = re.search(r'the section headed "#{1,6}[ \t]+(.*?)[ \t]*#*"', request)
    return match.group(1).strip() if match else OPENING


def is_repair_request(request: str) -> bool:
    return request.startswith(REPAIR_REQUEST_LEAD)


# ----- running them -----------------------------------------------------------------------------------------------
@dataclass
class Revision:
    """A proposed new draft (not yet accepted), with what the call cost and what the re-check found."""

    text: str
    origin: str
    """``repair`` or ``regenerate``."""
    result: GenerationResult
    findings: list = field(default_factory=list)
    section: Section | None = None


Checker = Callable[[str], list]


async def _call(backend: Backend, turns: list[Turn], on_chunk: Callable[[str], Any] | None) -> GenerationResult:
    return await backend.stream(turns).collect(on_chunk)


async def repair(
    backend: Backend,
    prompt: str,
    draft: str,
    problems: Sequence[Any],
    *,
    check: Checker | None = None,
    on_chunk: Callable[[str], Any] | None = None,
) -> Revision:
    """Ask for the corrected full post; re-check it when ``check`` is given."""
    turns = [user(prompt), model(draft), user(repair_request(draft, problems))]
    result = await _call(backend, turns, on_chunk)
    text = strip_fence(result.text)
    if draft.endswith("\n") and not text.endswith("\n"):
        text += "\n"
    return Revision(text, "repair", result, check(text) if check else [])


async def regenerate_section(
    backend: Backend,
    prompt: str,
    draft: str,
    section: Section | str,
    *,
    check: Checker | None = None,
    on_chunk: Callable[[str], Any] | None = None,
) -> Revision:
    """Ask for one section only (a :class:`Section` or a heading text) and splice the answer into the draft."""
    if isinstance(section, str):
        found = find_section(draft, section)
        if found is None:
            from ..errors import LLMError

            raise LLMError(
                f"the draft has no section headed {section!r}",
                hint="pick a heading of the narrative (or the opening paragraph)",
            )
        section = found
    turns = [user(prompt), model(draft), user(section_request(draft, section))]
    result = await _call(backend, turns, on_chunk)
    text = splice_section(draft, section, result.text)
    return Revision(text, "regenerate", result, check(text) if check else [], section)


# ----- history ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Version:
    text: str
    origin: str
    """``stream``, ``edit``, ``fix``, ``repair``, ``regenerate``..."""
    note: str = ""
    time: float = field(default_factory=time.time)


class DraftHistory:
    """Every version of a draft, with a cursor: ``undo`` goes back, ``redo`` forward, ``push`` adds a version
    (dropping the versions that were undone, as an editor does). Old versions beyond ``limit`` are forgotten."""

    def __init__(self, text: str | None = None, origin: str = "stream", *, limit: int = 200):
        self._versions: list[Version] = []
        self._index = -1
        self.limit = max(2, limit)
        if text is not None:
            self.push(text, origin)

    def push(self, text: str, origin: str, note: str = "") -> Version:
        if self._versions and self._index >= 0 and self._versions[self._index].text == text:
            return self._versions[self._index]  # nothing changed: no new version
        del self._versions[self._index + 1 :]
        version = Version(text, origin, note)
        self._versions.append(version)
        if len(self._versions) > self.limit:
            del self._versions[0 : len(self._versions) - self.limit]
        self._index = len(self._versions) - 1
        return version

    @property
    def current(self) -> Version | None:
        return self._versions[self._index] if self._index >= 0 else None

    @property
    def text(self) -> str:
        return self.current.text if self.current else ""

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._versions) - 1

    def undo(self) -> Version:
        if not self.can_undo:
            raise IndexError("no earlier version")
        self._index -= 1
        return self._versions[self._index]

    def redo(self) -> Version:
        if not self.can_redo:
            raise IndexError("no later version")
        self._index += 1
        return self._versions[self._index]

    @property
    def versions(self) -> list[Version]:
        return list(self._versions)

    def __len__(self) -> int:
        return len(self._versions)
