"""``posttui generate``: offline and Gemini (fake server) runs, saving into a site, refusals, failures, Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_gemini import FakeGemini, tiny_png
from processes import default_sigint

from posttui.cli import main
from posttui.config import Config
from posttui.llm.offline import OfflineWriter
from posttui.prompt import saved_prompt_text, wrap_saved
from fixture_papers import generate_paper

NAME = "2025-03-06-2503.04567"


fixture_paper = generate_paper


@pytest.fixture
def source(tmp_path) -> Path:
    """The fixture paper as a saved prompt file (a source `posttui.load` accepts)."""
    path = tmp_path / f"{NAME}.txt"
    path.write_text(saved_prompt_text(fixture_paper()), encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: test\n")
    return root


def run(argv, capsys):
    code = main(["generate", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


# ----- offline ----------------------------------------------------------------------------------------------------
def test_offline_generate_streams_a_clean_post(source, capsys):
    code, out, err = run([source], capsys)
    assert code == 0, err
    paper = __import__("posttui").load(source)
    assert out == OfflineWriter(paper).post() + "\n"
    assert "with offline:posttui-offline" in err
    assert "no GEMINI_API_KEY set: using the offline writer" in err
    assert "check: 0 errors, 0 warnings, 0 info" in err


def test_offline_output_passes_posttui_check(source, tmp_path, capsys):
    draft = tmp_path / "draft.md"
    code, out, err = run([source, "--out", draft], capsys)
    assert code == 0 and out == ""
    assert f"draft written to {draft}" in err
    assert main(["check", str(draft), "--context", str(source), "--model", "posttui-offline"]) == 0


def test_save_writes_every_file_and_never_overwrites(source, site, capsys):
    code, out, err = run([source, "--site", site, "--save"], capsys)
    assert code == 0, err
    post = (site / f"_posts/{NAME}.md").read_text(encoding="utf-8")
    assert out == post + "\n"
    paper = __import__("posttui").load(source)
    prompt = paper.prompt(model="posttui-offline")
    assert (site / f"prompts/content/{NAME}.txt").read_text(encoding="utf-8") == wrap_saved(prompt)
    image_prompt = (site / f"prompts/images/{NAME}.txt").read_text(encoding="utf-8")
    assert image_prompt.startswith("{% raw %}\nAn abstract") and image_prompt.endswith("\n{% endraw %}")
    assert not (site / f"assets/images/posts/{NAME}.png").exists()  # image generation is off by default
    assert f"wrote {site / '_posts' / NAME}.md" in err
    # the saved post checks clean with the saved prompt as its context
    assert main(["check", str(site / f"_posts/{NAME}.md")]) == 0
    capsys.readouterr()

    (site / f"_posts/{NAME}.md").write_text("edited by hand")
    code, out, err = run([source, "--site", site, "--save"], capsys)
    assert code == 2 and out == ""  # refused before generating anything
    assert f"already in the site: _posts/{NAME}.md, prompts/content/{NAME}.txt" in err and "--force" in err
    assert (site / f"_posts/{NAME}.md").read_text() == "edited by hand"

    code, out, err = run([source, "--site", site, "--save", "--force"], capsys)
    assert code == 0
    assert (site / f"_posts/{NAME}.md").read_text(encoding="utf-8") == post
    assert f"replaced {site / '_posts' / NAME}.md" in err


def test_errors_block_saving_unless_allowed_and_force_does_not_allow_them(tmp_path, site, capsys):
    path = tmp_path / f"{NAME}.txt"
    path.write_text(saved_prompt_text(fixture_paper(bbl="")), encoding="utf-8")  # no references to link
    code, out, err = run([path, "--site", site, "--save"], capsys)
    assert code == 1
    assert "PT030 [error]" in err
    assert "not saved: 1 error-level problem open (PT030 line" in err and "--allow-errors" in err
    assert list((site / "_posts").iterdir()) == []
    code, out, err = run([path, "--site", site, "--save", "--force"], capsys)
    assert code == 1 and "not saved: 1 error-level problem open" in err  # --force replaces files, nothing else
    assert list((site / "_posts").iterdir()) == []
    code, out, err = run([path, "--site", site, "--save", "--allow-errors"], capsys)
    assert code == 1  # still reports the error
    assert (site / f"_posts/{NAME}.md").is_file()


def test_save_needs_a_site(source, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run([source, "--save"], capsys)
    assert code == 2 and "no site to save into" in err and "--site DIR" in err


def test_gemini_without_key_is_a_clear_error(source, capsys):
    code, out, err = run([source, "--backend", "gemini"], capsys)
    assert code == 2
    assert "no Gemini API key: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set" in err


# ----- Gemini through the fake server -----------------------------------------------------------------------------
@pytest.fixture
def fake(monkeypatch):
    server = FakeGemini(chunk_size=64).start()
    monkeypatch.setenv("GEMINI_API_KEY", "fake-key-for-tests")
    monkeypatch.setenv("POSTTUI_GEMINI_BASE_URL", server.base_url)
    monkeypatch.setenv("POSTTUI_GEMINI_RETRY_DELAY", "0.01")
    monkeypatch.setenv("POSTTUI_GEMINI_MAX_WAIT", "5")
    yield server
    server.stop()


def test_gemini_is_the_default_with_a_key(source, fake, site, capsys, isolated_env):
    paper = __import__("posttui").load(source)
    config = Config(image_model="gemini-2.5-flash-image")
    fake.text = OfflineWriter(paper, model="gemini-2.5-pro", config=config).post()  # a good answer from "Gemini"
    fake.script = ["success", "success", "image"]  # draft, image prompt, image
    code, out, err = run([source, "--site", site, "--save", "--image", "--image-model", "gemini-2.5-flash-image"],
                         capsys)
    assert code == 0, err
    assert out == fake.text + "\n"
    assert "with gemini:gemini-2.5-pro" in err
    assert "1,200 prompt + 300 output tokens, ~$0.0045" in err
    assert (site / f"assets/images/posts/{NAME}.png").read_bytes() == tiny_png()
    paths = [r.path for r in fake.generate_requests()]
    assert ":streamGenerateContent" in paths[0] and "gemini-2.5-flash-image:generateContent" in paths[2]
    prompt_sent = fake.generate_requests()[0].body["contents"][0]["parts"][0]["text"]
    assert (site / f"prompts/content/{NAME}.txt").read_text(encoding="utf-8") == wrap_saved(prompt_sent)
    # the key never lands in any file posttui wrote: the site, the session database, caches, partial drafts
    written = [p for root in (site, isolated_env) for p in root.rglob("*") if p.is_file()]
    assert any(p.name.startswith("sessions.db") for p in written)
    for path in written:
        assert b"fake-key-for-tests" not in path.read_bytes(), path


def test_gemini_quota_error_message_and_exit_code(source, fake, capsys):
    fake.mode, fake.retry_delay = "429", "0.01s"  # per minute: retried after the RetryInfo delay
    code, out, err = run([source], capsys)
    assert code == 2
    assert "Gemini rate limit exhausted (429 RESOURCE_EXHAUSTED): GenerateRequestsPerMinutePerProjectPerModel-" \
        "FreeTier, limit 2 for gemini-2.5-pro; Google asks to retry in 0.01 s (4 requests sent)" in err
    assert len(fake.generate_requests()) == 4
    assert "nothing had been received yet" in err


def test_gemini_daily_quota_sends_one_request_and_names_the_quota(source, fake, capsys):
    fake.mode = "429_daily"
    code, out, err = run([source], capsys)
    assert code == 2 and len(fake.generate_requests()) == 1
    assert "Gemini daily quota exhausted (429 RESOURCE_EXHAUSTED): GenerateRequestsPerDayPerProjectPerModel-FreeTier" \
        ", limit 0 for gemini-2.5-pro; the key's plan gives no access to this model; not retried (1 request sent)" \
        in err
    assert "Traceback" not in err


def test_a_stream_three_times_longer_than_the_timeout_succeeds(source, fake, capsys, monkeypatch):
    """Each chunk arrives within the timeout; the whole stream takes three times as long (also run with aiohttp)."""
    monkeypatch.setenv("POSTTUI_GEMINI_TIMEOUT", "0.5")
    fake.mode, fake.delay, fake.text, fake.chunk_size = "slow", 0.2, "word " * 40, 25  # 8 chunks, ~1.6 s
    code, out, err = run([source, "--backend", "gemini"], capsys)
    assert "posttui: done: gemini:gemini-2.5-pro" in err, err
    assert out == fake.text + "\n"


def test_vertex_mode_without_credentials(source, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = run([source], capsys)  # the default backend: offline, since Gemini has no credentials
    assert "with offline:" in err and code in (0, 1)
    code, out, err = run([source, "--backend", "gemini"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "posttui: error: no Google Cloud credentials for Vertex AI" in err
    assert "gcloud auth application-default login" in err


def test_gemini_midstream_failure_keeps_the_partial_draft(source, fake, capsys, isolated_env):
    fake.mode = "midstream"
    fake.text = "x" * 64 + "y" * 64 + "z" * 64
    code, out, err = run([source], capsys)
    assert code == 2
    assert "the Gemini stream broke mid-way (500 INTERNAL" in err
    line = next(l for l in err.splitlines() if "the partial draft" in l)
    path = Path(line.split(" is saved in ", 1)[1])
    assert path.read_text() == "x" * 64 + "y" * 64
    assert path.is_relative_to(isolated_env / "data")
    assert "posttui resume" in err


def test_max_tokens_keeps_the_truncated_draft_and_says_so(source, fake, capsys):
    fake.mode = "max_tokens"
    fake.text = "<!-- BEGINNING OF GENERATED POST -->\nIn [2503.04567](https://arxiv.org/abs/2503.04567), a cut"
    code, out, err = run([source], capsys)
    assert code == 1
    assert out.startswith(fake.text)
    assert "note: the model stopped at its output limit (MAX_TOKENS)" in err


def test_ctrl_c_stops_the_stream_and_keeps_the_partial_draft(source, tmp_path):
    with FakeGemini(mode="slow", delay=0.05, text="word " * 2000, chunk_size=10) as fake:
        env = dict(os.environ, GEMINI_API_KEY="k", POSTTUI_GEMINI_BASE_URL=fake.base_url, PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "posttui", "generate", str(source)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path, preexec_fn=default_sigint,
        )
        deadline = time.monotonic() + 30
        while not fake.stream_started.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert fake.disconnected.wait(5), "the server never saw the client go away"
    err = err.decode()
    assert proc.returncode == 130, err
    assert "interrupted; the stream was stopped" in err
    line = next(l for l in err.splitlines() if "the partial draft" in l)
    saved = Path(line.split(" is saved in ", 1)[1]).read_text()
    assert saved and saved.startswith("word word")
    assert out.decode().startswith(saved)  # everything shown was kept


def test_midstream_failure_in_a_real_process_prints_no_traceback(source, tmp_path):
    with FakeGemini(mode="midstream") as fake:
        env = dict(os.environ, GEMINI_API_KEY="k", POSTTUI_GEMINI_BASE_URL=fake.base_url)
        proc = subprocess.run(
            [sys.executable, "-m", "posttui", "generate", str(source)],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
        )
    assert proc.returncode == 2
    assert "the Gemini stream broke mid-way" in proc.stderr
    assert "Traceback" not in proc.stderr and "already running" not in proc.stderr


def test_bundled_example_generates_offline_and_checks_clean(tmp_path, capsys):
    example = Path(__file__).resolve().parents[2] / "examples" / "synthetic-paper"
    if not example.is_dir():
        pytest.skip("examples/synthetic-paper is not present")
    draft = tmp_path / "post.md"
    code, out, err = run([example, "--backend", "offline", "--out", draft], capsys)
    assert code == 0, err
    assert "check: 0 errors" in err
    assert main(["check", str(draft), "--context", str(example), "--model", "posttui-offline"]) == 0


def test_lean_prompt_is_what_is_sent_and_saved(source, site, capsys):
    code, out, err = run([source, "--lean", "--site", site, "--save"], capsys)
    assert code == 0, err
    assert "(lean prompt, ~" in err
    lean = __import__("posttui").load(source).prompt("lean", model="posttui-offline")
    assert (site / f"prompts/content/{NAME}.txt").read_text(encoding="utf-8") == wrap_saved(lean)


def test_count_tokens_asks_the_api_first(source, fake, capsys):
    fake.text = "short answer"
    code, out, err = run([source, "--count-tokens"], capsys)
    assert "tokens (gemini count)" in err
    assert [r.path.rsplit(":", 1)[1] for r in fake.requests][:2] == ["countTokens", "streamGenerateContent?alt=sse"]
    assert code == 1  # "short answer" is not a post: the checker reports errors


def test_image_generation_from_config_file(source, fake, site, capsys, monkeypatch, tmp_path):
    paper = __import__("posttui").load(source)
    fake.text = OfflineWriter(paper, model="gemini-2.5-pro", config=Config(image_model="my-image-model")).post()
    fake.script = ["success", "success", "image"]
    config = tmp_path / "config.toml"
    config.write_text('image_generation = true\nimage_model = "my-image-model"\n')
    monkeypatch.setenv("POSTTUI_CONFIG", str(config))
    code, out, err = run([source, "--site", site, "--save"], capsys)
    assert code == 0, err
    assert (site / f"assets/images/posts/{NAME}.png").read_bytes() == tiny_png()
    assert "Image generated by [my-image-model]" in (site / f"_posts/{NAME}.md").read_text(encoding="utf-8")


def test_failed_image_still_saves_the_post(source, fake, site, capsys):
    paper = __import__("posttui").load(source)
    fake.text = OfflineWriter(paper, model="gemini-2.5-pro", config=Config(image_model="img-x")).post()
    fake.script = ["success", "success", "prompt_blocked"]
    code, out, err = run([source, "--site", site, "--save", "--image", "--image-model", "img-x"], capsys)
    assert code == 0, err
    assert "note: No header image (the post is saved without one): img-x blocked the image prompt (SAFETY)" in err
    assert (site / f"_posts/{NAME}.md").is_file() and not (site / f"assets/images/posts/{NAME}.png").exists()


def test_fix_applies_mechanical_fixes_before_checking_and_saving(source, fake, site, capsys):
    paper = __import__("posttui").load(source)
    clean = OfflineWriter(paper, model="gemini-2.5-pro").post()
    fake.text = "```markdown\n" + clean + "\n```"  # PT001: the whole answer in a code fence
    code, out, err = run([source, "--site", site, "--save", "--fix"], capsys)
    assert code == 0, err
    assert re.search(r"applied \d+ mechanical fix(es)? \(PT001", err)
    assert (site / f"_posts/{NAME}.md").read_text(encoding="utf-8").strip("\n") == clean
