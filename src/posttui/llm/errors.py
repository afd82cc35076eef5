"""Finer kinds of :class:`~posttui.errors.LLMError`, so callers (CLI, app) can react to each failure differently.

All of them keep ``partial`` (text received before the failure) and, for quota errors, ``retry_after`` seconds.
"""

from __future__ import annotations

from ..errors import LLMError


class LLMConfigError(LLMError):
    """The backend cannot be used as configured (no API key, unknown backend, Imagen without Vertex)."""


class LLMAuthError(LLMError):
    """The API key was rejected (HTTP 400 API_KEY_INVALID, 401, 403)."""


class LLMModelError(LLMError):
    """The model name is unknown to the API (HTTP 404) or the request was refused as invalid (other 400s)."""


class LLMQuotaError(LLMError):
    """Rate limit or quota exhausted (HTTP 429); ``retry_after`` holds the server's suggested delay if given."""


class LLMServerError(LLMError):
    """The API failed on its side (HTTP 5xx) before the stream started, after the configured retries."""


class LLMNetworkError(LLMError):
    """The API could not be reached (DNS, refused connection, dropped connection)."""


class LLMTimeoutError(LLMError):
    """The API stopped answering for longer than the configured timeout."""


class LLMStreamError(LLMError):
    """The stream broke after it had started; ``partial`` holds everything received so far."""


class LLMBlockedError(LLMError):
    """The prompt or the answer was blocked by the model's safety filters (``partial`` keeps any text)."""


class LLMEmptyError(LLMError):
    """The model finished without writing anything."""

