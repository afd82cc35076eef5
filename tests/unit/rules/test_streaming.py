"""Streamed validation: whatever the chunks and the clock, a streaming check equals a full check of the text so far.

The contract of :class:`~posttui.rules.StreamingChecker` pinned here: every result ``feed`` returns equals
``check(text so far, partial=True)``, ``finish()`` equals ``check(text)``, and ``checker.text`` is the text fed.
Drafts are the rule tests' hand-written posts cut into pieces and reassembled (markers, front matter, fences,
math, links and citations falling on chunk boundaries), and every corpus post with its own paper as context.
The incremental work is pinned too: no block is judged twice while it streams, and settled blocks are not
judged again by later checks.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posttui.rules import CheckContext, StreamingChecker, check, engine

from .conftest import CTX, FILLER, GOOD_NARRATIVE, MESSY_NARRATIVE, make_context, post

PIECES = (
    post(),
    post(MESSY_NARRATIVE),
    "Here you go:\n```markdown\n" + post(MESSY_NARRATIVE) + "```\nBye!\n",
    post().replace("\n", "\r\n"),
    post().split("---\n", 2)[2],  # no front matter
    post().replace('title:  "A Test Paper"', 'title:  "A \\texttt{x} Paper"'),
    post().replace('title:  "A Test Paper"', 'title:  "A "Test" Paper"'),
    post().replace("<!-- END", "<!-- BEGINNING OF GENERATED POST -->\nmore\n<!-- END"),
    post("Work by Lovelace, later [2401.01234](https://arxiv.org/abs/2401.01234). Then.\n\n" + FILLER * 3),
    post("**Key:**\n" + FILLER * 2 + "\n\n<!-- note -->\n\n    indented code\n\n> quote $$x\n\n$$ end"),
    GOOD_NARRATIVE,
    "",
)
CONTEXTS = (CTX, CheckContext(), make_context(lead_author="", featured_id=None))


def stream(text: str, ctx: CheckContext, cuts: list[int], *, min_bytes: int, min_interval: float, ticks: list[float]):
    """Feed ``text`` cut at ``cuts`` (the clock advancing by ``ticks``), asserting the contract at every check."""
    now = [0.0]
    checker = StreamingChecker(ctx, min_bytes=min_bytes, min_interval=min_interval, clock=lambda: now[0])
    pos = 0
    for i, cut in enumerate(sorted(set(c for c in cuts if 0 < c < len(text))) + [len(text)]):
        now[0] += ticks[i % len(ticks)] if ticks else 0.0
        found = checker.feed(text[pos:cut])
        pos = cut
        if found is not None:
            assert found == check(checker.text, ctx, partial=True), (len(checker.text), text[:cut][-80:])
    assert checker.text == text
    assert checker.finish() == check(text, ctx)
    assert checker.check_now(partial=True) == check(text, ctx, partial=True)
    return checker


@st.composite
def drafts(draw):
    """A draft made of pieces of the hand-written posts (so structure and hostile syntax meet at odd places)."""
    parts = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3))
    text = "".join(parts)
    if len(text) > 40 and draw(st.booleans()):
        a, b = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=2)))
        text = text[:a] + text[b:]  # drop a span: unbalanced math, half a link, a lost marker...
    return text


@settings(max_examples=40, deadline=timedelta(seconds=20), suppress_health_check=[HealthCheck.too_slow])
@given(
    text=drafts(),
    ctx=st.sampled_from(CONTEXTS),
    cuts=st.lists(st.integers(0, 20_000), max_size=60),
    min_bytes=st.sampled_from([1, 40, 300, 1024]),
    min_interval=st.sampled_from([0.0, 0.1, 3600.0]),
    ticks=st.lists(st.sampled_from([0.0, 0.01, 0.05, 0.3]), max_size=5),
)
def test_streamed_checks_equal_full_checks_of_the_text_so_far(text, ctx, cuts, min_bytes, min_interval, ticks):
    stream(text, ctx, [c % (len(text) + 1) for c in cuts], min_bytes=min_bytes, min_interval=min_interval,
           ticks=ticks)


@pytest.mark.parametrize("size", [3, 13, 97])
def test_every_chunk_checked_each_equals_a_full_check(size):
    text = post(MESSY_NARRATIVE)
    checker = stream(text, CTX, list(range(size, len(text), size)), min_bytes=1, min_interval=0.0, ticks=[])
    assert checker.checks >= len(text) // size


def test_corpus_posts_streamed_in_random_chunks_end_as_a_full_check(corpus_site: Path):
    from posttui.sources import load

    prompts = corpus_site / "prompts" / "content"
    for path in sorted((corpus_site / "_posts").glob("*.md")):
        text = path.read_text("utf-8")
        own = prompts / f"{path.stem}.txt"
        ctx = CheckContext.from_paper(load(own, site=corpus_site)) if own.is_file() else CheckContext()
        rng = random.Random(path.name)
        cuts, pos = [], 0
        while pos < len(text):
            pos += rng.choice([1, 7, 13, 60, 300, 900])
            cuts.append(pos)
        stream(text, ctx, cuts, min_bytes=rng.choice([64, 1024]), min_interval=3600.0, ticks=[])


def test_a_block_is_judged_once_while_it_streams_and_never_again_once_settled(monkeypatch):
    """Segment rules run on each distinct text of a block once: the streaming tail's hits are reused when it
    settles, and settled blocks are taken from the previous check, not judged again."""
    judged: list[tuple[int, str]] = []
    real = engine._segment_hits

    def counting(seg, ctx, options, seg_rules):
        judged.append((seg.start, seg.text))
        return real(seg, ctx, options, seg_rules)

    monkeypatch.setattr(engine, "_segment_hits", counting)
    text = post(MESSY_NARRATIVE + "\n\n" + GOOD_NARRATIVE)
    now = [0.0]
    checker = StreamingChecker(CTX, min_bytes=10**9, min_interval=1.0, clock=lambda: now[0])
    for i in range(0, len(text), 50):
        now[0] += 1.0  # every chunk is due by time
        checker.feed(text[i : i + 50])
        checker.check_now()  # a second check of the same text judges nothing again
    checker.finish()
    assert len(judged) == len(set(judged))
    assert checker.checks > len(text) // 50
    settled = {seg.text for seg in checker._doc.segments[:-1]}
    assert settled <= {t for _, t in judged}


def test_a_check_due_by_size_waits_for_the_line_to_end_but_not_past_the_time_trigger():
    now = [0.0]
    checker = StreamingChecker(CTX, min_bytes=100, min_interval=10.0, clock=lambda: now[0])
    assert checker.feed("---\nlayout") is not None  # the first chunk is always checked
    assert checker.feed("x" * 120) is None  # due by size, the line goes on
    assert checker.feed(" more\nnext") is not None  # the line ended
    assert checker.feed("y" * 150) is None
    assert checker.feed("y" * 60) is not None  # waited min_bytes more: checked anyway
    assert checker.feed("z" * 150) is None
    now[0] = 20.0
    assert checker.feed("z") is not None  # the time trigger does not wait


def late_begin_marker() -> str:
    """Four paragraphs, then the BEGIN marker, then six more: the narrative starts over after the marker."""
    narrative = "\n\n".join([FILLER] * 4 + ["<!-- BEGINNING OF GENERATED POST -->"] + [FILLER] * 6)
    return post(narrative).replace("<!-- BEGINNING OF GENERATED POST -->\n", "", 1)


def test_a_narrative_that_moves_is_judged_afresh():
    """When the narrative's start moves (the skeleton or the BEGIN marker arrives late), nothing carried from the
    blocks before may be reused: neither their findings nor the document rules' running totals over them."""
    prose_first = MESSY_NARRATIVE + "\n\n" + post(MESSY_NARRATIVE)  # that prose becomes a preamble
    stream(prose_first, CTX, list(range(20, len(prose_first), 20)), min_bytes=1, min_interval=0.0, ticks=[])
    late = late_begin_marker()
    marker = late.index("<!-- BEGINNING")
    # One check before the marker, one after six new paragraphs arrived at once (more than the four before it).
    stream(late, CTX, [marker - 5, len(late) - 400], min_bytes=1, min_interval=0.0, ticks=[])
    twice = post() + "\n\n" + post(MESSY_NARRATIVE)  # a second post: markers, footer and front matter again
    stream(twice, CTX, list(range(30, len(twice), 30)), min_bytes=1, min_interval=0.0, ticks=[])
