"""Gemini through google-genai's async streaming client, with every failure turned into a message a user can act on.

Facts this relies on (``docs/gemini.md`` of the shared notes, and google-genai 3.6.1's ``_api_client.py``): nothing is
sent before the first iteration of the stream; HTTP errors surface there as ``errors.ClientError``/``ServerError``;
an error sent as an SSE event after a 200 is raised the same way; cancelling the task that iterates the stream
closes the connection at once (``break`` plus ``aclose()`` does not).

What posttui decides rather than the SDK:

* **Transport.** When aiohttp can be imported the SDK switches to it, and its timeout becomes a limit on the whole
  stream. posttui hands the SDK its own httpx transport (:class:`PinnedTransport`), which keeps the httpx path: the
  timeout limits each read, proxy environment variables are honoured, and each event loop has its own pool.
* **Deadlines.** The per-read client timeout (``gemini_timeout``) is separate from the deadline Google gets for the
  whole request (``X-Server-Timeout``, ``gemini_server_timeout``), which is generous.
* **Retries** (:meth:`GeminiBackend._retry_wait`): 5xx, connection failures and per-minute 429s are retried,
  honouring the server's ``RetryInfo``; daily or zero quotas and stalls are not; all waits of one call together stay
  under ``gemini_max_wait``; messages say how many requests were really sent.
* **Models and costs.** The answering model (``modelVersion``) is read from every response, a reroute is reported,
  and the call is priced by the model that answered.

The API key is taken from :func:`posttui.config.api_key` at construction and handed to the SDK only; it is
never logged, stored or put in a message.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import ssl
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..config import Config, api_key as config_api_key, api_key_source
from ..errors import LLMError
from .base import DraftStream, StreamOutcome, Turn, Usage, bare_model_name, same_model
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
DEFAULT_SERVER_TIMEOUT = 1200.0
DEFAULT_ATTEMPTS = 4
DEFAULT_MAX_WAIT = 120.0
RETRY_STATUS = (408, 500, 502, 503, 504)
"""HTTP codes retried with backoff; 429 is retried only for per-minute quotas (see :func:`quota_of`)."""
KEY_HINT = (
    "create a key at https://aistudio.google.com/apikey and `export GEMINI_API_KEY=...`; "
    "or use `--backend offline`, which needs no key"
)
GCLOUD_HINT = (
    "Vertex AI (GOOGLE_GENAI_USE_VERTEXAI is set) needs Google Cloud credentials: run "
    "`gcloud auth application-default login` and set GOOGLE_CLOUD_PROJECT (and GOOGLE_CLOUD_LOCATION), or unset "
    "GOOGLE_GENAI_USE_VERTEXAI and `export GEMINI_API_KEY=...`; `--backend offline` needs neither"
)
LOCATION_HINT = (
    "the Gemini API is not offered where this computer is (https://ai.google.dev/gemini-api/docs/available-regions); "
    "use Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true with a Google Cloud project), or `--backend offline`"
)
NETWORK_HINT = (
    "check the network connection (and HTTPS_PROXY/NO_PROXY if you use a proxy); `--backend offline` works without "
    "a network"
)
SAFETY_FINISH = {
    "SAFETY",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "MODEL_ARMOR",
}
RECITATION_FINISH = {"RECITATION", "IMAGE_RECITATION"}
BLOCK_FINISH = SAFETY_FINISH | RECITATION_FINISH


def _enum_name(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value) or "")


def vertex_mode(environ: Mapping | None = None) -> bool:
    """Whether the user switched the SDK to Vertex AI (``GOOGLE_GENAI_USE_VERTEXAI=true``)."""
    environ = os.environ if environ is None else environ
    return str(environ.get("GOOGLE_GENAI_USE_VERTEXAI", "")).strip().lower() in ("1", "true", "yes")


def vertex_credentials(environ: Mapping | None = None) -> bool:
    """Whether Vertex AI has something to authenticate with, checked without a network call: an API key
    (express mode), ``GOOGLE_APPLICATION_CREDENTIALS`` naming a file, or gcloud's application-default
    credentials file."""
    environ = os.environ if environ is None else environ
    if config_api_key(environ):
        return True
    named = environ.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip()
    if named:
        return os.path.isfile(named)
    config_dir = environ.get("CLOUDSDK_CONFIG") or os.path.join(
        environ.get("APPDATA", "") if os.name == "nt" else os.path.expanduser("~/.config"), "gcloud"
    )
    return os.path.isfile(os.path.join(config_dir, "application_default_credentials.json"))


def _error_body(exc) -> dict:
    details = getattr(exc, "details", None)
    error = details.get("error", details) if isinstance(details, dict) else {}
    return error if isinstance(error, dict) else {}


def _error_details(exc) -> list[dict]:
    return [d for d in (_error_body(exc).get("details") or []) if isinstance(d, dict)]


def retry_delay(exc) -> float | None:
    """The server's suggested wait: a ``RetryInfo`` detail (``"17s"``) or a ``Retry-After`` header."""
    for item in _error_details(exc):
        if str(item.get("@type", "")).endswith("RetryInfo"):
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
        except (TypeError, ValueError, AttributeError):
            pass
    return None


