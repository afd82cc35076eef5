"""The Gemini backend through the real google-genai SDK against the fake server: every mode, every message."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fake_gemini import FakeGemini

from posttui.config import Config
from posttui.errors import LLMError
from posttui.llm import make_backend
from posttui.llm.base import Turn, Usage, estimate_cost, model, user
from posttui.llm.errors import (
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
from posttui.llm.gemini import GeminiBackend

TEXT = "Alpha beta gamma. " * 20


@pytest.fixture
def fake():
    server = FakeGemini(text=TEXT, chunk_size=30).start()
    yield server
    server.stop()


def backend_for(fake: FakeGemini, **kwargs) -> GeminiBackend:
    kwargs.setdefault("attempts", 3)
    kwargs.setdefault("retry_initial_delay", 0.01)
    kwargs.setdefault("retry_max_delay", 0.02)
    return GeminiBackend(Config(gemini_base_url=fake.base_url), key="test-key", **kwargs)


async def run(backend: GeminiBackend, turns=None, **kwargs):
    stream = backend.stream(turns or [user("write the post")], **kwargs)
    chunks: list[str] = []
    try:
        result = await stream.collect(chunks.append)
    finally:
        await backend.aclose()
    return result, chunks


async def failure(backend: GeminiBackend) -> LLMError:
    with pytest.raises(LLMError) as info:
        await run(backend)
    return info.value


# ----- success ----------------------------------------------------------------------------------------------------
async def test_success_streams_chunks_and_reports_usage_and_cost(fake):
    result, chunks = await run(backend_for(fake))
    assert len(chunks) == len(fake.chunks()) > 5
    assert "".join(chunks) == TEXT == result.text
    assert result.finish_reason == "STOP" and not result.truncated and result.notice == ""
    assert result.usage == Usage(1200, 300, 0, 1500)
    # gemini-2.5-pro default prices: 1.25 $/M input, 10 $/M output
    assert result.cost == pytest.approx((1200 * 1.25 + 300 * 10) / 1e6)
    assert "1,200 prompt + 300 output tokens" in result.describe()


async def test_request_carries_turns_system_and_key_only_in_header(fake):
    turns = [user("first request"), model("a draft"), user("fix it")]
    await run(backend_for(fake, temperature=0.2), turns, system="be brief")
    (req,) = fake.generate_requests()
    assert req.path.endswith("/models/gemini-2.5-pro:streamGenerateContent?alt=sse")
    assert [c["role"] for c in req.body["contents"]] == ["user", "model", "user"]
    assert req.body["contents"][2]["parts"][0]["text"] == "fix it"
    assert req.body["systemInstruction"]["parts"][0]["text"] == "be brief"
    assert req.body["generationConfig"]["temperature"] == 0.2
    headers = {k.lower(): v for k, v in req.headers.items()}
    assert headers["x-goog-api-key"] == "test-key"
    assert "test-key" not in req.path and "test-key" not in str(req.body)


async def test_model_override_is_used_in_path(fake):
    await run(backend_for(fake, model="gemini-2.5-flash"))
    assert ":streamGenerateContent" in fake.generate_requests()[0].path
    assert "/models/gemini-2.5-flash:" in fake.generate_requests()[0].path


async def test_slow_stream_still_completes(fake):
    fake.mode, fake.delay = "slow", 0.01
    result, chunks = await run(backend_for(fake))
    assert result.text == TEXT and len(chunks) > 5


async def test_count_tokens(fake):
    backend = backend_for(fake)
    n = await backend.count_tokens([user("one two three")], system="sys")
    await backend.aclose()
    assert isinstance(n, int) and n > 0
    assert any(":countTokens" in r.path for r in fake.requests)


# ----- errors before the stream -----------------------------------------------------------------------------------
async def test_400_invalid_key(fake):
    fake.mode = "400"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMAuthError)
    assert "Gemini rejected the API key (400 INVALID_ARGUMENT): API key not valid" in str(err)
    assert "GEMINI_API_KEY" in str(err) and "test-key" not in str(err)
    assert len(fake.generate_requests()) == 1  # 4xx other than 429 is never retried
    assert fake.rejected == []  # the SDK's request passed the fake's validation


async def test_403_permission_denied(fake):
    fake.mode = "403"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMAuthError)
    assert "Gemini rejected the API key (403 PERMISSION_DENIED)" in str(err)


async def test_404_unknown_model(fake):
    fake.mode = "404"
    err = await failure(backend_for(fake, model="no-such-model"))
    assert isinstance(err, LLMModelError)
    assert "Gemini does not know the model 'no-such-model' (404 NOT_FOUND)" in str(err)
    assert "--model" in str(err)
    # the hint lists the models the key can use (both pages of the listing, only those that generate content)
    assert "the key can use: gemini-2.5-pro, gemini-2.5-flash, gemini-2.5-flash-image, gemini-9.9-ultra-preview;" \
        in str(err)
    assert "embedding" not in str(err)


async def test_per_minute_429_waits_as_google_asks_then_gives_up(fake):
    fake.mode, fake.retry_delay = "429", "0.05s"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMQuotaError)
    assert err.retry_after == 0.05
    assert ("Gemini rate limit exhausted (429 RESOURCE_EXHAUSTED): GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
            ", limit 2 for gemini-2.5-pro; Google asks to retry in 0.05 s (3 requests sent)") in str(err)
    assert len(fake.generate_requests()) == 3


async def test_per_minute_429_longer_than_the_wait_budget_fails_at_once(fake):
    fake.mode = "429"  # RetryInfo 17 s
    err = await failure(backend_for(fake, max_wait=5))
    assert "Google asks to retry in 17 s, longer than the 5 s posttui waits (gemini_max_wait) (1 request sent)" \
        in str(err)
    assert len(fake.generate_requests()) == 1


async def test_daily_quota_with_limit_zero_sends_one_request_and_names_the_quota(fake):
    fake.mode = "429_daily"
    err = await failure(backend_for(fake, attempts=4))
    assert isinstance(err, LLMQuotaError)
    assert len(fake.generate_requests()) == 1
    assert ("Gemini daily quota exhausted (429 RESOURCE_EXHAUSTED): GenerateRequestsPerDayPerProjectPerModel-FreeTier,"
            " limit 0 for gemini-2.5-pro; the key's plan gives no access to this model; not retried (1 request sent)"
            ) in str(err)
    assert "enable billing" in str(err) and "posttui models" in str(err)


async def test_per_minute_429_then_success(fake):
    fake.script, fake.retry_delay = ["429"], "0.01s"
    result, _ = await run(backend_for(fake))
    assert result.text == TEXT and result.requests == 2
    assert "2 requests" in result.describe()


@pytest.mark.parametrize("mode,label", [("500", "500 INTERNAL"), ("503", "503 UNAVAILABLE")])
async def test_server_errors_after_retries(fake, mode, label):
    fake.mode = mode
    err = await failure(backend_for(fake, attempts=2))
    assert isinstance(err, LLMServerError)
    assert f"Gemini failed on its side ({label}) (2 requests sent): " in str(err)
    assert "try again" in str(err)
    assert len(fake.generate_requests()) == 2


async def test_retry_before_stream_then_success(fake):
    fake.script, fake.retry_delay = ["503", "429"], "0.01s"
    result, _ = await run(backend_for(fake))
    assert result.text == TEXT
    assert len(fake.generate_requests()) == 3 == result.requests


async def test_network_down():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = GeminiBackend(
        Config(gemini_base_url=f"http://127.0.0.1:{port}"), key="k", attempts=2, retry_initial_delay=0.01
    )
    with pytest.raises(LLMNetworkError) as info:
        await run(backend)
    assert f"cannot reach Gemini at http://127.0.0.1:{port} (2 requests sent): " in str(info.value)
    assert "--backend offline" in str(info.value)


async def test_connection_dropped_without_answer(fake):
    fake.mode = "drop"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMNetworkError)
    assert "cannot reach Gemini" in str(err)


async def test_hang_times_out_closes_and_is_not_retried(fake):
    fake.mode = "hang"
    err = await failure(backend_for(fake, timeout=0.3, attempts=4))
    assert isinstance(err, LLMTimeoutError)
    assert f"no answer from Gemini at {fake.base_url} for 0.3 s\n  hint" in str(err)
    assert await asyncio.to_thread(fake.disconnected.wait, 3.0)
    assert len(fake.generate_requests()) == 1  # a stall is not re-sent (the whole prompt, another full timeout)


# ----- failures inside the stream ---------------------------------------------------------------------------------
async def test_midstream_error_keeps_partial_and_is_not_retried(fake):
    fake.mode = "midstream"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMStreamError)
    expected = "".join(fake.chunks()[:2])
    assert err.partial == expected
    assert f"the Gemini stream broke mid-way (500 INTERNAL: Internal error encountered.); the {len(expected)} " \
        "characters received so far are kept" in str(err)
    assert len(fake.generate_requests()) == 1


async def test_hang_mid_stream_times_out_keeping_partial(fake):
    fake.mode = "hang_mid"
    err = await failure(backend_for(fake, timeout=0.3))
    assert isinstance(err, LLMTimeoutError)
    assert err.partial == "".join(fake.chunks()[:2])
    assert "characters received so far are kept" in str(err)


async def test_prompt_blocked(fake):
    fake.mode = "prompt_blocked"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMBlockedError)
    assert "Gemini blocked the prompt (SAFETY) and wrote nothing" in str(err)
    assert err.partial == ""


async def test_candidate_blocked_by_safety_keeps_partial(fake):
    fake.mode = "safety"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMBlockedError)
    assert err.partial == "".join(fake.chunks()[:2])
    assert "blocked by its safety filter (SAFETY); the 60 characters received are kept" in str(err)
    assert err.charge is not None and err.charge.usage.prompt_tokens == 1200 and err.charge.cost > 0


async def test_max_tokens_is_a_flagged_result_not_an_error(fake):
    fake.mode = "max_tokens"
    result, _ = await run(backend_for(fake))
    assert result.text == TEXT
    assert result.finish_reason == "MAX_TOKENS" and result.truncated
    assert "output limit (MAX_TOKENS)" in result.notice and "kept" in result.notice


async def test_empty_answer(fake):
    fake.mode = "empty"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMEmptyError)
    assert "Gemini (gemini-2.5-pro) returned an empty answer (finish reason STOP)" in str(err)


# ----- cancellation -----------------------------------------------------------------------------------------------
async def test_cancelling_the_task_closes_the_connection_at_once(fake):
    fake.mode, fake.delay, fake.text = "slow", 0.05, "x" * 6000  # 200 chunks, 10 s if left alone
    backend = backend_for(fake)
    received: list[str] = []
    stream = backend.stream([user("go")])

    async def consume():
        async for chunk in stream:
            received.append(chunk)

    task = asyncio.create_task(consume())
    while len(received) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(fake.disconnected.wait, 1.0), "server did not see the client go away"
    assert stream.text == "".join(received) and len(received) < 20
    await backend.aclose()


async def test_cancelling_while_waiting_for_first_byte_closes_the_connection(fake):
    fake.mode = "hang"
    backend = backend_for(fake)
    task = asyncio.create_task(backend.stream([user("go")]).collect())
    while not fake.generate_requests():
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(fake.disconnected.wait, 1.0)
    await backend.aclose()


# ----- configuration ----------------------------------------------------------------------------------------------
def test_no_key_is_a_clear_config_error():
    with pytest.raises(LLMConfigError) as info:
        GeminiBackend(Config())
    assert "no Gemini API key: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set" in str(info.value)
    assert "--backend offline" in str(info.value)


def test_default_backend_follows_the_key(monkeypatch):
    assert make_backend(Config(), paper=None).name == "offline"
    monkeypatch.setenv("GEMINI_API_KEY", "from-env")
    backend = make_backend(Config())
    assert backend.name == "gemini" and backend.model == "gemini-2.5-pro"


async def test_key_from_environment_reaches_the_server(fake, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "env-key-123")
    backend = make_backend(Config(gemini_base_url=fake.base_url), name="gemini")
    await backend.stream([user("hi")]).collect()
    await backend.aclose()
    headers = {k.lower(): v for k, v in fake.generate_requests()[0].headers.items()}
    assert headers["x-goog-api-key"] == "env-key-123"


def test_cost_estimate_uses_config_prices_and_versions():
    usage = Usage(prompt_tokens=100_000, output_tokens=500_000, thoughts_tokens=500_000)
    assert estimate_cost("gemini-2.5-pro-preview-06-05", usage) == pytest.approx(0.125 + 10.0)
    assert estimate_cost("models/gemini-2.5-pro-001", usage) == pytest.approx(0.125 + 10.0)
    assert estimate_cost("my-model", usage, {"my-model": {"input": 1, "output": 2}}) == pytest.approx(2.1)
    assert estimate_cost("unknown-model", usage) is None
    assert estimate_cost("gemini-2.5-flash-live", usage) is None  # another model, not a version of Flash
    long = Usage(prompt_tokens=300_000, output_tokens=0)
    assert estimate_cost("gemini-2.5-pro", long) == pytest.approx(0.3 * 2.5)


def test_turn_roles_are_validated():
    with pytest.raises(ValueError):
        Turn("system", "x")  # type: ignore[arg-type]


# ----- image prompt and image ---------------------------------------------------------------------------------------
from fake_gemini import tiny_png  # noqa: E402

from posttui.llm.image import generate_image, write_image_prompt  # noqa: E402
from posttui.llm.offline import OfflineBackend  # noqa: E402

IMAGE_CONFIG = Config(image_generation=True, image_model="gemini-2.5-flash-image")


async def test_image_prompt_is_a_second_call_given_the_post(fake):
    fake.text = '```\n"An abstract swirl of light over a dark sea."\n```'
    backend = backend_for(fake)
    result = await write_image_prompt(backend, "THE POST TEXT", config=Config())
    await backend.aclose()
    assert result.text == "An abstract swirl of light over a dark sea."
    request = fake.generate_requests()[0].body["contents"][0]["parts"][0]["text"]
    assert request.rstrip().endswith("THE POST TEXT") and "no text of any kind" in request


async def test_gemini_image_model_returns_inline_png(fake):
    fake.mode = "image"
    backend = backend_for(fake)
    image = await generate_image(backend, "an abstract image", config=IMAGE_CONFIG)
    await backend.aclose()
    assert image.data == tiny_png() and image.mime_type == "image/png"
    (req,) = fake.generate_requests()
    assert req.path.endswith("/models/gemini-2.5-flash-image:generateContent")
    assert req.body["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert req.body["generationConfig"]["imageConfig"]["aspectRatio"] == "16:9"


async def test_imagen_needs_vertex_mode(fake):
    backend = backend_for(fake)
    with pytest.raises(LLMConfigError) as info:
        await generate_image(backend, "x", config=Config(image_generation=True))
    await backend.aclose()
    message = str(info.value)
    assert "imagen-4.0-generate-001 is an Imagen model, which google-genai serves only through Vertex AI" in message
    assert "gemini-2.5-flash-image" in message and "GOOGLE_GENAI_USE_VERTEXAI" in message
    assert fake.generate_requests() == []


async def test_image_blocked_or_missing(fake):
    backend = backend_for(fake)
    fake.mode = "prompt_blocked"
    with pytest.raises(LLMBlockedError, match=r"gemini-2.5-flash-image blocked the image prompt \(SAFETY\)"):
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    fake.mode = "success"  # text instead of a picture
    with pytest.raises(LLMEmptyError, match="gemini-2.5-flash-image returned no image"):
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    fake.mode = "404"
    with pytest.raises(LLMModelError, match="does not know the model 'gemini-2.5-flash-image'"):
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    await backend.aclose()


async def test_non_png_image_is_refused_naming_its_format(fake):
    fake.mode, fake.image_bytes, fake.image_mime = "image", b"\xff\xd8\xff\xe0JPEGDATA", "image/png"
    backend = backend_for(fake)
    with pytest.raises(LLMError, match="gemini-2.5-flash-image returned a JPEG image; the site stores header images as "
                       "PNG, and posttui does not convert pictures") as info:
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    await backend.aclose()
    assert info.value.charge is not None and info.value.charge.cost > 0  # the picture was made and billed


async def test_offline_backend_makes_no_image():
    with pytest.raises(LLMConfigError, match="the offline writer makes no pictures"):
        await generate_image(OfflineBackend(None), "x", config=IMAGE_CONFIG)


async def test_gemini_key_wins_over_google_key_without_a_misleading_warning(fake, monkeypatch, caplog):
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-key")
    monkeypatch.setenv("GOOGLE_API_KEY", "google-key")
    backend = GeminiBackend(Config(gemini_base_url=fake.base_url), attempts=1)
    await backend.stream([user("hi")]).collect()
    await backend.aclose()
    headers = {k.lower(): v for k, v in fake.generate_requests()[0].headers.items()}
    assert headers["x-goog-api-key"] == "gemini-key"
    assert "Both GOOGLE_API_KEY and GEMINI_API_KEY" not in caplog.text


async def test_imagen_through_vertex_ai_express_mode(fake, monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    backend = GeminiBackend(
        Config(gemini_base_url=fake.base_url), key="k", attempts=1, environ={"GOOGLE_GENAI_USE_VERTEXAI": "true"}
    )
    assert backend.vertex
    fake.mode = "image"
    image = await generate_image(backend, "an abstract image", config=Config(image_generation=True))
    assert image.data == tiny_png() and image.model == "imagen-4.0-generate-001"
    (req,) = fake.requests
    assert req.path.endswith("/publishers/google/models/imagen-4.0-generate-001:predict")
    assert req.body["parameters"]["aspectRatio"] == "16:9"
    fake.mode = "filtered"
    with pytest.raises(LLMBlockedError, match="imagen-4.0-generate-001 returned no image"):
        await generate_image(backend, "x", config=Config(image_generation=True))
    await backend.aclose()


# ----- 1. transport: httpx even when aiohttp is installed, proxies honoured, errors of every client mapped ----------
async def test_a_stream_longer_than_the_timeout_succeeds_when_each_chunk_arrives_within_it(fake):
    """The timeout limits each read, not the whole stream (aiohttp's would: the CI runs this again with aiohttp)."""
    fake.mode, fake.delay, fake.chunk_size = "slow", 0.1, 20  # 18 chunks, ~1.7 s: more than 3 x the timeout
    result, chunks = await run(backend_for(fake, timeout=0.5, attempts=1))
    assert result.text == TEXT and len(chunks) == len(fake.chunks())
    assert result.elapsed > 3 * 0.5


def test_the_sdk_is_handed_posttuis_transport_so_it_never_switches_to_aiohttp(fake):
    backend = backend_for(fake)
    api = backend.client._api_client  # the SDK's own decision, read where it makes it
    assert api._use_aiohttp() is False
    assert type(api._http_options.async_client_args["transport"]).__name__ == "PinnedTransport"


def test_one_backend_serves_one_event_loop_after_another(fake):
    """Pooled connections belong to their loop: the transport keeps a pool per loop, as the SDK's own client does."""
    backend = backend_for(fake)

    async def once():
        return await backend.stream([user("hi")]).collect()

    assert asyncio.run(once()).text == TEXT
    assert asyncio.run(once()).text == TEXT  # a new loop; the first one's pool is closed with it
    asyncio.run(backend.aclose())
    assert len(fake.generate_requests()) == 2


async def test_proxy_environment_variables_are_honoured(fake, monkeypatch):
    """With a transport of its own the SDK's client stops reading HTTP_PROXY; posttui's transport reads it."""
    monkeypatch.setenv("HTTP_PROXY", fake.base_url)
    monkeypatch.setenv("NO_PROXY", "localhost")
    backend = GeminiBackend(Config(gemini_base_url="http://gemini.example.invalid"), key="test-key", attempts=1)
    result, _ = await run(backend)
    assert result.text == TEXT
    assert fake.proxied == ["gemini.example.invalid"]
    monkeypatch.setenv("NO_PROXY", "gemini.example.invalid")
    from posttui.llm.gemini import proxy_for

    assert proxy_for("http://gemini.example.invalid/v1/models") is None
    assert proxy_for("http://other.example.invalid/") == fake.base_url


def test_network_errors_of_aiohttp_are_mapped_too(fake):
    aiohttp = pytest.importorskip("aiohttp")
    backend = backend_for(fake)
    assert isinstance(backend._translate(aiohttp.ServerDisconnectedError(), 0), LLMNetworkError)
    assert isinstance(backend._translate(aiohttp.ServerTimeoutError("read"), 0), LLMTimeoutError)
    assert isinstance(backend._translate(aiohttp.ClientPayloadError("cut"), 10), LLMStreamError)


# ----- 2. deadlines -----------------------------------------------------------------------------------------------
async def test_server_deadline_is_generous_and_separate_from_the_read_timeout(fake):
    await run(backend_for(fake, timeout=0.5))
    headers = {k.lower(): v for k, v in fake.generate_requests()[0].headers.items()}
    assert headers["x-server-timeout"] == "1200"  # Config.gemini_server_timeout, not the 0.5 s read timeout
    fake.requests.clear()
    await run(backend_for(fake, server_timeout=3000))
    assert {k.lower(): v for k, v in fake.generate_requests()[0].headers.items()}["x-server-timeout"] == "3000"


# ----- 3. Vertex AI without credentials -----------------------------------------------------------------------------
@pytest.fixture
def no_cloud_credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))  # no application-default credentials there
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # google-auth must not probe the metadata server
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")


