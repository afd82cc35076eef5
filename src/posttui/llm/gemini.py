"""Gemini through google-genai's async streaming client, with every failure turned into a message a user can act on.

Facts this relies on (see ``docs/gemini.md`` of the shared notes, verified against the SDK): nothing is sent
before the first iteration of the stream; HTTP errors surface there as ``errors.ClientError``/``ServerError``;
``HttpRetryOptions`` retries 408/429/5xx and connection failures *only before the stream starts*; the timeout is
per read in milliseconds; cancelling the task that iterates the stream closes the connection at once (``break``
plus ``aclose()`` does not); network errors are ``httpx2`` exceptions, not ``httpx`` ones.

The API key is taken from :func:`posttui.config.api_key` at construction and handed to the SDK only; it is
never logged, stored or put in a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from ..config import Config, api_key as config_api_key
from ..errors import LLMError
from .base import DraftStream, StreamOutcome, Turn, Usage
from .errors import (
    LLMAuthError,
    LLMBlockedError,
    LLMConfigError,
    LLMEmptyError,
    LLMModelError,
    LLMNetworkError,
    LLMQuotaError,
    LLMServerError,
    LLMStreamError,
    LLMTimeoutError,
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_TIMEOUT = 300.0
"""Seconds without a byte from the server before giving up (thinking models can be silent for minutes)."""
DEFAULT_ATTEMPTS = 4
RETRY_STATUS = [408, 429, 500, 502, 503, 504]
KEY_HINT = (
    "create a key at https://aistudio.google.com/apikey and `export GEMINI_API_KEY=...`; "
    "or use `--backend offline`, which needs no key"
)
BLOCK_FINISH = {
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "MODEL_ARMOR",
}


def _enum_name(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value) or "")


def vertex_mode(environ: Mapping | None = None) -> bool:
    """Whether the user switched the SDK to Vertex AI (``GOOGLE_GENAI_USE_VERTEXAI=true``)."""
    environ = os.environ if environ is None else environ
    return str(environ.get("GOOGLE_GENAI_USE_VERTEXAI", "")).strip().lower() in ("1", "true", "yes")


def retry_delay(exc) -> float | None:
    """The server's suggested wait from a 429: a ``RetryInfo`` detail (``"17s"``) or a ``Retry-After`` header."""
    details = getattr(exc, "details", None)
    error = details.get("error", details) if isinstance(details, dict) else {}
    for item in (error.get("details") or []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            match = re.fullmatch(r"\s*([0-9.]+)s\s*", str(item.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None:
        try:
            value = headers.get("retry-after")
            if value:
                return float(value)
        except (TypeError, ValueError):
            pass
    return None


def _error_reason(exc) -> str:
    details = getattr(exc, "details", None)
    error = details.get("error", details) if isinstance(details, dict) else {}
    for item in (error.get("details") or []) if isinstance(error, dict) else []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return ""


class _KeyWarningFilter:
    """The SDK warns "Both GOOGLE_API_KEY and GEMINI_API_KEY are set. Using GOOGLE_API_KEY." even when the key is
    passed explicitly; posttui passes GEMINI_API_KEY's, so the warning would mislead."""

    def filter(self, record) -> bool:
        return "Both GOOGLE_API_KEY and GEMINI_API_KEY are set" not in record.getMessage()


def _drop_misleading_key_warning() -> None:
    import logging

    logger = logging.getLogger("google_genai._api_client")
    if not any(isinstance(f, _KeyWarningFilter) for f in logger.filters):
        logger.addFilter(_KeyWarningFilter())


_ASYNCGEN_CLOSE = "an error occurred during closing of asynchronous generator"


def quiet_stream_teardown(loop) -> None:
    """Silence one known, harmless traceback: when a stream fails mid-way, the SDK leaves its inner response
    generators suspended and asyncio finalises them concurrently, so httpcore reports "aclose(): asynchronous
    generator is already running" while the connection is being closed anyway. Everything else still reaches the
    loop's previous exception handler. Idempotent."""
    if getattr(loop, "_posttui_quiet_teardown", False):
        return
    previous = loop.get_exception_handler()

    def handler(the_loop, context):
        exc = context.get("exception")
        if (
            str(context.get("message", "")).startswith(_ASYNCGEN_CLOSE)
            and isinstance(exc, RuntimeError)
            and "already running" in str(exc)
        ):
            return
        if previous is not None:
            previous(the_loop, context)
        else:
            the_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    loop._posttui_quiet_teardown = True


def _network_errors() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(timeout exceptions, other transport exceptions) of whichever HTTP stacks the SDK may use."""
    timeouts: list[type] = []
    transport: list[type] = []
    for module_name in ("httpx2", "httpx"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.TransportError)
    try:
        import aiohttp

        timeouts.append(aiohttp.ServerTimeoutError)
        transport.append(aiohttp.ClientError)
    except ImportError:
        pass
    import asyncio

    timeouts.append(asyncio.TimeoutError)
    return tuple(timeouts), tuple(transport) + (ConnectionError,)


class GeminiBackend:
    """Streams drafts from a Gemini model. Construct once per session and keep it: the SDK client lives in it."""

    name = "gemini"

    def __init__(
        self,
        config: Config | None = None,
        *,
        model: str | None = None,
        key: str | None = None,
        timeout: float | None = None,
        attempts: int | None = None,
        retry_initial_delay: float | None = None,
        retry_max_delay: float = 20.0,
        temperature: float | None = None,
        max_output_tokens: int | None = None,
        environ: Mapping | None = None,
    ):
        from google import genai
        from google.genai import types

        from ..config import load_config

        self.config = config or load_config()
        self.model = model or self.config.model
        self.prices = dict(self.config.prices or {})
        self.vertex = vertex_mode(environ)
        self.base_url = self.config.gemini_base_url or None
        cfg = self.config
        self.timeout = float(timeout if timeout is not None else getattr(cfg, "gemini_timeout", DEFAULT_TIMEOUT))
        self.attempts = max(1, int(attempts if attempts is not None else getattr(cfg, "gemini_attempts", DEFAULT_ATTEMPTS)))
        if retry_initial_delay is None:
            retry_initial_delay = float(getattr(cfg, "gemini_retry_delay", 1.0))
        self.temperature = temperature
        self.max_output_tokens = max_output_tokens
        secret = key if key is not None else config_api_key(environ)
        if not secret and not self.vertex:
            raise LLMConfigError("no Gemini API key: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set", hint=KEY_HINT)
        http_options = types.HttpOptions(
            base_url=self.base_url,
            timeout=int(self.timeout * 1000),
            retry_options=types.HttpRetryOptions(
                attempts=self.attempts,
                initial_delay=retry_initial_delay,
                max_delay=retry_max_delay,
                jitter=min(1.0, retry_initial_delay),
                http_status_codes=RETRY_STATUS,
            ),
        )
        _drop_misleading_key_warning()
        try:
            if self.vertex:
                env = os.environ if environ is None else environ
                # Vertex AI: with a project configured, Google Cloud credentials (ADC); otherwise "express mode"
                # with the API key.
                express = secret if secret and not env.get("GOOGLE_CLOUD_PROJECT") else None
                self._client = genai.Client(vertexai=True, api_key=express, http_options=http_options)
            else:
                self._client = genai.Client(api_key=secret, vertexai=False, http_options=http_options)
        except ValueError as exc:  # the SDK's own configuration checks (e.g. Vertex without project)
            raise LLMConfigError(f"cannot set up the Gemini client: {exc}", hint=KEY_HINT) from None
        self._types = types
        self._timeouts, self._transport = _network_errors()

    @property
    def where(self) -> str:
        return self.base_url or ("Vertex AI" if self.vertex else DEFAULT_BASE_URL)

    @property
    def client(self):
        """The google-genai client (used by the image step)."""
        return self._client

    # ----- requests -------------------------------------------------------------------------------------------
    def _contents(self, turns: Sequence[Turn]):
        types = self._types
        return [types.Content(role=t.role, parts=[types.Part(text=t.text)]) for t in turns]

    def _config(self, system: str | None):
        kwargs: dict = {}
        if system:
            kwargs["system_instruction"] = system
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        if self.max_output_tokens is not None:
            kwargs["max_output_tokens"] = self.max_output_tokens
        return self._types.GenerateContentConfig(**kwargs) if kwargs else None

    def stream(self, turns: Sequence[Turn], *, system: str | None = None) -> DraftStream:
        turns = list(turns)

        async def produce(out: StreamOutcome):
            import asyncio

            quiet_stream_teardown(asyncio.get_running_loop())
            received = 0
            finish = ""
            try:
                stream = await self._client.aio.models.generate_content_stream(
                    model=self.model, contents=self._contents(turns), config=self._config(system)
                )
                async for chunk in stream:
                    feedback = getattr(chunk, "prompt_feedback", None)
                    if feedback is not None and feedback.block_reason:
                        reason = _enum_name(feedback.block_reason)
                        raise LLMBlockedError(
                            f"Gemini blocked the prompt ({reason}) and wrote nothing",
                            hint="the paper text tripped the model's safety filter; try the lean prompt "
                            "(--lean) or the offline writer",
                        )
                    if chunk.usage_metadata is not None:
                        out.usage = _usage(chunk.usage_metadata)
                    candidate = chunk.candidates[0] if chunk.candidates else None
                    if candidate is None:
                        continue
                    text = _candidate_text(candidate)
                    if text:
                        received += len(text)
                        yield text
                    if candidate.finish_reason is not None:
                        finish = _enum_name(candidate.finish_reason)
                        if finish in BLOCK_FINISH:
                            kept = f"; the {received:,} characters received are kept" if received else ""
                            raise LLMBlockedError(
                                f"Gemini stopped the answer: blocked by its safety filter ({finish}){kept}",
                                hint="regenerate, or repair the draft; rephrasing the request usually helps",
                            )
            except LLMError:
                raise
            except Exception as exc:  # noqa: BLE001 - every SDK/transport failure becomes a posttui message
                raise self._translate(exc, received) from None
            out.finish_reason = finish or "STOP"
            if not finish:
                if received:
                    raise LLMStreamError(
                        f"the Gemini stream ended before the model finished; the {received:,} characters "
                        "received are kept",
                        hint="regenerate the last section or ask for a repair to finish the draft",
                    )
                raise LLMEmptyError(f"Gemini ({self.model}) closed the stream without an answer", hint="try again")
            if not received:
                if finish == "MAX_TOKENS":
                    raise LLMEmptyError(
                        f"Gemini ({self.model}) used its whole output budget (MAX_TOKENS) without writing any text "
                        f"({out.usage.thoughts_tokens:,} thinking tokens)",
                        hint="raise the output limit or try again; a shorter (--lean) prompt leaves more room",
                    )
                raise LLMEmptyError(
                    f"Gemini ({self.model}) returned an empty answer (finish reason {finish})",
                    hint="try again; if it keeps happening, try another model (--model) or the offline writer",
                )
            if finish not in ("STOP", "MAX_TOKENS"):
                out.notice = f"the model finished with reason {finish}; check the end of the draft"

        return DraftStream(produce, backend=self.name, model_name=self.model, prices=self.prices)

    async def count_tokens(self, turns: Sequence[Turn], *, system: str | None = None) -> int | None:
        """Input tokens of the conversation as the API counts them (the system text is counted as a turn)."""
        turns = list(turns)
        if system:
            turns = [Turn("user", system), *turns]
        try:
            response = await self._client.aio.models.count_tokens(model=self.model, contents=self._contents(turns))
        except Exception as exc:  # noqa: BLE001
            raise self._translate(exc, 0) from None
        return response.total_tokens

    async def generate_content(self, turns: Sequence[Turn], *, model: str | None = None, config=None):
        """One non-streaming call (the image step); errors translated like the stream's."""
        try:
            return await self._client.aio.models.generate_content(
                model=model or self.model, contents=self._contents(list(turns)), config=config
            )
        except Exception as exc:  # noqa: BLE001
            raise self._translate(exc, 0, model=model) from None

    async def aclose(self) -> None:
        try:
            await self._client.aio.aclose()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass

    # ----- error mapping --------------------------------------------------------------------------------------
    def _translate(self, exc: BaseException, received: int, *, model: str | None = None) -> LLMError:
        """Turn an SDK or transport exception into the posttui error a user can act on."""
        from google.genai import errors as genai_errors

        model = model or self.model
        kept = f"; the {received:,} characters received so far are kept" if received else ""
        retried = self.attempts > 1 and not received and _retryable(exc)
        tries = f" (tried {self.attempts} times)" if retried else ""
        if isinstance(exc, genai_errors.APIError):
            code = int(exc.code or 0)
            status = exc.status or ""
            message = (exc.message or "").strip()
            label = f"{code} {status}".strip()
            if received:
                return LLMStreamError(
                    f"the Gemini stream broke mid-way ({label}: {message}){kept}",
                    hint="regenerate the last section or ask for a repair to finish the draft",
                )
            reason = _error_reason(exc)
            if code in (401, 403) or (code == 400 and ("API_KEY" in reason or "API key" in message)):
                return LLMAuthError(
                    f"Gemini rejected the API key ({label}): {message}",
                    hint="check GEMINI_API_KEY (or GOOGLE_API_KEY): " + KEY_HINT,
                )
            if code == 404:
                return LLMModelError(
                    f"Gemini does not know the model {model!r} ({label}): {message}",
                    hint="set `model = \"gemini-2.5-pro\"` in config.toml, POSTTUI_MODEL, or pass --model",
                )
            if code == 429:
                delay = retry_delay(exc)
                wait = f"; Google asks to retry in {delay:g} s" if delay is not None else ""
                return LLMQuotaError(
                    f"Gemini quota or rate limit exhausted ({label}){wait}{tries}: {message}",
                    hint="wait and try again, check your plan at https://aistudio.google.com, or use --backend offline",
                    retry_after=delay,
                )
            if code >= 500:
                return LLMServerError(
                    f"Gemini failed on its side ({label}){tries}: {message}",
                    hint="this is usually temporary: try again in a minute",
                )
            return LLMModelError(
                f"Gemini refused the request ({label}): {message}",
                hint="check the model name and the prompt size; `posttui prompt --lean` makes a shorter prompt",
            )
        if isinstance(exc, self._timeouts):
            return LLMTimeoutError(
                f"no answer from Gemini at {self.where} for {self.timeout:g} s{tries}{kept}",
                hint="the service may be overloaded or the network stalled: try again",
            )
        if isinstance(exc, self._transport):
            detail = str(exc).strip() or type(exc).__name__
            if received:
                return LLMStreamError(
                    f"the connection to Gemini broke mid-stream ({detail}){kept}",
                    hint="regenerate the last section or ask for a repair to finish the draft",
                )
            return LLMNetworkError(
                f"cannot reach Gemini at {self.where}{tries}: {detail}",
                hint="check the network connection (and HTTPS_PROXY if you use one); "
                "`--backend offline` works without a network",
            )
        if isinstance(exc, ValueError):
            return LLMConfigError(f"Gemini client error: {exc}", hint=KEY_HINT)
        return LLMStreamError(f"unexpected error from the Gemini client: {type(exc).__name__}: {exc}{kept}")


def _retryable(exc: BaseException) -> bool:
    """Whether the SDK's retry policy (``RETRY_STATUS`` codes, connect errors, timeouts) applied to ``exc``."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code in RETRY_STATUS
    return any(type(exc).__name__ == name for name in ("ConnectError", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "TimeoutException"))


def _usage(meta) -> Usage:
    prompt = int(meta.prompt_token_count or 0)
    output = int(meta.candidates_token_count or 0)
    thoughts = int(getattr(meta, "thoughts_token_count", 0) or 0)
    total = int(meta.total_token_count or 0) or prompt + output + thoughts
    return Usage(prompt, output, thoughts, total)


def _candidate_text(candidate) -> str:
    """The visible text of a candidate (thought summaries are skipped; ``chunk.text`` may be None)."""
    content = candidate.content
    if content is None or not content.parts:
        return ""
    return "".join(p.text for p in content.parts if p.text and not getattr(p, "thought", False))