def _error_reason(exc) -> str:
    for item in _error_details(exc):
        if item.get("reason"):
            return str(item["reason"])
    return ""


@dataclass(frozen=True)
class Quota:
    """The quota a 429 names: its id (``GenerateRequestsPerDayPerProjectPerModel-FreeTier``) and limit."""

    quota_id: str = ""
    metric: str = ""
    limit: int | None = None
    model: str = ""

    @property
    def daily(self) -> bool:
        return "perday" in self.quota_id.lower()

    @property
    def hopeless(self) -> bool:
        """Waiting cannot help: a daily quota, or a limit of 0 (the key's plan has no access to the model)."""
        return self.daily or self.limit == 0

    def describe(self) -> str:
        name = self.quota_id or self.metric.rsplit("/", 1)[-1] or "a quota"
        limit = f", limit {self.limit}" if self.limit is not None else ""
        model = f" for {self.model}" if self.model else ""
        return f"{name}{limit}{model}"


def quota_of(exc) -> Quota:
    """What a 429 says about the exhausted quota (QuotaFailure detail, else the "limit: N" in the message)."""
    quota_id = metric = model = ""
    limit: int | None = None
    for item in _error_details(exc):
        if str(item.get("@type", "")).endswith("QuotaFailure"):
            for violation in item.get("violations") or []:
                if not isinstance(violation, dict):
                    continue
                quota_id = str(violation.get("quotaId") or quota_id)
                metric = str(violation.get("quotaMetric") or metric)
                dims = violation.get("quotaDimensions") or {}
                model = str(dims.get("model") or model) if isinstance(dims, dict) else model
                if str(violation.get("quotaValue", "")).isdigit():
                    limit = int(violation["quotaValue"])
    if limit is None:
        match = re.search(r"\blimit: (\d+)", str(getattr(exc, "message", "") or ""))
        if match:
            limit = int(match.group(1))
    return Quota(quota_id, metric, limit, model)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<") and ("<html" in head or "<!doctype" in head or "<head" in head or "<body" in head)


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


def _httpx_module():
    """The httpx flavour the SDK uses: ``httpx2`` (google-genai >= 3.5), else ``httpx``."""
    try:
        import httpx2

        return httpx2
    except ImportError:  # pragma: no cover - older google-genai
        import httpx

        return httpx


def _ssl_context(module):
    """Verification as the SDK sets it up: SSL_CERT_FILE/SSL_CERT_DIR when given, else the system store."""
    if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"), capath=os.environ.get("SSL_CERT_DIR"))
    make = getattr(module, "create_ssl_context", None)
    return make() if make else True


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, honouring NO_PROXY)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if not proxies or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


