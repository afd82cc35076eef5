"""Conversations on top of a draft: repair the open problems, regenerate one section, keep every version.

* Repair sends the original prompt, the current draft (as the model's earlier answer) and the open problems
  (rule id, message, quoted text) and asks for the corrected full post.
* Regenerating a section asks for only that section (the text under one heading of the narrative, or the
  opening paragraph before the first heading) and splices the answer into the draft.

Both return a :class:`Revision` (new text, the call's result, and the findings of a re-check when a checker is
given) and never modify a draft in place: the workflow (:mod:`posttui.workflow`) shows it as a diff and records an
accepted one as a new version in the session store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..postformat import OPENING, Section, find_section, splice_section, strip_fence
from .base import Backend, GenerationResult, Turn, model, user

SECTION_REQUEST_LEAD = "Rewrite only one section of the post above:"
REPAIR_REQUEST_LEAD = "The post above breaks rules of the instructions."

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
