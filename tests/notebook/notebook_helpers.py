"""Helpers shared by the notebook tests (a module of its own: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


def with_citation(post: str) -> str:
    """The draft as a user leaves it after pasting a LaTeX sentence: a fixable error (PT020)."""
    bad = post.replace("Okonkwo et al. showed", "\\citet{okonkwo2024} showed", 1)
    assert bad != post
    return bad