def pinned_transport():
    """An httpx transport for the SDK (see :class:`PinnedTransport`), built from whichever httpx it uses."""
    module = _httpx_module()

    class PinnedTransport(module.AsyncBaseTransport):
        """Keeps google-genai on httpx, whose timeout limits each read, even when aiohttp is installed (the SDK
        chooses aiohttp unless a transport is given, and aiohttp's timeout limits the whole stream).

        Because a client given a transport no longer reads proxy variables, this transport does: each request
        goes through the proxy the environment names for its URL. Like the SDK's own client, it keeps one
        connection pool per event loop (pooled connections belong to the loop that opened them)."""

        def __init__(self) -> None:
            self._verify = _ssl_context(module)
            self._pools: dict[tuple[asyncio.AbstractEventLoop, str | None], object] = {}

        def _pool(self, url: str):
            loop = asyncio.get_running_loop()
            proxy = proxy_for(url)
            for key in [k for k in self._pools if k[0].is_closed()]:
                del self._pools[key]  # a closed loop's sockets are gone; let the pool be collected
            pool = self._pools.get((loop, proxy))
            if pool is None:
                pool = module.AsyncHTTPTransport(verify=self._verify, proxy=proxy, trust_env=False)
                self._pools[(loop, proxy)] = pool
            return pool

        async def handle_async_request(self, request):
            return await self._pool(str(request.url)).handle_async_request(request)

        async def aclose(self) -> None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            pools, self._pools = self._pools, {}
            for (owner, _), pool in pools.items():
                if owner is loop:
                    await pool.aclose()

    return PinnedTransport()


