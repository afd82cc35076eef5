"""The workflow core without any front end: one Review from the first draft to the saved post."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from posttui.cli import main
from posttui.errors import ConfigError, PosttuiError, SiteError
from posttui.llm.offline import OfflineBackend
from posttui.site import Site
from posttui.sources import load
from posttui.workflow import ApprovalError, Checked, Chunk, Review, StateChanged, UsageCounted

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "synthetic-paper"


@pytest.fixture
def site(site, tmp_path) -> Path:
    """The test site with the example's group file and homepage, so the saved post's footer shows a member."""
    root = site
    (root / "_posts" / "2026").mkdir(parents=True)
    (root / "assets" / "group").mkdir(parents=True)
    shutil.copy(EXAMPLE / "group.yaml", root / "assets" / "group" / "group.yaml")
    shutil.copy(EXAMPLE / "index.md", root / "index.md")
    bundle = tmp_path / "paper"
    shutil.copytree(EXAMPLE, bundle)
    for name in ("group.yaml", "index.md"):
        (bundle / name).unlink()  # the paper alone: the group file and homepage must come from the site
    return root


def review_of(source, site, store=None, **kw) -> Review:
    return Review.open(source, site=site, store=store, backend="offline", **kw)


async def drain(review: Review) -> list:
    return [event async for event in review.generate()]


def test_generate_streams_events_checks_and_records_a_version(site, store, tmp_path):
    review = review_of(tmp_path / "paper", site, store)
    events = asyncio.run(drain(review))
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "StateChanged" and events[0].state == "generating"
    assert kinds.count("Chunk") > 3
    assert any(isinstance(e, Checked) and e.partial for e in events)
    final = [e for e in events if isinstance(e, Checked) and not e.partial]
    assert len(final) == 1 and final[0].text == review.text
    assert any(isinstance(e, UsageCounted) and e.tokens > 0 for e in events)
    assert isinstance(events[-1], StateChanged) and events[-1].state == "done"
    assert "".join(e.text for e in events if isinstance(e, Chunk)) == review.text
    assert review.errors == [] and review.state == "done"
    version = store.current(review.session_id)
    assert version.text == review.text and version.complete and version.origin == "stream"


def test_inside_a_site_subfolder_is_the_same_as_naming_the_site(site, tmp_path, monkeypatch, capsys):
    """The group file and homepage come from the site around the current folder: the post is byte-identical."""
    paper_dir = tmp_path / "paper"
    monkeypatch.chdir(site / "_posts" / "2026")
    assert main(["generate", str(paper_dir), "--save"]) == 0
    posts = list((site / "_posts").glob("*.md"))
    assert len(posts) == 1
    from_inside = posts[0].read_text(encoding="utf-8")
    assert "<img src=" in from_inside  # the member matched through the site's group file
    shutil.rmtree(site / "prompts")
    posts[0].unlink()
    monkeypatch.chdir(tmp_path)
    assert main(["generate", str(paper_dir), "--site", str(site), "--save"]) == 0
    assert posts[0].read_text(encoding="utf-8") == from_inside
    capsys.readouterr()


@pytest.mark.parametrize("where", ["plain", "posts-folder", "missing"])
def test_save_into_a_folder_that_is_not_a_site_is_refused_and_writes_nothing(site, tmp_path, capsys, where):
    target = {"plain": tmp_path / "plain", "posts-folder": site / "_posts", "missing": tmp_path / "nope"}[where]
    if where == "plain":
        target.mkdir()
    before = sorted(p for p in tmp_path.rglob("*"))
    code = main(["generate", str(tmp_path / "paper"), "--site", str(target), "--save"])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a Jekyll site" in err or "no such site folder" in err
    if where == "posts-folder":
        assert f"this folder is inside the site {site.resolve()}" in err
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_every_file_the_save_would_write_is_checked_before_the_model_call(site, tmp_path, capsys):
    paper = load(tmp_path / "paper", site=site)
    prompt = Site(site).paths(paper.post_name).prompt
    prompt.parent.mkdir(parents=True)
    prompt.write_text("an older prompt")
    assert main(["generate", str(tmp_path / "paper"), "--site", str(site), "--save"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "already in the site: prompts/content/" in captured.err
    assert "generating" not in captured.err  # refused before any model call
    assert prompt.read_text() == "an older prompt"


def test_the_site_settings_apply_to_generate_and_a_malformed_file_is_the_same_error(site, tmp_path, capsys):
    (site / ".posttui.toml").write_text("min_references = 60\n")
    assert main(["generate", str(tmp_path / "paper"), "--site", str(site), "--save"]) == 1
    err = capsys.readouterr().err
    assert "PT030 [error]" in err and "not saved" in err
    assert not list((site / "_posts").glob("*.md"))
    (site / ".posttui.toml").write_text("min_refs = 6\n")
    assert main(["generate", str(tmp_path / "paper"), "--site", str(site)]) == 2
    generate_err = capsys.readouterr().err
    assert ".posttui.toml: unknown key 'min_refs'" in generate_err
    (site / "_posts" / "x.md").write_text("# not a post\n")
    assert main(["check", str(site / "_posts" / "x.md")]) == 2
    assert ".posttui.toml: unknown key 'min_refs'" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="unknown key 'min_refs'"):
        review_of(tmp_path / "paper", site).checker  # noqa: B018 - the app builds the same checker


def test_fixes_undo_redo_are_versions_that_survive_a_restart(site, store, tmp_path):
    review = review_of(tmp_path / "paper", site, store)
    asyncio.run(drain(review))
    clean = review.text
    broken = clean.replace("(https://doi.org/", "(http://dx.doi.org/", 1)
    assert broken != clean
    review.edit(broken)
    review.check()
    assert [f.rule for f in review.findings] == ["PT031"]
    assert review.fix(review.findings[0]) and review.text == clean
    assert review.undo().text == broken and review.text == broken
    session = review.session_id
    again = Review(review.paper, site=review.site, store=store, backend=review.backend)
    again.resume(session)
    assert again.text == broken  # what the user last saw
    assert again.redo().text == clean
    assert [v.origin for v in store.versions(session)] == ["stream", "edit", "fix"]


def test_the_approval_gate_keeps_errors_and_replacing_apart(site, store, tmp_path):
    review = review_of(tmp_path / "paper", site, store)
    asyncio.run(drain(review))
    good = review.text
    review.edit(good.replace("In [2611.01234](https://arxiv.org/abs/2611.01234), ", "In this paper, ", 1))
    with pytest.raises(ApprovalError, match="error-level problem"):
        asyncio.run(review.save(overwrite=True))  # replacing files never lets errors through
    assert not list((site / "_posts").glob("*.md"))
    report = asyncio.run(review.save(allow_errors=True))
    assert review.state == "saved" and len(report.written) == 3
    review.edit(good)
    gate = review.approval()
    assert gate.errors == [] and len(gate.existing) == 3 and gate.old_post is not None
    with pytest.raises(ApprovalError, match="already in the site"):
        asyncio.run(review.save())  # allowing nothing: the old files stay
    asyncio.run(review.save(overwrite=True))
    assert review.site.paths(review.paper.post_name).post.read_text(encoding="utf-8") == good
    assert store.get(review.session_id).saved_path.endswith(".md") and not review.unsaved


def test_stopping_keeps_what_arrived(site, store, tmp_path):
    class Slow(OfflineBackend):
        def stream(self, turns, *, system=None):
            inner = super().stream(turns, system=system)

            async def slow(outcome):
                async for chunk in inner:
                    await asyncio.sleep(0.01)
                    yield chunk

            from posttui.llm.base import DraftStream

            return DraftStream(slow, backend="offline", model_name=self.model)

    paper = load(tmp_path / "paper", site=site)
    review = Review(paper, site=Site(site), store=store, backend=Slow(paper))

    async def run():
        task = asyncio.ensure_future(drain(review))
        while len(review.text) < 1 and not review.findings_text:
            await asyncio.sleep(0.02)
            if review.findings_text:
                break
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert review.state == "stopped" and review.text
    version = store.current(review.session_id)
    assert version.text == review.text and version.finish_reason == "STOPPED"


def test_one_call_at_a_time_and_no_site_is_explained(tmp_path):
    review = Review.open(EXAMPLE, backend="offline", cwd=tmp_path)
    assert review.site is None
    with pytest.raises(SiteError, match="no site to save into") as info:
        review.require_destination()
    assert "--site DIR" in str(info.value)
    review.state = "generating"
    with pytest.raises(PosttuiError, match="generating is still running"):
        asyncio.run(drain(review))


def test_an_unpriced_model_is_cost_unknown_never_zero(site, store, tmp_path):
    from posttui.llm.base import Charge, Usage

    review = review_of(tmp_path / "paper", site, store)
    review._count(Charge("gemini", "gemini-9-ultra", Usage(100, 50), None))
    assert not review.cost_known and review.tokens == 150
    resumed = Review(review.paper, store=store, backend=review.backend)
    resumed.resume(review.session_id)
    assert not resumed.cost_known
