"""The post checker: every rule of the generation prompt (PT001-PT063), with spans and mechanical fixes.

>>> from posttui.rules import check, CheckContext
>>> [f.rule for f in check("<!-- BEGINNING OF GENERATED POST -->\\nHi.\\n", CheckContext())][:1]
['PT004']

Rules live in one small module per family and register themselves in :data:`RULES`; :func:`load_rules`
(in :mod:`posttui.rules.base`) imports the families. Spans follow the convention documented in :mod:`posttui.rules.base`.
"""

from __future__ import annotations

from .base import FAMILIES, RULES, CheckOptions, Finding, Fix, Rule, Severity, load_rules
from .context import CheckContext, CitedWork, Skeleton

from .engine import FixResult, StreamingChecker, check, fix

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
