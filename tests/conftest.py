"""Shared fixtures: every test runs with its own cache/data/config dirs and no API key in the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("POSTTUI_SHARED", ROOT.parent / "shared"))
CORPUS_SITE = SHARED / "corpus" / "site"
SEED = SHARED / "seeds" / "000_350209b81eb6ca35.txt"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """Keep tests away from the user's real cache, sessions, config and keys: the POSTTUI_* folders, and HOME and
    the XDG folders too, so that nothing which falls back to platform defaults can reach the real ones."""
    base = tmp_path_factory.mktemp("posttui-home")
    monkeypatch.setenv("POSTTUI_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("POSTTUI_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("POSTTUI_CONFIG", str(base / "config.toml"))
    home = base / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"),
                      ("XDG_CONFIG_HOME", ".config"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(name, str(home / sub))
    for name in (
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "GOOGLE_GENAI_USE_VERTEXAI",
        "GOOGLE_GENAI_API_VERSION",
        "GOOGLE_GEMINI_BASE_URL",
        "GOOGLE_GENAI_CLIENT_MODE",
        "POSTTUI_GEMINI_BASE_URL",
        "POSTTUI_ARXIV_API_URL",
        "POSTTUI_ARXIV_SRC_URL",
        "POSTTUI_MODEL",
        "POSTTUI_RESOLVE",
        "POSTTUI_SEMANTIC_SCHOLAR_URL",
        "POSTTUI_INSPIRE_URL",
        "POSTTUI_CROSSREF_URL",
        "POSTTUI_DOI_API_URL",
        "POSTTUI_CROSSREF_MAILTO",
        "POSTTUI_API_PACE",
        "S2_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return base


@pytest.fixture
def corpus_site() -> Path:
    if not CORPUS_SITE.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS_SITE


@pytest.fixture
def seed_prompt() -> Path:
    if not SEED.is_file():
        pytest.skip("../shared/seeds is not present")
    return SEED


@pytest.fixture
def site(tmp_path) -> Path:
    """An empty Jekyll site to approve into (the app's and the notebook's tests)."""
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Test group\n", encoding="utf-8")
    return root


@pytest.fixture
def store(tmp_path):
    """A session store of the test's own."""
    from posttui.session import SessionStore

    s = SessionStore.open(tmp_path / "sessions.db")
    yield s
    s.close()