def _network_errors() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """(stalls, connection failures, other transport errors) of every HTTP stack the SDK may use (httpx2, httpx,
    aiohttp), so that a failure is told right whichever client raised it."""
    stalls: list[type] = []
    connects: list[type] = []
    transport: list[type] = []
    for module_name in ("httpx2", "httpx"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        connects += [module.ConnectError, module.ConnectTimeout, module.RemoteProtocolError]
        stalls.append(module.TimeoutException)
        transport.append(module.TransportError)
    try:
        import aiohttp

        connects += [aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError]
        stalls.append(aiohttp.ServerTimeoutError)
        transport.append(aiohttp.ClientError)
    except ImportError:
        pass
    stalls.append(asyncio.TimeoutError)
    return tuple(stalls), tuple(connects) + (ConnectionError,), tuple(transport)


def _credential_errors() -> tuple[type, ...]:
    try:
        from google.auth import exceptions
    except ImportError:  # pragma: no cover - google-auth is a dependency of google-genai
        return ()
    return (exceptions.DefaultCredentialsError, exceptions.RefreshError)


@dataclass
class ModelInfo:
    """One model the key can use, as the API lists it."""

    name: str
    display_name: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    actions: tuple[str, ...] = ()

    @property
    def generates(self) -> bool:
        return not self.actions or "generateContent" in self.actions


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
        max_wait: float | None = None,
        server_timeout: float | None = None,
        temperature: float | None = None,
        max_output_tokens: int | None = None,
        environ: Mapping | None = None,
    ):
        from google import genai
        from google.genai import types

        from ..config import load_config

        self.config = cfg = config or load_config()
        self.model = model or cfg.model
        self.prices = dict(cfg.prices or {})
        self.vertex = vertex_mode(environ)
        self.base_url = cfg.gemini_base_url or None
        self.timeout = float(timeout if timeout is not None else cfg.gemini_timeout)
        self.server_timeout = float(server_timeout if server_timeout is not None else cfg.gemini_server_timeout)
        self.attempts = max(1, int(attempts if attempts is not None else cfg.gemini_attempts))
        self.retry_initial_delay = float(
            retry_initial_delay if retry_initial_delay is not None else cfg.gemini_retry_delay
        )
        self.retry_max_delay = float(retry_max_delay)
        self.max_wait = float(max_wait if max_wait is not None else cfg.gemini_max_wait)
        self.temperature = temperature
        if max_output_tokens is None and cfg.max_output_tokens > 0:
            max_output_tokens = cfg.max_output_tokens
        self.max_output_tokens = max_output_tokens
        secret = key if key is not None else config_api_key(environ)
        self.key_source = "" if key is not None else (api_key_source(environ) or "")
        """The variable the key came from, named when Google rejects it ("" for a key passed in)."""
        if not secret and not self.vertex:
            raise LLMConfigError("no Gemini API key: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set", hint=KEY_HINT)
        http_options = types.HttpOptions(
            base_url=self.base_url,
            timeout=int(self.timeout * 1000),
            # The SDK would send the per-read timeout as the whole request's deadline; Google gets its own.
            headers={"X-Server-Timeout": str(int(self.server_timeout))},
            retry_options=types.HttpRetryOptions(attempts=1),  # posttui owns the retry policy
            async_client_args={"transport": pinned_transport()},
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
        except _credential_errors() as exc:
            raise LLMConfigError(f"no Google Cloud credentials for Vertex AI: {_first_line(exc)}", hint=GCLOUD_HINT) from None
        except ValueError as exc:  # the SDK's own configuration checks (e.g. Vertex without project)
            raise LLMConfigError(
                f"cannot set up the Gemini client: {exc}", hint=GCLOUD_HINT if self.vertex else KEY_HINT
            ) from None
        self._types = types
        self._stalls, self._connects, self._transport = _network_errors()

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

    def _retry_wait(self, exc: BaseException, requests: int, waited: float) -> float | None:
        """Seconds to wait before sending the request again, or None to fail now.

        Retried: 5xx (and 408), connection failures, and per-minute 429s, after the delay the server asks for
        (``RetryInfo``) or an exponential backoff. Not retried: daily or zero quotas (waiting cannot help), other
        4xx, and stalls (the whole prompt would be re-sent after another full timeout). All waits of one call
        together stay within ``max_wait``."""
        from google.genai import errors as genai_errors

        if requests >= self.attempts:
            return None
        backoff = min(self.retry_initial_delay * 2 ** (requests - 1), self.retry_max_delay)
        backoff *= 1 + random.uniform(0, 0.25)
        if isinstance(exc, genai_errors.APIError):
            code = int(exc.code or 0)
            if _looks_like_html(str(exc.message or "")):
                return None  # a proxy's page: asking again gets the same page
            if code == 429:
                if quota_of(exc).hopeless:
                    return None
                asked = retry_delay(exc)
                delay = asked if asked is not None else backoff
            elif code in RETRY_STATUS:
                delay = backoff
            else:
                return None
        elif isinstance(exc, self._connects) and not isinstance(exc, _credential_errors()):
            delay = backoff
        else:
            return None
        return delay if waited + delay <= self.max_wait else None

    async def call_with_retries(self, call, counter: StreamOutcome | None = None, *, model: str | None = None):
        """Run ``call()`` (one request) under the retry policy; failures translated."""
        counter = counter or StreamOutcome()
        waited = 0.0
        while True:
            counter.requests += 1
            try:
                return await call()
            except LLMError:
                raise
            except Exception as exc:  # noqa: BLE001 - every SDK/transport failure becomes a posttui message
                delay = self._retry_wait(exc, counter.requests, waited)
                if delay is None:
                    raise await self._failure(exc, 0, counter.requests, waited, model=model) from None
                await asyncio.sleep(delay)
                waited += delay

    def stream(self, turns: Sequence[Turn], *, system: str | None = None) -> DraftStream:
        turns = list(turns)

        async def produce(out: StreamOutcome):
            quiet_stream_teardown(asyncio.get_running_loop())
            received = 0
            finish = ""
            waited = 0.0
            while True:  # one pass per request; a request is sent again only while no text has arrived
                out.requests += 1
                try:
                    stream = await self._client.aio.models.generate_content_stream(
                        model=self.model, contents=self._contents(turns), config=self._config(system)
                    )
                    async for chunk in stream:
                        if chunk.model_version:
                            out.model_version = bare_model_name(chunk.model_version)
                        if chunk.usage_metadata is not None:
                            out.usage = usage_of(chunk.usage_metadata)
                        feedback = getattr(chunk, "prompt_feedback", None)
                        if feedback is not None and feedback.block_reason:
                            reason = _enum_name(feedback.block_reason)
                            raise LLMBlockedError(
                                f"Gemini blocked the prompt ({reason}) and wrote nothing",
                                hint="the paper text tripped the model's safety filter; try the lean prompt "
                                "(--lean) or the offline writer",
                            )
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
                                raise _blocked(finish, received, getattr(candidate, "finish_message", None))
                    break
                except LLMError:
                    raise
                except Exception as exc:  # noqa: BLE001 - every SDK/transport failure becomes a posttui message
                    delay = None if received else self._retry_wait(exc, out.requests, waited)
                    if delay is None:
                        raise await self._failure(exc, received, out.requests, waited) from None
                    await asyncio.sleep(delay)
                    waited += delay
            out.finish_reason = finish or "STOP"
            if out.model_version and not same_model(out.model_version, self.model):
                out.notice = (
                    f"{out.model_version} answered, not {self.model} as asked (Google rerouted the request); "
                    f"the cost is priced as {out.model_version}"
                )
            if not received:
                if finish == "MAX_TOKENS":
                    raise LLMEmptyError(
                        f"Gemini ({self.model}) used its whole output budget (MAX_TOKENS) without writing any text "
                        f"({out.usage.thoughts_tokens:,} thinking tokens)",
                        hint="raise max_output_tokens in config.toml (or POSTTUI_MAX_OUTPUT_TOKENS; 0 means the "
                        "model's own limit) or try again; a shorter (--lean) prompt leaves more room",
                    )
                raise LLMEmptyError(
                    f"Gemini ({self.model}) returned an empty answer (finish reason {finish or 'none'})",
                    hint="try again; if it keeps happening, try another model (--model) or the offline writer",
                )
            if finish not in ("STOP", "MAX_TOKENS"):
                extra = f"the model finished with reason {finish}; check the end of the draft"
                out.notice = f"{out.notice}; {extra}" if out.notice else extra

        return DraftStream(produce, backend=self.name, model_name=self.model, prices=self.prices)

    async def count_tokens(self, turns: Sequence[Turn], *, system: str | None = None) -> int | None:
        """Input tokens of the conversation as the API counts them (the system text is counted as a turn)."""
        turns = list(turns)
        if system:
            turns = [Turn("user", system), *turns]
        response = await self.call_with_retries(
            lambda: self._client.aio.models.count_tokens(model=self.model, contents=self._contents(turns))
        )
        return response.total_tokens

    async def generate_content(self, turns: Sequence[Turn], *, model: str | None = None, config=None,
                               counter: StreamOutcome | None = None):
        """One non-streaming call (the image step) under the retry policy; ``counter.requests`` counts requests."""
        return await self.call_with_retries(
            lambda: self._client.aio.models.generate_content(
                model=model or self.model, contents=self._contents(list(turns)), config=config
            ),
            counter,
            model=model,
        )

    async def list_models(self) -> list[ModelInfo]:
        """The models the key can use (the SDK's model listing, every page), in the API's order."""

        async def listing():
            pager = await self._client.aio.models.list(config={"page_size": 100, "query_base": True})
            found = []
            async for item in pager:
                found.append(
                    ModelInfo(
                        name=bare_model_name(item.name or ""),
                        display_name=item.display_name or "",
                        input_tokens=item.input_token_limit,
                        output_tokens=item.output_token_limit,
                        actions=tuple(item.supported_actions or ()),
                    )
                )
            return found

        return await self.call_with_retries(listing)

    async def aclose(self) -> None:
        try:
            await self._client.aio.aclose()
        except Exception:  # noqa: BLE001 - closing is best effort
            pass

    # ----- error mapping --------------------------------------------------------------------------------------
    async def _failure(self, exc: BaseException, received: int, requests: int, waited: float, *,
                       model: str | None = None) -> LLMError:
        """:meth:`_translate`, after asking the API which models the key can use when the model was unknown."""
        from google.genai import errors as genai_errors

        available: list[str] | None = None
        if isinstance(exc, genai_errors.APIError) and exc.code == 404 and not received:
            try:
                listed = await asyncio.wait_for(self.list_models(), timeout=min(self.timeout, 15.0))
                available = [m.name for m in listed if m.generates]
            except (LLMError, asyncio.TimeoutError):
                available = None
        return self._translate(exc, received, model=model, requests=requests, waited=waited, available=available)

    def _translate(self, exc: BaseException, received: int, *, model: str | None = None, requests: int = 1,
                   waited: float = 0.0, available: list[str] | None = None) -> LLMError:
        """Turn an SDK or transport exception into the posttui error a user can act on."""
        from google.genai import errors as genai_errors

        model = model or self.model
        kept = f"; the {received:,} characters received so far are kept" if received else ""
        sent = f" ({requests} requests sent{f', {waited:.0f} s waited' if waited >= 1 else ''})" if requests > 1 else ""
        if isinstance(exc, genai_errors.APIError):
            code = int(exc.code or 0)
            status = exc.status or ""
            message = re.sub(r"\s+", " ", (exc.message or "").strip())
            label = f"{code} {status}".strip()
            if _looks_like_html(exc.message or ""):
                return _html_error(self.where, f"HTTP {code}", received)
            if received:
                return LLMStreamError(
                    f"the Gemini stream broke mid-way ({label}: {message}){kept}",
                    hint="regenerate the last section or ask for a repair to finish the draft",
                )
            reason = _error_reason(exc)
            if "location is not supported" in message.lower():
                return LLMConfigError(f"Gemini refused to serve this location ({label}): {message}", hint=LOCATION_HINT)
            if code in (401, 403) or (code == 400 and ("API_KEY" in reason or "API key" in message)):
                source = self.key_source or "GEMINI_API_KEY (or GOOGLE_API_KEY)"
                hint = f"check {source}: " + KEY_HINT
                if "leaked" in message.lower():
                    hint = (f"the key in {source} was published somewhere and Google blocked it: delete it and "
                            "create a new one at https://aistudio.google.com/apikey (never commit a key)")
                named = f" in {self.key_source}" if self.key_source else ""
                return LLMAuthError(f"Gemini rejected the API key{named} ({label}): {message}", hint=hint)
            if code == 404:
                return LLMModelError(
                    f"Gemini does not know the model {model!r} ({label}): {message}", hint=_models_hint(available)
                )
            if code == 429:
                return self._quota_error(exc, label, message, requests, waited)
            if code >= 500:
                return LLMServerError(
                    f"Gemini failed on its side ({label}){sent}: {message}",
                    hint="this is usually temporary: try again in a minute",
                )
            if code == 400 and re.search(r"token count .*exceeds|too many tokens|exceeds the maximum", message, re.I):
                return LLMModelError(
                    f"the prompt is too long for {model} ({label}): {message}",
                    hint="`posttui prompt --lean` (or --lean) makes a shorter prompt; `posttui models` lists models "
                    "with their input limits",
                )
            return LLMModelError(
                f"Gemini refused the request ({label}): {message}",
                hint="check the model name and the prompt size; `posttui prompt --lean` makes a shorter prompt",
            )
        if isinstance(exc, _credential_errors()):
            return LLMConfigError(f"no Google Cloud credentials for Vertex AI: {_first_line(exc)}", hint=GCLOUD_HINT)
        if isinstance(exc, genai_errors.UnknownApiResponseError) or (
            isinstance(exc, ValueError) and _looks_like_html(str(exc).split("Raw response:", 1)[-1])
        ):
            return _html_error(self.where, "not JSON", received)
        connection = isinstance(exc, self._connects)  # before stalls: a connect timeout is a connection failure
        if not connection and isinstance(exc, self._stalls):
            return LLMTimeoutError(
                f"no answer from Gemini at {self.where} for {self.timeout:g} s{sent}{kept}",
                hint="the service may be overloaded or the network stalled: try again (gemini_timeout in "
                "config.toml sets how long posttui waits for each piece of the answer)",
            )
        if connection or isinstance(exc, self._transport):
            detail = str(exc).strip() or type(exc).__name__
            if received:
                return LLMStreamError(
                    f"the connection to Gemini broke mid-stream ({detail}){kept}",
                    hint="regenerate the last section or ask for a repair to finish the draft",
                )
            return LLMNetworkError(f"cannot reach Gemini at {self.where}{sent}: {detail}", hint=NETWORK_HINT)
        if isinstance(exc, ValueError):
            return LLMConfigError(f"Gemini client error: {exc}", hint=KEY_HINT)
        return LLMStreamError(f"unexpected error from the Gemini client: {type(exc).__name__}: {exc}{kept}")

    def _quota_error(self, exc, label: str, message: str, requests: int, waited: float) -> LLMQuotaError:
        quota = quota_of(exc)
        delay = retry_delay(exc)
        sent = f"{requests} request{'s' if requests != 1 else ''} sent"
        if quota.hopeless:
            kind = "daily quota" if quota.daily else "quota"
            why = ("the key's plan gives no access to this model" if quota.limit == 0
                   else "it resets at midnight Pacific time")
            return LLMQuotaError(
                f"Gemini {kind} exhausted ({label}): {quota.describe()}; {why}; not retried ({sent})",
                hint="enable billing for the key's project at https://aistudio.google.com (the free tier has "
                "no or few requests for some models), choose another model (`posttui models` lists them) with "
                "--model, or use --backend offline",
                retry_after=delay,
            )
        wait = f"; Google asks to retry in {delay:g} s" if delay is not None else ""
        if delay is not None and requests < self.attempts and waited + delay > self.max_wait:
            wait += f", longer than the {self.max_wait:g} s posttui waits (gemini_max_wait)"
        return LLMQuotaError(
            f"Gemini rate limit exhausted ({label}): {quota.describe() if quota.quota_id else message}{wait} ({sent}"
            f"{f', {waited:.0f} s waited' if waited >= 1 else ''})",
            hint="wait a minute and try again, check your plan at https://aistudio.google.com, or use "
            "--backend offline",
            retry_after=delay,
        )


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _html_error(where: str, what: str, received: int) -> LLMError:
    kept = f"; the {received:,} characters received so far are kept" if received else ""
    return LLMNetworkError(
        f"got a web page instead of an answer from the Gemini API at {where} ({what}): a proxy, firewall or "
        f"network login page answered{kept}",
        hint="this is a network or proxy problem, not the API key: sign in to the network, or set "
        "HTTPS_PROXY/NO_PROXY correctly; `--backend offline` works without a network",
    )


def _models_hint(available: list[str] | None) -> str:
    if available:
        shown = ", ".join(available[:12]) + (f" and {len(available) - 12} more" if len(available) > 12 else "")
        return (f"the key can use: {shown}; set `model = \"...\"` in config.toml, POSTTUI_MODEL, or pass "
                "--model (`posttui models` lists them)")
    return ("`posttui models` lists the models the key can use; set `model = \"...\"` in config.toml, POSTTUI_MODEL, "
            "or pass --model")


def _blocked(finish: str, received: int, finish_message) -> LLMBlockedError:
    kept = f"; the {received:,} characters received are kept" if received else ""
    said = f": {finish_message}" if finish_message else ""
    if finish in RECITATION_FINISH:
        return LLMBlockedError(
            f"Gemini stopped the answer because it was repeating source text word for word ({finish}){said}{kept}",
            hint="ask for the passage in the post's own words (repair or regenerate the section); quoting less of "
            "the paper in the request helps",
        )
    return LLMBlockedError(
        f"Gemini stopped the answer: blocked by its safety filter ({finish}){said}{kept}",
        hint="regenerate, or repair the draft; rephrasing the request usually helps",
    )


def usage_of(meta) -> Usage:
    """The API's usage metadata as a :class:`Usage` (image output counted apart, cached prompt tokens too)."""
    prompt = int(meta.prompt_token_count or 0)
    output = int(meta.candidates_token_count or 0)
    thoughts = int(getattr(meta, "thoughts_token_count", 0) or 0)
    cached = int(getattr(meta, "cached_content_token_count", 0) or 0)
    image_out = sum(
        int(d.token_count or 0)
        for d in (getattr(meta, "candidates_tokens_details", None) or [])
        if _enum_name(d.modality) == "IMAGE"
    )
    total = int(meta.total_token_count or 0) or prompt + output + thoughts
    return Usage(prompt, output, thoughts, total, cached, image_out)


def _candidate_text(candidate) -> str:
    """The visible text of a candidate (thought summaries are skipped; ``chunk.text`` may be None)."""
    content = candidate.content
    if content is None or not content.parts:
        return ""
    return "".join(p.text for p in content.parts if p.text and not getattr(p, "thought", False))
