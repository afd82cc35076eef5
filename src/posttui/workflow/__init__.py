"""One editing session of one paper, the same for every front end (the app, the notebook, the CLI).

The review loop — open a paper in a site, generate, check, revise (fix, repair, regenerate a section, edit,
undo, redo), approve, save — lives here and nowhere else. A front end opens a :class:`Review`, iterates the
events of :meth:`Review.generate` to show the draft as it streams, calls the revision methods on the user's
request, and renders what they return. Nothing here imports Textual or Jupyter.
"""

from __future__ import annotations

from .approval import Approval, ApprovalError
from .checker import Checker
from .draftfile import DraftFile
from .events import Checked, Chunk, Event, Notice, StateChanged, UsageCounted
from .review import Review, keep_partial

__all__ = [
    "Approval",
    "ApprovalError",
    "Checked",
    "Checker",
    "Chunk",
    "DraftFile",
    "Event",
    "Notice",
    "Review",
    "StateChanged",
    "UsageCounted",
    "keep_partial",
]