def test_vertex_without_credentials_is_a_configuration_error_with_the_gcloud_hint(no_cloud_credentials):
    with pytest.raises(LLMConfigError) as info:
        GeminiBackend(Config())
    assert "no Google Cloud credentials for Vertex AI" in str(info.value)
    assert "gcloud auth application-default login" in str(info.value)


async def test_vertex_with_a_project_but_no_credentials_fails_clearly_at_the_first_call(no_cloud_credentials,
                                                                                       monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
    backend = GeminiBackend(Config(), attempts=3)
    with pytest.raises(LLMConfigError, match="gcloud auth application-default login"):
        await run(backend)


def test_default_backend_is_gemini_only_with_credentials(no_cloud_credentials, monkeypatch, tmp_path):
    from posttui.llm import default_backend_name

    assert default_backend_name() == "offline"  # Vertex mode alone: the app still works, offline
    adc = tmp_path / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir()
    adc.write_text("{}")
    assert default_backend_name() == "gemini"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    assert default_backend_name() == "offline"
    monkeypatch.setenv("GEMINI_API_KEY", "k")  # express mode
    assert default_backend_name() == "gemini"


# ----- 4. retry policy (more above) --------------------------------------------------------------------------------
async def test_an_error_as_the_first_event_counts_one_request_each_time(fake):
    fake.mode = "error_first"
    err = await failure(backend_for(fake, attempts=1))
    assert isinstance(err, LLMServerError) and len(fake.generate_requests()) == 1
    assert "Gemini failed on its side (503 UNAVAILABLE): The model is overloaded." in str(err)
    assert "requests sent" not in str(err) and "tried" not in str(err)
    fake.script, fake.mode = ["error_first"], "success"
    result, _ = await run(backend_for(fake, attempts=2))  # nothing had arrived: sending again is safe
    assert result.text == TEXT and result.requests == 2


async def test_total_waiting_is_bounded(fake):
    fake.mode = "503"
    err = await failure(backend_for(fake, attempts=10, retry_initial_delay=0.05, retry_max_delay=10, max_wait=0.2))
    requests = len(fake.generate_requests())
    assert 2 <= requests < 10  # 0.05 + 0.1 (+ jitter) fit in 0.2 s; 0.2 more would not
    assert f"({requests} requests sent)" in str(err)


# ----- 5. models -----------------------------------------------------------------------------------------------------
async def test_the_answering_model_is_read_warned_about_and_priced(fake):
    fake.served_model = "gemini-2.5-flash"
    result, _ = await run(backend_for(fake))
    assert result.model == "gemini-2.5-pro" and result.model_version == "gemini-2.5-flash"
    assert "gemini-2.5-flash answered, not gemini-2.5-pro as asked" in result.notice
    assert result.cost == pytest.approx((1200 * 0.30 + 300 * 2.50) / 1e6)
    assert "gemini:gemini-2.5-pro (answered by gemini-2.5-flash)" in result.describe()
    assert result.charge.model == "gemini-2.5-flash"


async def test_a_dated_version_of_the_model_asked_for_is_not_a_reroute(fake):
    fake.served_model = "gemini-2.5-pro-preview-06-05"
    result, _ = await run(backend_for(fake))
    assert result.notice == "" and result.cost == pytest.approx((1200 * 1.25 + 300 * 10) / 1e6)


async def test_list_models_reads_every_page(fake):
    backend = backend_for(fake)
    models = await backend.list_models()
    await backend.aclose()
    assert [m.name for m in models] == [m["name"].split("/")[1] for m in fake.models]  # 3 + 2 on two pages
    assert [r.path for r in fake.requests] == ["/v1/models?pageSize=100", "/v1/models?pageSize=100&pageToken=3"]
    assert models[0].input_tokens == 1048576 and models[0].generates
    assert not next(m for m in models if m.name == "gemini-embedding-001").generates


# ----- 6. costs -------------------------------------------------------------------------------------------------------
async def test_a_model_missing_from_the_price_table_costs_unknown_never_zero(fake):
    result, _ = await run(backend_for(fake, model="gemini-9.9-ultra-preview"))
    assert result.cost is None
    assert "cost unknown (gemini-9.9-ultra-preview is not in the price table)" in result.describe()
    assert "$0.0" not in result.describe()
    from posttui.llm import Spend

    spend = Spend().add(result.charge)
    assert spend.describe() == "cost unknown"
    known = backend_for(fake)
    spend.add((await run(known))[0].charge)
    assert spend.describe() == "$0.0045 + unknown (1 call to gemini-9.9-ultra-preview)"


async def test_thinking_and_cached_tokens_are_read_from_every_chunk_and_priced(fake):
    fake.thought = "**Planning the post** I will start with the key result."
    fake.usage = {"promptTokenCount": 10_000, "candidatesTokenCount": 300, "thoughtsTokenCount": 2_000,
                  "cachedContentTokenCount": 8_000}
    result, chunks = await run(backend_for(fake))
    assert "Planning" not in result.text and result.text == TEXT  # the thought summary is not the post
    assert result.usage == Usage(10_000, 300, 2_000, 12_300, 8_000)
    expected = (2_000 * 1.25 + 8_000 * 0.125 + (300 + 2_000) * 10) / 1e6
    assert result.cost == pytest.approx(expected)
    assert "8,000 of the prompt cached" in result.describe()


def test_the_long_context_tier_is_judged_per_request():
    from posttui.llm import Spend
    from posttui.llm.base import Charge

    small = Usage(prompt_tokens=150_000)
    one = estimate_cost("gemini-2.5-pro", small)
    assert one == pytest.approx(0.15 * 1.25)  # each request is under 200k: the base rate
    spend = Spend().add(Charge("gemini", "gemini-2.5-pro", small, one)).add(Charge("gemini", "gemini-2.5-pro", small, one))
    assert spend.usd == pytest.approx(2 * 0.15 * 1.25)  # not 300k at the long rate
    assert estimate_cost("gemini-2.5-pro", small + small) == pytest.approx(0.3 * 2.5)


def test_image_tokens_are_priced_as_image_output():
    usage = Usage(prompt_tokens=220, output_tokens=1290, image_output_tokens=1290)
    assert estimate_cost("gemini-2.5-flash-image", usage) == pytest.approx((220 * 0.30 + 1290 * 30) / 1e6)
    assert estimate_cost("imagen-4.0-generate-001", Usage(images=1)) == pytest.approx(0.04)


async def test_failed_and_stopped_calls_carry_what_google_billed(fake):
    fake.mode = "midstream"
    err = await failure(backend_for(fake))
    assert err.charge.usage.prompt_tokens == 1200 and err.charge.cost > 0 and err.charge.requests == 1
    fake.mode, fake.delay = "slow", 0.05
    backend = backend_for(fake)
    stream = backend.stream([user("go")])
    task = asyncio.create_task(stream.collect())
    while len(stream.text) < 60:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await backend.aclose()
    stopped = stream.charge()
    assert stopped.usage.prompt_tokens == 1200 and 0 < stopped.usage.output_tokens < 300 and stopped.cost > 0


async def test_image_result_and_image_prompt_carry_their_charges(fake):
    fake.mode = "image"
    backend = backend_for(fake)
    image = await generate_image(backend, "an abstract image", config=IMAGE_CONFIG)
    assert image.usage.image_output_tokens == 1290
    assert image.charge.cost == pytest.approx((220 * 0.30 + 1290 * 30) / 1e6)  # ~12x Flash text's price
    fake.mode, fake.text = "success", "An abstract swirl."
    prompt = await write_image_prompt(backend, "THE POST", config=Config())
    await backend.aclose()
    assert prompt.charge.cost == pytest.approx((1200 * 1.25 + 300 * 10) / 1e6)


# ----- 7. messages ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode,what", [("html", "not JSON"), ("502_html", "HTTP 502")])
async def test_an_html_page_is_a_network_problem_not_the_key(fake, mode, what):
    fake.mode = mode
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMNetworkError)
    assert f"got a web page instead of an answer from the Gemini API at {fake.base_url} ({what})" in str(err)
    assert "not the API key" in str(err) and "<html" not in str(err)
    assert len(fake.generate_requests()) == 1


