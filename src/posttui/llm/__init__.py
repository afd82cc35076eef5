"""Text backends: Gemini (google-genai, streaming) and the offline writer, behind one small protocol.

``make_backend(config)`` picks Gemini when it has credentials (``GEMINI_API_KEY``/``GOOGLE_API_KEY``, or Google
Cloud credentials in Vertex AI mode) and the offline writer otherwise, so a user with a real key only has to export
it. See :mod:`posttui.llm.base` for the protocol and for what a call cost (:class:`Charge`, totals in
:class:`Spend`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import (
    Backend,
    Charge,
    DraftStream,
    GenerationResult,
    Spend,
    Turn,
    Usage,
    describe_cost,
    estimate_cost,
    generate,
    model,
    user,
)

if TYPE_CHECKING:
    from ..config import Config
    from ..paper import Paper

BACKENDS = ("gemini", "offline")

__all__ = [
    "BACKENDS",
    "Backend",
    "Charge",
    "Spend",
    "describe_cost",
    "DraftStream",
    "GenerationResult",
    "Turn",
    "Usage",
    "default_backend_name",
    "estimate_cost",
    "generate",
    "make_backend",
    "model",
    "user",
]


def default_backend_name(environ=None) -> str:
    """``gemini`` when it has credentials (an API key; in Vertex mode, Google Cloud credentials or an express-mode
    key), else ``offline``: a user who only set GOOGLE_GENAI_USE_VERTEXAI gets a working app, not a crash."""
    from ..config import api_key
    from .gemini import vertex_credentials, vertex_mode

    if vertex_mode(environ):
        return "gemini" if vertex_credentials(environ) else "offline"
    return "gemini" if api_key(environ) else "offline"


def make_backend(
    config: "Config | None" = None,
    *,
    name: str | None = None,
    model: str | None = None,
    paper: "Paper | None" = None,
) -> Backend:
    """Build the named backend (or the default one). The offline writer needs the paper it writes about."""
    from ..config import load_config
    from .errors import LLMConfigError

    config = config or load_config()
    name = (name or default_backend_name()).lower()
    if name == "gemini":
        from .gemini import GeminiBackend

        return GeminiBackend(config, model=model)
    if name == "offline":
        from .offline import OfflineBackend

        return OfflineBackend(paper, config=config)
    raise LLMConfigError(f"unknown backend {name!r}", hint=f"choose one of: {', '.join(BACKENDS)}")
