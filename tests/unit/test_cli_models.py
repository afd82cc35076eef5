"""``posttui models`` through the real SDK against the fake server's model listing."""

from __future__ import annotations

import json

import pytest
from fake_gemini import FakeGemini

from posttui.cli import main


@pytest.fixture
def fake(monkeypatch):
    server = FakeGemini().start()
    monkeypatch.setenv("GEMINI_API_KEY", "fake-key-for-tests")
    monkeypatch.setenv("POSTTUI_GEMINI_BASE_URL", server.base_url)
    yield server
    server.stop()


def test_models_lists_what_the_key_can_use_marking_default_and_prices(fake, capsys):
    assert main(["models"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "4 models the key can use (1 more that write neither text nor images: --all):"
    row = {line[2:].split()[0]: line for line in lines[2:6]}
    assert row["gemini-2.5-pro"].startswith("* gemini-2.5-pro")
    assert "$1.25 in / $10 out (over 200k: $2.5 / $15)" in row["gemini-2.5-pro"]
    assert row["gemini-2.5-flash"].startswith("  ") and "1,048,576" in row["gemini-2.5-flash"]
    assert "images $30 out" in row["gemini-2.5-flash-image"]
    assert row["gemini-9.9-ultra-preview"].endswith("cost unknown (not in the price table)")
    assert "embedding" not in out and err == ""
    assert [r.path for r in fake.requests] == ["/v1/models?pageSize=100", "/v1/models?pageSize=100&pageToken=3"]
    headers = {k.lower(): v for k, v in fake.requests[0].headers.items()}
    assert headers["x-goog-api-key"] == "fake-key-for-tests"


def test_models_json_all_and_a_default_the_key_cannot_use(fake, capsys, monkeypatch):
    monkeypatch.setenv("POSTTUI_MODEL", "gemini-1.0-pro")
    assert main(["models", "--all", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["default"] == "gemini-1.0-pro" and data["default_available"] is False
    assert [m["name"] for m in data["models"]][-2:] == ["gemini-embedding-001", "gemini-9.9-ultra-preview"]
    assert {m["name"]: m["priced"] for m in data["models"]}["gemini-9.9-ultra-preview"] is False


def test_models_errors_are_clear(fake, capsys, monkeypatch):
    fake.list_mode = "400"
    assert main(["models"]) == 2
    assert "Gemini rejected the API key in GEMINI_API_KEY (400 INVALID_ARGUMENT)" in capsys.readouterr().err
    monkeypatch.delenv("GEMINI_API_KEY")
    assert main(["models"]) == 2
    assert "no Gemini API key: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set" in capsys.readouterr().err
