"""A scripted text backend for the app's tests and the benchmark: the model is replaced, nothing else.

It speaks the real protocol (:class:`posttui.llm.base.DraftStream`), streaming given chunks with a delay, and
answers follow-up requests (repair, section) with scripted replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from posttui.llm.base import DraftStream, Turn, Usage


class ScriptedBackend:
    name = "scripted"

    def __init__(self, chunks: Sequence[str], *, delay: float = 0.0, replies: Sequence[str | list[str]] = (),
                 model: str = "scripted-1"):
        self.chunks = list(chunks)
        self.delay = delay
        self.replies = list(replies)
        self.model = model
        self.calls: list[list[Turn]] = []
        self.cancelled = 0

    def stream(self, turns: Sequence[Turn], *, system: str | None = None) -> DraftStream:
        turns = list(turns)
        self.calls.append(turns)
        first_call = len(self.calls) == 1 or len(turns) == 1
        reply = self.chunks if first_call or not self.replies else self.replies.pop(0)
        pieces = reply if isinstance(reply, list) else [reply]  # a reply may be streamed in pieces too

        async def produce(outcome):
            try:
                for piece in pieces:
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    yield piece
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            outcome.usage = Usage(prompt_tokens=sum(len(t.text) for t in turns) // 4,
                                  output_tokens=sum(len(p) for p in pieces) // 4)
            outcome.finish_reason = "STOP"

        return DraftStream(produce, backend=self.name, model_name=self.model)

    async def count_tokens(self, turns, *, system=None):
        return None

    async def aclose(self) -> None:
        return None