async def test_recitation_means_repeating_source_text_not_safety(fake):
    fake.mode = "recitation"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMBlockedError)
    assert "repeating source text word for word (RECITATION)" in str(err) and "safety" not in str(err)


async def test_unsupported_location_has_its_own_hint(fake):
    fake.mode = "400_location"
    err = await failure(backend_for(fake))
    assert isinstance(err, LLMConfigError)
    assert "User location is not supported" in str(err) and "available-regions" in str(err)
    assert "API key" not in str(err)


async def test_an_over_long_prompt_says_so(fake):
    fake.mode = "400_too_long"
    err = await failure(backend_for(fake))
    assert "the prompt is too long for gemini-2.5-pro (400 INVALID_ARGUMENT): The input token count (1250000)" \
        in str(err)
    assert "--lean" in str(err)


async def test_the_auth_error_names_the_variable_the_key_came_from(fake, monkeypatch):
    fake.mode = "403_leaked"
    monkeypatch.setenv("GOOGLE_API_KEY", "leaked")
    err = await failure(GeminiBackend(Config(gemini_base_url=fake.base_url), attempts=1))
    assert isinstance(err, LLMAuthError)
    assert "Gemini rejected the API key in GOOGLE_API_KEY (403 PERMISSION_DENIED): Your API key was reported as " \
        "leaked" in str(err)
    assert "the key in GOOGLE_API_KEY was published somewhere" in str(err) and "leaked\n" not in str(err)


