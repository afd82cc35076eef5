"""Fixtures for the notebook front end: a temporary site and a session store."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttui.session import SessionStore


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
