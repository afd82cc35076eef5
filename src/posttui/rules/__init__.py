"""The post checker: every rule of the generation prompt (PT001-PT063), with spans and mechanical fixes.

>>> from posttui.rules import check, CheckContext
>>> [f.rule for f in check("<!-- BEGINNING OF GENERATED POST -->\\nHi.\\n", CheckContext())][:1]
['PT004']

Rules live in one small module per family and register themselves in :data:`RULES`; :func:`load_rules`
imports the families. Spans follow the convention documented in :mod:`posttui.rules.base`.
"""

from __future__ import annotations

import importlib

from .base import RULES, CheckOptions, Finding, Fix, Rule, Severity
from .context import CheckContext, CitedWork, Skeleton

FAMILIES = ("structure", "featured", "leftover_latex", "reference_links", "author_links", "safety", "form")


def load_rules() -> dict[str, Rule]:
    """Import every rule family (idempotent) and return the registry, ordered by id."""
    for family in FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    if list(RULES) != sorted(RULES):
        ordered = dict(sorted(RULES.items()))
        RULES.clear()
        RULES.update(ordered)
    return RULES


from .engine import FixResult, StreamingChecker, check, fix  # noqa: E402

__all__ = [
    "RULES",
    "CheckContext",
    "CheckOptions",
    "CitedWork",
    "Finding",
    "Fix",
    "FixResult",
    "Rule",
    "Severity",
    "Skeleton",
    "StreamingChecker",
    "check",
    "fix",
    "load_rules",
]
