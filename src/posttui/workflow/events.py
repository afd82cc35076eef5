"""What a running model call tells its front end: small immutable values, rendered by each front end its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Chunk:
    """More text of the draft (or of a revision) arrived."""

    text: str


@dataclass(frozen=True)
class Checked:
    """The checker judged ``text``; ``partial`` while a stream still runs (a missing END marker is pending)."""

    text: str
    findings: list = field(default_factory=list)
    partial: bool = False


@dataclass(frozen=True)
class StateChanged:
    """What the session is doing now: ``generating``, ``repairing``, ``regenerating``, ``writing the image
    prompt``, ``making the image``, ``saving``; or how the last step ended: ``done``, ``stopped``, ``failed``,
    ``blocked`` (errors open), ``saved``, ``idle``."""

    state: str
    detail: str = ""


@dataclass(frozen=True)
class UsageCounted:
    """A model call was counted: its tokens and cost, and the session's totals so far."""

    model: str
    tokens: int
    cost: float | None
    """None when the model has no known price ("cost unknown", never $0)."""
    total_tokens: int
    total_cost: float
    cost_known: bool = True
    """False once any call of the session had no known price."""


@dataclass(frozen=True)
class Notice:
    """Something the user should read (a truncated draft, a missing image)."""

    message: str
    severity: str = "information"


Event = Union[Chunk, Checked, StateChanged, UsageCounted, Notice]
