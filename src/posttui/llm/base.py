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

import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
    """Token counts as the API reports them (thinking tokens are billed as output)."""

    prompt_tokens: int = 0
    output_tokens: int = 0
    thoughts_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.output_tokens + other.output_tokens,
            self.thoughts_tokens + other.thoughts_tokens,
            self.total_tokens + other.total_tokens,
        )

    def describe(self) -> str:
        text = f"{self.prompt_tokens:,} prompt + {self.output_tokens:,} output tokens"
        if self.thoughts_tokens:
            text += f" (+ {self.thoughts_tokens:,} thinking)"
        return text


# USD per million tokens, as published by Google for the paid tier when this was written. They change: override
# or extend them with ``[prices.MODEL]`` tables in config.toml (keys ``input``, ``output`` and optionally
# ``long_input``/``long_output`` above ``long_threshold`` prompt tokens).
DEFAULT_PRICES: dict[str, dict[str, float]] = {
    "gemini-2.5-pro": {"input": 1.25, "output": 10.0, "long_threshold": 200_000, "long_input": 2.5, "long_output": 15.0},
    "gemini-2.5-flash": {"input": 0.30, "output": 2.50},
    "gemini-2.5-flash-lite": {"input": 0.10, "output": 0.40},
    "gemini-2.0-flash": {"input": 0.10, "output": 0.40},
    "posttui-offline": {"input": 0.0, "output": 0.0},
}


def price_for(model_name: str, prices: Mapping | None = None) -> Mapping | None:
    """The price entry for a model: the user's table first, then the defaults; the longest name prefix wins
    so that ``gemini-2.5-pro-preview-06-05`` is priced as ``gemini-2.5-pro``."""
    for table in (prices or {}, DEFAULT_PRICES):
        if model_name in table:
            return table[model_name]
        matches = [name for name in table if model_name.startswith(name)]
        if matches:
            return table[max(matches, key=len)]
    return None


def estimate_cost(model_name: str, usage: Usage, prices: Mapping | None = None) -> float | None:
    """Estimated USD cost of one call, or None when no price is known for the model."""
    entry = price_for(model_name, prices)
    if not entry:
        return None
    try:
        rate_in, rate_out = float(entry["input"]), float(entry["output"])
        threshold = entry.get("long_threshold")
        if threshold and usage.prompt_tokens > float(threshold):
            rate_in = float(entry.get("long_input", rate_in))
            rate_out = float(entry.get("long_output", rate_out))
    except (KeyError, TypeError, ValueError):
        return None
    return (usage.prompt_tokens * rate_in + (usage.output_tokens + usage.thoughts_tokens) * rate_out) / 1_000_000


@dataclass
class GenerationResult:
    """What one finished call produced."""

    text: str
    finish_reason: str
    usage: Usage
    cost: float | None
    model: str
    backend: str
    elapsed: float = 0.0
    notice: str = ""
    """A message for the user about the outcome (e.g. truncation); empty when the call simply finished."""
    images: list[tuple[bytes, str]] = field(default_factory=list)
    """Inline images (bytes, mime type) when the call asked for image output."""

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "MAX_TOKENS"

    def describe(self) -> str:
        parts = [f"{self.backend}:{self.model}", self.usage.describe()]
        if self.cost is not None:
            parts.append(f"~${self.cost:.4f}")
        parts.append(f"{self.elapsed:.1f} s")
        return ", ".join(parts)


TRUNCATED_NOTICE = (
    "the model stopped at its output limit (MAX_TOKENS): the draft is cut off and kept as it is; "
    "regenerate the last section or ask for a repair to finish it"
)


@dataclass
class StreamOutcome:
    """Filled in by a backend's producer while it streams; read by :class:`DraftStream` at the end."""

    finish_reason: str = "STOP"
    usage: Usage = field(default_factory=Usage)
    notice: str = ""


Producer = Callable[[StreamOutcome], AsyncIterator[str]]


class DraftStream:
    """Async iterator over text chunks that remembers everything received and ends with a result.

    ``text`` is the text so far (also after a failure). Any :class:`LLMError` raised by the producer gets
    ``partial`` set to that text when the producer did not set it itself.
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
            raise
        self._parts.append(chunk)
        return chunk

    def _finish(self) -> GenerationResult:
        out = self._outcome
        usage = out.usage
        return GenerationResult(
            text=self.text,
            finish_reason=out.finish_reason,
            usage=usage,
            cost=estimate_cost(self.model, usage, self.prices),
            model=self.model,
            backend=self.backend,
            elapsed=time.monotonic() - self._started,
            notice=out.notice or (TRUNCATED_NOTICE if out.finish_reason == "MAX_TOKENS" else ""),
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
