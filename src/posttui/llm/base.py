"""The one small protocol every text backend speaks: stream chunks for a conversation, then report the outcome.

A backend's :meth:`Backend.stream` returns a :class:`DraftStream`: iterate it (``async for chunk in stream``) to
receive text as it arrives; when iteration ends, ``stream.result`` holds a :class:`GenerationResult` with the
finish reason, token usage and a cost estimate. Failures are raised as :class:`~posttui.errors.LLMError`
subclasses (see :mod:`posttui.llm.errors`) whose ``partial`` attribute keeps every character received before
the failure. Stopping is done by cancelling the asyncio task that iterates the stream: the backend must then
release its connection at once (the Gemini backend does; the tests watch the server see the disconnect).

Truncation by the model's output limit (``MAX_TOKENS``) is *not* an exception: the draft is real and worth
keeping, so the result carries ``finish_reason == "MAX_TOKENS"``, ``truncated`` is True and ``notice`` tells the
user what happened and what to do (the checker will also flag the missing END marker and footer).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal, Protocol, runtime_checkable

from ..errors import LLMError

Role = Literal["user", "model"]


@dataclass(frozen=True)
class Turn:
    """One message of a conversation: the user's request or the model's earlier answer."""

    role: Role
    text: str

    def __post_init__(self) -> None:
        if self.role not in ("user", "model"):
            raise ValueError(f"a turn's role must be 'user' or 'model', not {self.role!r}")


def user(text: str) -> Turn:
    return Turn("user", text)


def model(text: str) -> Turn:
    return Turn("model", text)


@dataclass
class Usage:
    """Token counts of one call as the API reports them.

    ``output_tokens`` counts everything the model answered (text and image tokens); ``image_output_tokens`` is
    the image part of it, priced at the image rate. ``thoughts_tokens`` are billed as output. ``cached_tokens``
    are the part of ``prompt_tokens`` served from the context cache, billed at the cached rate. ``images``
    counts pictures of models priced per image (Imagen)."""

    prompt_tokens: int = 0
    output_tokens: int = 0
    thoughts_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = 0
    image_output_tokens: int = 0
    images: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        """Token totals (for display; price each call on its own with :func:`estimate_cost`)."""
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Usage)))

    def describe(self) -> str:
        text = f"{self.prompt_tokens:,} prompt + {self.output_tokens:,} output tokens"
        if self.thoughts_tokens:
            text += f" (+ {self.thoughts_tokens:,} thinking)"
        if self.cached_tokens:
            text += f", {self.cached_tokens:,} of the prompt cached"
        if self.images:
            text += f", {self.images} image{'s' if self.images != 1 else ''}"
        return text


# USD per million tokens (``per_image``: USD per picture), Google's paid-tier list prices when this was written.
# They change: override or extend them with ``[prices.MODEL]`` tables in config.toml, with the keys ``input``,
# ``output``, and optionally ``cached_input`` (prompt tokens served from the context cache), ``image_output``
# (image tokens an image model answers with), ``per_image``, and ``long_input``/``long_output``/
# ``long_cached_input``, the rates of a request whose prompt is above ``long_threshold`` tokens.
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gemini-2.5-pro": {"input": 1.25, "output": 10.0, "cached_input": 0.125, "long_threshold": 200_000,
                       "long_input": 2.5, "long_output": 15.0, "long_cached_input": 0.25},
    "gemini-2.5-flash": {"input": 0.30, "output": 2.50, "cached_input": 0.03},
    "gemini-2.5-flash-lite": {"input": 0.10, "output": 0.40, "cached_input": 0.01},
    "gemini-2.5-flash-image": {"input": 0.30, "output": 2.50, "image_output": 30.0},
    "gemini-2.0-flash": {"input": 0.10, "output": 0.40, "cached_input": 0.025},
    "gemini-2.0-flash-lite": {"input": 0.075, "output": 0.30},
    "gemini-3-pro-preview": {"input": 2.0, "output": 12.0, "cached_input": 0.20, "long_threshold": 200_000,
                             "long_input": 4.0, "long_output": 18.0, "long_cached_input": 0.40},
    "gemini-3-pro-image-preview": {"input": 2.0, "output": 12.0, "image_output": 120.0},
    "imagen-4.0-generate-001": {"input": 0.0, "output": 0.0, "per_image": 0.04},
    "imagen-4.0-fast-generate-001": {"input": 0.0, "output": 0.0, "per_image": 0.02},
    "imagen-4.0-ultra-generate-001": {"input": 0.0, "output": 0.0, "per_image": 0.06},
    "posttui-offline": {"input": 0.0, "output": 0.0},
}

_VERSION_TAG = re.compile(r"(-(preview|exp|latest|\d[\d.]*))+")
"""What may follow a priced name in a model id and still be the same model: ``-preview-06-05``, ``-001``,
``-latest``. Anything else (``-image``, ``-live``) is another model with other prices."""


def bare_model_name(model_name: str) -> str:
    """``models/gemini-2.5-pro`` -> ``gemini-2.5-pro`` (the API lists models with the prefix)."""
    return model_name.strip().split("/")[-1]


def same_model(answered: str, asked: str) -> bool:
    """Whether two model ids name the same model: equal, or one a dated/preview version of the other."""
    answered, asked = bare_model_name(answered), bare_model_name(asked)
    short, long = sorted((answered, asked), key=len)
    return long == short or (long.startswith(short) and _VERSION_TAG.fullmatch(long[len(short):]) is not None)


def price_for(model_name: str, prices: Mapping | None = None) -> Mapping | None:
    """The price entry for a model: the user's table first, then the defaults. A dated or preview version is
    priced as its model (``gemini-2.5-pro-preview-06-05`` as ``gemini-2.5-pro``); any other name is unknown."""
    name = bare_model_name(model_name)
    for table in (prices or {}, DEFAULT_PRICES):
        if name in table:
            return table[name]
        matches = [base for base in table if name.startswith(base) and _VERSION_TAG.fullmatch(name[len(base):])]
        if matches:
            return table[max(matches, key=len)]
    return None


def estimate_cost(model_name: str, usage: Usage, prices: Mapping | None = None) -> float | None:
    """Estimated USD cost of ONE call, or None when no price is known for the model.

    The long-context tier applies when this request's prompt is above the threshold (Google judges each request
    on its own, so never price a sum of calls). Cached prompt tokens are billed at the cached rate, image output
    tokens at the image rate, thinking tokens as output."""
    entry = price_for(model_name, prices)
    if not entry:
        return None
    try:
        rate = {key: float(value) for key, value in entry.items()}
        rate_in, rate_out = rate["input"], rate["output"]
        rate_cached = rate.get("cached_input", rate_in)
        threshold = rate.get("long_threshold")
        if threshold and usage.prompt_tokens > threshold:
            rate_in = rate.get("long_input", rate_in)
            rate_out = rate.get("long_output", rate_out)
            rate_cached = rate.get("long_cached_input", rate_cached)
        rate_image = rate.get("image_output", rate_out)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    image_out = min(usage.image_output_tokens, usage.output_tokens)
    tokens = (
        (usage.prompt_tokens - cached) * rate_in
        + cached * rate_cached
        + (usage.output_tokens - image_out + usage.thoughts_tokens) * rate_out
        + image_out * rate_image
    )
    return tokens / 1_000_000 + usage.images * rate.get("per_image", 0.0)


def describe_cost(cost: float | None, model_name: str = "") -> str:
    """``~$0.0045``, or ``cost unknown`` (never $0 for a model without a price)."""
    if cost is None:
        return f"cost unknown ({model_name} is not in the price table)" if model_name else "cost unknown"
    return f"~${cost:.4f}"


@dataclass(frozen=True)
class Charge:
    """What one call cost, for the session record and the header: every call counts, including the image prompt,
    the image, repairs, regenerations, and calls that failed, were blocked or were stopped after Google started
    billing (their usage is the last the API reported)."""

    backend: str
    model: str
    """The model that answered and is billed (``model_version`` of the response), else the one asked for."""
    usage: Usage
    cost: float | None
    """USD, or None when the model is not in the price table (shown as "cost unknown", never $0)."""
    requests: int = 1
    """HTTP requests sent for this call (retries included)."""

    def describe(self) -> str:
        return f"{self.usage.describe()}, {describe_cost(self.cost, self.model)}"


@dataclass
class Spend:
    """A running total of charges (a session, the header): known costs add up; unknown ones are counted, never
    added as $0."""

    usd: float = 0.0
    calls: int = 0
    unknown: int = 0
    unknown_models: set = field(default_factory=set)

    def add(self, charge: "Charge | None") -> "Spend":
        if charge is None:
            return self
        self.calls += 1
        if charge.cost is None:
            self.unknown += 1
            self.unknown_models.add(charge.model)
        else:
            self.usd += charge.cost
        return self

    def describe(self) -> str:
        if self.unknown and self.unknown == self.calls:
            return "cost unknown"
        text = f"${self.usd:.4f}"
        if self.unknown:
            text += f" + unknown ({self.unknown} call{'s' if self.unknown != 1 else ''} to " \
                    f"{', '.join(sorted(self.unknown_models))})"
        return text


@dataclass
class GenerationResult:
    """What one finished call produced."""

    text: str
    finish_reason: str
    usage: Usage
    cost: float | None
    """USD for this call priced by the model that answered; None means "cost unknown" (no price), never $0."""
    model: str
    """The model that was asked for."""
    backend: str
    elapsed: float = 0.0
    notice: str = ""
    """A message for the user about the outcome (truncation, a reroute to another model); empty when the call
    simply finished."""
    images: list[tuple[bytes, str]] = field(default_factory=list)
    """Inline images (bytes, mime type) when the call asked for image output."""
    model_version: str = ""
    """The model that answered (the response's ``modelVersion``); empty when the backend does not say."""
    requests: int = 1
    """HTTP requests this call took (retries included)."""

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "MAX_TOKENS"

    @property
    def billed_model(self) -> str:
        return self.model_version or self.model

    @property
    def charge(self) -> Charge:
        return Charge(self.backend, self.billed_model, self.usage, self.cost, self.requests)

    def describe(self) -> str:
        name = self.model if not self.model_version or self.model_version == self.model \
            else f"{self.model} (answered by {self.model_version})"
        parts = [f"{self.backend}:{name}", self.usage.describe(), describe_cost(self.cost, self.billed_model)]
        if self.requests > 1:
            parts.append(f"{self.requests} requests")
        parts.append(f"{self.elapsed:.1f} s")
        return ", ".join(parts)


TRUNCATED_NOTICE = (
    "the model stopped at its output limit (MAX_TOKENS): the draft is cut off and kept as it is; "
    "regenerate the last section or ask for a repair to finish it (max_output_tokens in config.toml sets the "
    "limit; 0 means the model's own)"
)


@dataclass
class StreamOutcome:
    """Filled in by a backend's producer while it streams; read by :class:`DraftStream` at the end (and when the
    call fails or is stopped, so that what Google billed is still counted)."""

    finish_reason: str = "STOP"
    usage: Usage = field(default_factory=Usage)
    notice: str = ""
    model_version: str = ""
    """The model that answered, when the API says (a rerouted or retired model answers under another name)."""
    requests: int = 0
    """HTTP requests sent so far (retries included); 0 until the first is sent."""


Producer = Callable[[StreamOutcome], AsyncIterator[str]]


class DraftStream:
    """Async iterator over text chunks that remembers everything received and ends with a result.

    ``text`` is the text so far (also after a failure). Any :class:`LLMError` raised by the producer gets
    ``partial`` set to that text when the producer did not set it itself, and ``charge`` set to what the call
    cost so far; after a stop (cancelling the task), :meth:`charge` tells the same.
    """

    def __init__(self, producer: Producer, *, backend: str, model_name: str, prices: Mapping | None = None):
        self._outcome = StreamOutcome()
        self._agen = producer(self._outcome)
        self._parts: list[str] = []
        self._started = time.monotonic()
        self.backend = backend
        self.model = model_name
        self.prices = prices
        self.result: GenerationResult | None = None

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def billed_model(self) -> str:
        return self._outcome.model_version or self.model

    def charge(self) -> Charge:
        """What this call has cost so far (the usage the API last reported), priced by the answering model."""
        out = self._outcome
        cost = estimate_cost(self.billed_model, out.usage, self.prices)
        return Charge(self.backend, self.billed_model, out.usage, cost, max(out.requests, 1))

    def __aiter__(self) -> "DraftStream":
        return self

    async def __anext__(self) -> str:
        if self.result is not None:
            raise StopAsyncIteration
        try:
            chunk = await self._agen.__anext__()
        except StopAsyncIteration:
            self.result = self._finish()
            raise
        except LLMError as exc:
            if not exc.partial:
                exc.partial = self.text
            if exc.charge is None:
                exc.charge = self.charge()
            raise
        self._parts.append(chunk)
        return chunk

    def _finish(self) -> GenerationResult:
        out = self._outcome
        notices = [out.notice, TRUNCATED_NOTICE if out.finish_reason == "MAX_TOKENS" else ""]
        charge = self.charge()
        return GenerationResult(
            text=self.text,
            finish_reason=out.finish_reason,
            usage=out.usage,
            cost=charge.cost,
            model=self.model,
            backend=self.backend,
            elapsed=time.monotonic() - self._started,
            notice="; ".join(n for n in notices if n),
            model_version=out.model_version,
            requests=charge.requests,
        )

    async def collect(self, on_chunk: Callable[[str], object] | None = None) -> GenerationResult:
        """Drain the stream (calling ``on_chunk`` for each piece) and return the result."""
        async for chunk in self:
            if on_chunk is not None:
                on_chunk(chunk)
        assert self.result is not None
        return self.result

    async def aclose(self) -> None:
        await self._agen.aclose()


@runtime_checkable
class Backend(Protocol):
    """A text generator: Gemini through google-genai, or the offline writer."""

    name: str
    model: str

    def stream(self, turns: Sequence[Turn], *, system: str | None = None) -> DraftStream:
        """Start generating the model's next turn; nothing is sent before the first iteration."""
        ...

    async def count_tokens(self, turns: Sequence[Turn], *, system: str | None = None) -> int | None:
        """Tokens the conversation would cost as input (None when the backend cannot tell)."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


async def generate(backend: Backend, turns: Sequence[Turn], *, system: str | None = None) -> GenerationResult:
    """Run one call to the end and return its result (for second calls such as the image prompt)."""
    return await backend.stream(turns, system=system).collect()
