"""Findings, fixes and the rule registry shared by every rule family.

Span convention (used by every finding and fix, the CLI, JSON output and the TUI):

* ``start``/``end`` are character offsets into the checked text (Python ``str`` indices, end exclusive).
* ``line``/``end_line`` are 1-based line numbers; ``column``/``end_column`` are 1-based character columns.
  The end is exclusive: ``end_column`` is the column just after the last character of the span, so a span
  covering ``\\cite{a}`` at the start of line 3 is ``line=3, column=1, end_line=3, end_column=9``.
  An empty span (an insertion point) has ``end == start``.

A rule function yields :class:`Hit` objects (offsets, message, optional fix); the engine turns them into
:class:`Finding` objects with line/column positions. Rules register themselves with :func:`rule`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Callable, Iterable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    PENDING = "pending"
    """Not a problem yet: the draft is still streaming and the part that would satisfy the rule may follow."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Fix:
    """A mechanical edit: replace ``text[start:end]`` by ``replacement`` (offsets as in the module docstring)."""

    start: int
    end: int
    replacement: str
    description: str = ""

    def shifted(self, delta: int) -> "Fix":
        return replace(self, start=self.start + delta, end=self.end + delta)


@dataclass(frozen=True)
class Hit:
    """What a rule reports, before line/column positions are computed."""

    start: int
    end: int
    message: str
    fix: Fix | None = None
    severity: Severity | None = None
    """Overrides the rule's severity (used for ``pending`` while streaming)."""

    def shifted(self, delta: int) -> "Hit":
        if not delta:
            return self
        fix = self.fix
        if fix is not None:
            fix = Fix(fix.start + delta, fix.end + delta, fix.replacement, fix.description)
        return Hit(self.start + delta, self.end + delta, self.message, fix, self.severity)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def as_dict(self, path: str = "") -> dict:
        """The JSON shape of ``posttui check --format json`` (exactly these keys)."""
        return {
            "path": path,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fixable": self.fixable,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    scope: str
    """``segment``: judged on one block group of the narrative at a time (cacheable while streaming);
    ``document``: judged on the whole draft."""
    func: Callable = field(compare=False)
    fix: str = ""
    """What the mechanical fix does, or empty when the rule has none."""


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity | str, title: str, *, scope: str = "document", fix: str = ""):
    """Register a rule function. Segment rules take ``(segment, ctx, options)``; document rules take
    ``(doc, ctx, options, partial)``; both yield :class:`Hit`."""

    def register(func: Callable[..., Iterable[Hit]]):
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, Severity(severity), title, scope, func, fix)
        return func

    return register


@dataclass(frozen=True)
class CheckOptions:
    """Site-level settings (``.posttui.toml``): which rules run and the thresholds they use."""

    select: tuple[str, ...] = ()
    """Rule ids or prefixes to run (``PT02`` selects PT020 and PT021); empty means all."""
    ignore: tuple[str, ...] = ()
    min_references: int = 3
    min_words: int = 250
    max_words: int | None = None

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(p) for p in self.select):
            return False
        return not any(rule_id.startswith(p) for p in self.ignore)


def validate_rule_selectors(values, *, source: str = "") -> tuple[str, ...]:
    """Upper-case rule ids/prefixes, refusing ones that match no rule (a typo would silently disable nothing)."""
    load_rules()
    out = []
    for value in values:
        sel = str(value).strip().upper()
        if not sel:
            continue
        if not any(rid.startswith(sel) for rid in RULES):
            from ..errors import ConfigError

            known = ", ".join(sorted(RULES))
            raise ConfigError(f"unknown rule id {value!r}", path=source or None, hint=f"known rules: {known}")
        out.append(sel)
    return tuple(out)


FAMILIES = ("structure", "featured", "leftover_latex", "reference_links", "author_links", "safety", "form")


def load_rules() -> dict[str, Rule]:
    """Import every rule family (idempotent) and return the registry, ordered by id."""
    for family in FAMILIES:
        importlib.import_module(f"{__package__}.{family}")
    if list(RULES) != sorted(RULES):
        ordered = dict(sorted(RULES.items()))
        RULES.clear()
        RULES.update(ordered)
    return RULES
