"""Fixtures for the notebook front end: the example paper, a temporary site, a session store."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttui.session import SessionStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Test group\n", encoding="utf-8")
    return root


@pytest.fixture
def store(tmp_path):
    s = SessionStore.open(tmp_path / "sessions.db")
    yield s
    s.close()


def with_citation(post: str) -> str:
    """The draft as a user leaves it after pasting a LaTeX sentence: a fixable error (PT020)."""
    bad = post.replace("Okonkwo et al. showed", "\\citet{okonkwo2024} showed", 1)
    assert bad != post
    return bad
