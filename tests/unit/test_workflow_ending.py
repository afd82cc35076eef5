"""The end of a stream runs its writes and final check in a thread: the events keep their order, and a stop
(also one that comes while the ending runs) or a backend error still keeps what arrived."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest

from posttui.errors import LLMError
from posttui.llm.base import DraftStream
from posttui.llm.offline import OfflineBackend
from posttui.site import Site
from posttui.sources import load
from posttui.workflow import Checked, Chunk, Review, StateChanged, UsageCounted
from posttui.workflow.draftfile import DraftFile

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"


@pytest.fixture
def paper(site, tmp_path):
    bundle = tmp_path / "paper"
    shutil.copytree(EXAMPLE, bundle)
    return load(bundle, site=site)


class Failing(OfflineBackend):
    """The offline writer's stream, cut by an API error after ``after`` chunks."""

    after = 3

    def stream(self, turns, *, system=None):
        inner = super().stream(turns, system=system)

        async def failing(outcome):
            n = 0
            async for chunk in inner:
                yield chunk
                n += 1
                if n == self.after:
                    raise LLMError("the API went away mid-stream")

        return DraftStream(failing, backend="offline", model_name=self.model)


class GatedDraftFile(DraftFile):
    """A draft file whose write waits for ``gate`` (the test stops the review while the ending is blocked)."""

    def __init__(self, path):
        super().__init__(path)
        self.entered, self.gate = threading.Event(), threading.Event()

    def write(self, text: str) -> None:
        self.entered.set()
        self.gate.wait()
        super().write(text)


def test_the_final_events_keep_their_order_and_follow_the_writes(site, store, paper, tmp_path):
    draft = DraftFile(tmp_path / "draft.md")
    review = Review(paper, site=Site(site), store=store, backend=OfflineBackend(paper), draft_file=False)
    review.draft_file = draft
    seen: list = []

    def listen(event):
        kept = store.current(review.session_id) if review.session_id else None
        on_disk = draft.path.read_text(encoding="utf-8") if draft.path.exists() else None
        seen.append((event, kept, on_disk))

    review.subscribe(listen)

    async def run():
        return [event async for event in review.generate()]

    events = asyncio.run(run())
    assert [e for e, _, _ in seen] == events
    last_chunk = max(i for i, e in enumerate(events) if isinstance(e, Chunk))
    tail = [type(e).__name__ for e in events[last_chunk + 1:]]
    assert tail == ["UsageCounted", "Checked", "StateChanged"]
    usage, final, done = (seen[last_chunk + 1 + i] for i in range(3))
    assert isinstance(final[0], Checked) and not final[0].partial and final[0].text == review.text
    assert done[0].state == "done"
    for _, kept, on_disk in (usage, final, done):  # written (version, draft file) before the events arrive
        assert kept.complete and kept.text == review.text and on_disk == review.text
    session = store.get(review.session_id)
    assert session.input_tokens + session.output_tokens == review.tokens > 0


def test_a_backend_error_keeps_what_arrived(site, store, paper, tmp_path):
    draft = DraftFile(tmp_path / "draft.md")
    review = Review(paper, site=Site(site), store=store, backend=Failing(paper))
    review.draft_file = draft
    seen: list = []
    review.subscribe(seen.append)

    async def run():
        async for _ in review.generate():
            pass

    with pytest.raises(LLMError, match="went away"):
        asyncio.run(run())
    arrived = "".join(e.text for e in seen if isinstance(e, Chunk))
    assert arrived and review.text == arrived and review.state == "failed"
    version = store.current(review.session_id)
    assert version.text == arrived and version.finish_reason == "ERROR"
    assert draft.path.read_text(encoding="utf-8") == arrived
    assert not any(isinstance(e, Checked) and not e.partial for e in seen)
    assert isinstance(seen[-1], StateChanged) and seen[-1].state == "failed"


def test_a_stop_while_the_ending_runs_keeps_the_whole_draft(site, store, paper, tmp_path):
    draft = GatedDraftFile(tmp_path / "draft.md")
    review = Review(paper, site=Site(site), store=store, backend=OfflineBackend(paper))
    review.draft_file = draft
    seen: list = []
    review.subscribe(seen.append)

    async def run():
        task = asyncio.ensure_future(_drain(review))
        await asyncio.to_thread(draft.entered.wait)  # the ending's thread is blocked in the draft-file write
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        task.cancel()  # a second stop changes nothing either
        assert review.state == "stopped"
        draft.gate.set()
        while not draft.path.exists():
            await asyncio.sleep(0.01)

    asyncio.run(run())  # asyncio.run also waits for the ending's thread
    arrived = "".join(e.text for e in seen if isinstance(e, Chunk))
    assert review.text == arrived == review.last_result.text
    version = store.current(review.session_id)
    assert version.complete and version.text == arrived
    assert draft.path.read_text(encoding="utf-8") == arrived
    assert [e.state for e in seen if isinstance(e, StateChanged)][-1] == "stopped"
    assert sum(isinstance(e, UsageCounted) for e in seen) == 1
    session = store.get(review.session_id)
    assert session.input_tokens + session.output_tokens == review.tokens > 0


async def _drain(review):
    return [event async for event in review.generate()]
