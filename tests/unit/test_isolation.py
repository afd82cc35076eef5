"""Tests never reach the user's real folders: the code obeys POSTTUI_*, and the autouse fixture fences the rest."""

from __future__ import annotations

import os
from pathlib import Path

from posttui.config import Config, config_file, load_config


def test_a_config_built_directly_obeys_the_environment(monkeypatch, tmp_path):
    """The app and many tests build ``Config(...)`` without load_config: its folders must still come from
    POSTTUI_DATA_DIR / POSTTUI_CACHE_DIR (the editor's drafts/ folder landed in the real data dir before)."""
    monkeypatch.setenv("POSTTUI_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("POSTTUI_CACHE_DIR", str(tmp_path / "c"))
    assert Config().data_path() == tmp_path / "d"
    assert Config(gemini_base_url="http://127.0.0.1:1").cache_path() == tmp_path / "c"
    assert Config(data_dir=str(tmp_path / "explicit")).data_path() == tmp_path / "explicit"
    assert load_config().data_path() == tmp_path / "d"


def test_the_autouse_fixture_fences_home_and_xdg(isolated_env):
    base = Path(isolated_env)
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        assert Path(os.environ[name]).is_relative_to(base), name
    for name in ("POSTTUI_DATA_DIR", "POSTTUI_CACHE_DIR", "POSTTUI_CONFIG"):
        assert Path(os.environ[name]).is_relative_to(base), name
    assert config_file().is_relative_to(base)


def test_platform_defaults_fall_inside_the_fence(monkeypatch, isolated_env):
    """With every POSTTUI_* variable unset, the platform defaults land under the fixture's HOME/XDG folders."""
    for name in ("POSTTUI_DATA_DIR", "POSTTUI_CACHE_DIR", "POSTTUI_CONFIG"):
        monkeypatch.delenv(name)
    base = Path(isolated_env)
    assert Config().data_path().is_relative_to(base)
    assert Config().cache_path().is_relative_to(base)
    assert config_file().is_relative_to(base)
