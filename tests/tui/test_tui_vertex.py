"""Vertex AI mode without Google Cloud credentials: the app opens (offline by default) and never crashes."""

from __future__ import annotations

import pytest
from conftest import wait_for

from posttui.config import Config
from posttui.tui.app import PosttuiApp

SIZE = (120, 40)


@pytest.fixture
def vertex_without_credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # google-auth must not probe the metadata server
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"):
        monkeypatch.delenv(name, raising=False)


async def test_the_default_backend_is_offline(example_paper, store, vertex_without_credentials):
    app = PosttuiApp(paper=example_paper, store=store, config=Config(), offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.backend is not None, what="the backend")
        assert app.backend.name == "offline"


async def test_asking_for_gemini_explains_what_to_set_up(example_paper, store, vertex_without_credentials):
    app = PosttuiApp(paper=example_paper, store=store, config=Config(), backend_name="gemini", offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("No text backend" == n.title for n in app._notifications),
                       what="the notification")
        message = next(n.message for n in app._notifications if n.title == "No text backend")
        assert "no Google Cloud credentials for Vertex AI" in message
        assert "gcloud auth application-default login" in message
        assert app.is_running