async def test_max_tokens_without_text_names_the_max_output_tokens_setting(fake, monkeypatch):
    monkeypatch.setenv("POSTTUI_MAX_OUTPUT_TOKENS", "2048")
    from posttui.config import load_config

    config = load_config()
    assert config.max_output_tokens == 2048
    fake.mode, fake.text = "max_tokens", ""
    fake.thought = "thinking..."
    err = await failure(GeminiBackend(Config(gemini_base_url=fake.base_url, max_output_tokens=2048), key="k"))
    assert isinstance(err, LLMEmptyError) and "raise max_output_tokens in config.toml" in str(err)
    assert fake.generate_requests()[0].body["generationConfig"]["maxOutputTokens"] == 2048


# ----- 8. images -------------------------------------------------------------------------------------------------------
async def test_thought_images_are_skipped(fake):
    fake.mode = "image_thinking"
    backend = backend_for(fake)
    image = await generate_image(backend, "x", config=IMAGE_CONFIG)
    await backend.aclose()
    assert image.data == tiny_png()  # the final picture, not the red draft sent as a thought


async def test_a_filtered_image_says_why(fake):
    fake.mode = "image_safety"
    backend = backend_for(fake)
    with pytest.raises(LLMBlockedError) as info:
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    await backend.aclose()
    assert "gemini-2.5-flash-image made no image (finish reason IMAGE_SAFETY: the picture tripped the image safety " \
           "filter); the model said: \"I can't make pictures of real people.\"" in str(info.value)
    assert info.value.charge.usage.prompt_tokens == 220


async def test_words_instead_of_a_picture_are_quoted(fake):
    fake.mode = "success"
    fake.text = "I cannot draw that."
    backend = backend_for(fake)
    with pytest.raises(LLMEmptyError, match="returned no image; it answered in words instead: 'I cannot draw that.'"):
        await generate_image(backend, "x", config=IMAGE_CONFIG)
    await backend.aclose()


# ----- the fake itself is strict -------------------------------------------------------------------------------------
def test_the_fake_refuses_unknown_fields_and_other_paths(fake):
    import json
    import urllib.error
    import urllib.request

    def post(path, body):
        request = urllib.request.Request(fake.base_url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    good = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    assert post("/v1/models/gemini-2.5-pro:generateContent", good)[0] == 200
    assert post("/v1beta/models/gemini-2.5-pro:generateContent", good)[0] == 404
    assert post("/v1/models/gemini-2.5-pro:streamGenerateContent", good)[0] == 404  # no ?alt=sse
    code, body = post("/v1/models/gemini-2.5-pro:generateContent", {**good, "generation_config": {}})
    assert code == 400 and b'Unknown name \\"generation_config\\"' in body
    bad_part = {"contents": [{"role": "user", "parts": [{"text": "hi", "bogus": 1}]}]}
    assert post("/v1/models/gemini-2.5-pro:generateContent", bad_part)[0] == 400
    bad_config = {**good, "generationConfig": {"maxTokens": 5}}
    assert post("/v1/models/gemini-2.5-pro:generateContent", bad_config)[0] == 400
    assert len(fake.rejected) == 3 and fake.server_errors == []
