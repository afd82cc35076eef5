"""A fake Gemini API server for tests: stdlib only, 127.0.0.1, random port, real HTTP.

The real google-genai SDK talks to it exactly as it would talk to Google (``HttpOptions(base_url=...)``), so the
tests exercise the SDK's HTTP layer, error parsing, retries and streaming, and posttui's mapping of every failure
to a message. It is strict where Google is: only the paths google-genai 3.6.1 uses are answered
(``/v1/models/MODEL:streamGenerateContent?alt=sse``, ``:generateContent``, ``:countTokens``, ``GET /v1/models``,
Vertex ``:predict``; anything else is a 404), request bodies are validated with the SDK's own pydantic types (an
unknown field is a 400, recorded in ``rejected``), and every response carries ``modelVersion``; streamed chunks
each carry usage. Each generate request is answered according to the current *mode* (or the next ``script``
entry)::

    success         stream ``text`` in chunks (after a thought part when ``thought`` is set), finishReason STOP
    slow            like success with ``delay`` seconds between chunks (long streams, cancellation)
    hang            read the request, never answer (timeout tests); notices when the client goes away
    hang_mid        send a few chunks, then hang
    error_first     a 200, then an error (503 UNAVAILABLE) as the first event of the stream
    400 / 403 / 404 / 429 / 500 / 503   an error body as the real API sends it (429: per-minute, RetryInfo)
    400_too_long    the prompt is over the model's input limit
    400_location    "User location is not supported for the API use."
    403_leaked      the key was reported as leaked
    429_daily       the daily quota, with limit 0 (the plan has no access to the model)
    html / 502_html a proxy's or captive portal's HTML page (status 200 or 502)
    midstream       a few chunks, then an error event inside the stream (the SDK raises ServerError)
    prompt_blocked  ``promptFeedback.blockReason = SAFETY`` and no candidate
    safety / recitation   a few chunks, then finishReason SAFETY / RECITATION
    max_tokens      the whole text, then finishReason MAX_TOKENS
    empty           a candidate with no text and finishReason STOP
    image           (generateContent) a text part and an inline image (``image_mime``); (Imagen) a prediction
    image_thinking  a draft picture as a thought part, then the image
    image_safety    no image, finishReason IMAGE_SAFETY with a finishMessage
    drop            close the connection without answering (a network failure after connect)

``served_model`` makes the answers come from another model than asked for (a reroute). ``countTokens`` is answered
with ``{"totalTokens": N}``; ``GET /v1/models`` lists ``models`` in pages of ``page_size``. Every request is
recorded (method, path, headers, JSON body); ``disconnected`` is set when the server notices that a client closed
the connection mid-answer.
"""

from __future__ import annotations

import base64
import json
import re
import select
import socket
import struct
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def tiny_png(width: int = 16, height: int = 9, rgb: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A valid PNG of one flat colour (built by hand so tests need no imaging library)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _quota(quota_id: str, value: str, delay: str | None, message: str) -> tuple:
    """A 429 as the Gemini API sends it: QuotaFailure naming the quota (and its value), Help, RetryInfo."""
    details: list = [
        {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [
                {
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": "gemini-2.5-pro"},
                    "quotaValue": value,
                }
            ],
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{"description": "Learn more about Gemini API quotas",
                       "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}],
        },
    ]
    if delay is not None:
        details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay})
    return (429, "RESOURCE_EXHAUSTED", message, details)


QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more information on this "
    "error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: "
    "generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: {limit}, model: gemini-2.5-pro"
)

ERRORS = {
    "400": (
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    ),
    "400_too_long": (
        400,
        "INVALID_ARGUMENT",
        "The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).",
        [],
    ),
    "400_location": (400, "FAILED_PRECONDITION", "User location is not supported for the API use.", []),
    "403": (
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key "
        "or other form of API consumer identity to call this API.",
        [],
    ),
    "403_leaked": (403, "PERMISSION_DENIED", "Your API key was reported as leaked. Please use another API key.", []),
    "404": (
        404,
        "NOT_FOUND",
        "models/no-such-model is not found for API version v1beta, or is not supported for generateContent.",
        [],
    ),
    # A per-minute rate limit: worth waiting for (RetryInfo says how long).
    "429": _quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "2", "17s", QUOTA_MESSAGE.format(limit=2)),
    # The daily quota with limit 0: the key's plan has no access to the model at all; waiting never helps.
    "429_daily": _quota(
        "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "0", "39s",
        QUOTA_MESSAGE.format(limit=0) + "\nPlease retry in 39.245s.",
    ),
    "500": (500, "INTERNAL", "An internal error has occurred. Please retry or report in the issue tracker.", []),
    "503": (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", []),
}

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Network login</title></head><body><h1>Sign in to continue</h1>"
    "<p>This network requires you to sign in before browsing.</p></body></html>"
)

MODELS = [
    {"name": "models/gemini-2.5-pro", "version": "2.5", "displayName": "Gemini 2.5 Pro",
     "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
     "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]},
    {"name": "models/gemini-2.5-flash", "version": "001", "displayName": "Gemini 2.5 Flash",
     "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
     "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]},
    {"name": "models/gemini-2.5-flash-image", "version": "2.0", "displayName": "Nano Banana",
     "inputTokenLimit": 32768, "outputTokenLimit": 32768,
     "supportedGenerationMethods": ["generateContent", "countTokens", "batchGenerateContent"]},
    {"name": "models/gemini-embedding-001", "version": "001", "displayName": "Gemini Embedding 001",
     "inputTokenLimit": 2048, "outputTokenLimit": 1, "supportedGenerationMethods": ["embedContent", "countTokens"]},
    {"name": "models/gemini-9.9-ultra-preview", "version": "9.9", "displayName": "A model with no known price",
     "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
     "supportedGenerationMethods": ["generateContent", "countTokens"]},
]
"""What ``GET /v1/models`` lists, in the real API's shape (in pages of at most ``FakeGemini.page_size``)."""

DEFAULT_TEXT = (
    "---\ntitle: A test post\n---\n\n<!-- BEGINNING OF GENERATED POST -->\n\n"
    "The fake server wrote this sentence. It streams in several small chunks so that the client sees a real "
    "stream.\n\n<!-- END OF GENERATED POST -->\n"
)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict
    body: dict | None


GENERATE_PATH = re.compile(r"^/(?P<version>v1)/models/(?P<model>[A-Za-z0-9._-]+):(?P<method>[A-Za-z]+)(?:\?(?P<query>.*))?$")
VERTEX_PREDICT = re.compile(
    r"^/v1beta1/(?:projects/[^/]+/locations/[^/]+/)?publishers/google/models/(?P<model>[A-Za-z0-9._-]+):predict$"
)
LIST_PATH = re.compile(r"^/v1/models(?:\?(?P<query>.*))?$")

# The wire fields of a generateContent request (google-genai 3.6.1's _GenerateContentParameters_to_mldev).
REQUEST_FIELDS = {"contents", "systemInstruction", "generationConfig", "safetySettings", "tools", "toolConfig",
                  "cachedContent", "labels", "serviceTier", "store"}


def validate_generate_request(body) -> str | None:
    """Why ``body`` is not a valid generateContent request (checked with the SDK's own pydantic types, which
    forbid unknown fields), or None when it is valid."""
    from google.genai import types
    from pydantic import ValidationError

    if not isinstance(body, dict):
        return "Invalid JSON payload received. Expected an object."
    unknown = sorted(set(body) - REQUEST_FIELDS)
    if unknown:
        return f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.'
    if not body.get("contents"):
        return "* GenerateContentRequest.contents: contents is not specified"
    try:
        for content in body["contents"]:
            types.Content.model_validate(content)
        if "systemInstruction" in body:
            types.Content.model_validate(body["systemInstruction"])
        config = body.get("generationConfig")
        if config is not None:
            misplaced = {"systemInstruction", "safetySettings", "tools", "toolConfig", "cachedContent", "httpOptions"}
            if misplaced & set(config):
                name = sorted(misplaced & set(config))[0]
                return f'Invalid JSON payload received. Unknown name "{name}" at \'generation_config\': Cannot find field.'
            types.GenerateContentConfig.model_validate(config)
        for setting in body.get("safetySettings") or []:
            types.SafetySetting.model_validate(setting)
    except ValidationError as exc:
        return f"Invalid JSON payload received. {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
    return None


def check_response(payload: dict) -> str | None:
    """Why a payload the fake is about to send is not a GenerateContentResponse (a bug in the fake), or None."""
    from google.genai import types
    from pydantic import ValidationError

    try:
        types.GenerateContentResponse.model_validate(payload)
    except ValidationError as exc:
        return str(exc)
    return None


@dataclass
class FakeGemini:
    mode: str = "success"
    text: str = DEFAULT_TEXT
    chunk_size: int = 40
    delay: float = 0.0
    script: list[str] = field(default_factory=list)
    """Modes for the next requests, consumed one per generate request before ``mode`` applies."""
    partial_chunks: int = 2
    """How many chunks midstream/safety/hang_mid send before failing."""
    image_bytes: bytes = field(default_factory=tiny_png)
    image_mime: str = "image/png"
    usage: dict = field(default_factory=lambda: {"promptTokenCount": 1200, "candidatesTokenCount": 300})
    """The final usage; every streamed chunk carries usage too, growing towards it (as the real API does)."""
    thought: str = ""
    """When set, the stream starts with a thought-summary part with this text (``thought: true``)."""
    served_model: str | None = None
    """``modelVersion`` in every response; None answers with the model that was asked for (a reroute sets it)."""
    retry_delay: str = "17s"
    """The RetryInfo delay of the per-minute 429."""
    models: list[dict] = field(default_factory=lambda: [dict(m) for m in MODELS])
    page_size: int = 3
    list_mode: str = "success"
    """How ``GET /v1/models`` answers: the list, or one of the ERRORS (it does not consume ``script``)."""

    def __post_init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.proxied: list[str] = []
        """Hosts of requests that reached this server as a proxy (absolute URLs), as HTTP_PROXY sends them."""
        self.rejected: list[str] = []
        """Why requests were refused with 400 by the validation (a test of a valid request asserts it is empty)."""
        self.server_errors: list[str] = []
        """Unexpected exceptions inside the fake server (a test may assert there were none)."""
        self.disconnected = threading.Event()
        self.stream_started = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> "FakeGemini":
        fake = self
        # Import and build the SDK's validators now: done lazily on the first request, they would delay that
        # answer by a second or more on a busy machine, longer than the short timeouts tests use.
        validate_generate_request({"contents": [{"role": "user", "parts": [{"text": "warm up"}]}],
                                   "generationConfig": {"temperature": 0.1}})
        check_response({"candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}}]})

        class Handler(_Handler):
            server_fake = fake

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # noqa: ARG002 - keep test output clean
                import sys

                exc = sys.exc_info()[1]
                if isinstance(exc, OSError):  # the client went away (cancellation, timeouts): expected
                    fake.disconnected.set()
                else:
                    fake.server_errors.append(repr(exc))

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "FakeGemini":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def generate_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if ":generateContent" in r.path or ":streamGenerateContent" in r.path]

    def next_mode(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else self.mode

    def chunks(self) -> list[str]:
        size = max(1, self.chunk_size)
        return [self.text[i : i + size] for i in range(0, len(self.text), size)] or [""]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeGemini
    model = ""

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    # ----- plumbing -------------------------------------------------------------------------------------------
    def _read_body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_html(self, status: int) -> None:
        data = HTML_PAGE.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _error_body(self, mode: str) -> dict:
        code, status, message, details = ERRORS[mode]
        if mode == "429":
            details = [dict(d, retryDelay=self.server_fake.retry_delay) if "retryDelay" in d else d for d in details]
        return {"error": {"code": code, "message": message, "status": status, "details": details}}

    def _send_error(self, mode: str) -> None:
        self._send_json(ERRORS[mode][0], self._error_body(mode))

    def _not_found(self) -> None:
        self._send_json(404, {"error": {"code": 404, "message": f"The requested URL {self.path} was not found.",
                                        "status": "NOT_FOUND"}})

    def _client_gone(self) -> bool:
        """True when the peer closed its end (readable socket with nothing to read)."""
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            return sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _wait(self, seconds: float | None) -> bool:
        """Sleep up to ``seconds`` (forever if None); return False as soon as the client disconnects."""
        fake = self.server_fake
        end = None if seconds is None else time.monotonic() + seconds
        while not fake._stop.is_set():
            if self._client_gone():
                fake.disconnected.set()
                return False
            if end is not None and time.monotonic() >= end:
                return True
            time.sleep(0.01)
        return False

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        self.server_fake.stream_started.set()

    def _event(self, payload: dict) -> bool:
        if "error" not in payload:
            payload = {**payload, "modelVersion": self._model_version(), "responseId": "fake-response-1"}
            problem = check_response(payload)
            if problem:
                self.server_fake.server_errors.append(f"the fake sent an invalid response: {problem}")
        data = f"data: {json.dumps(payload)}\r\n\r\n".encode()
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            return True
        except OSError:
            self.server_fake.disconnected.set()
            return False

    def _end_stream(self) -> None:
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            self.server_fake.disconnected.set()

    def _model_version(self) -> str:
        return self.server_fake.served_model or self.model

    @staticmethod
    def _candidate(text: str | None, finish: str | None = None, *, thought: bool = False) -> dict:
        parts: list = []
        if text is not None:
            parts = [{"text": text, "thought": True} if thought else {"text": text}]
        cand: dict = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            cand["finishReason"] = finish
        if finish == "SAFETY":
            cand["safetyRatings"] = [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
            ]
        return cand

    def _usage(self, fraction: float = 1.0) -> dict:
        """Usage metadata as the API reports it part-way through (``fraction`` of the output so far)."""
        usage = dict(self.server_fake.usage)
        if "candidatesTokenCount" in usage:
            usage["candidatesTokenCount"] = int(round(usage["candidatesTokenCount"] * fraction))
        for key, value in list(usage.items()):
            if key.endswith("TokenCount") and not value and key != "promptTokenCount":
                del usage[key]  # the real API leaves out zero counts
        usage["totalTokenCount"] = sum(v for k, v in usage.items() if k in (
            "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount"))
        return usage

    # ----- routes ---------------------------------------------------------------------------------------------
    def _unproxy(self) -> None:
        """A request sent through this server as an HTTP proxy names the whole URL: record the host, keep the path."""
        if self.path.startswith("http://"):
            parts = urllib.parse.urlsplit(self.path)
            self.server_fake.proxied.append(parts.netloc)
            self.path = parts.path + (f"?{parts.query}" if parts.query else "")

    def do_GET(self) -> None:  # noqa: N802
        fake = self.server_fake
        self._unproxy()
        fake.requests.append(RecordedRequest("GET", self.path, dict(self.headers), None))
        match = LIST_PATH.match(self.path)
        if not match:
            self._not_found()
            return
        if fake.list_mode in ERRORS:
            self._send_error(fake.list_mode)
            return
        query = urllib.parse.parse_qs(match.group("query") or "")
        size = min(int((query.get("pageSize") or [fake.page_size])[0]), fake.page_size)  # the server may send fewer
        start = int((query.get("pageToken") or ["0"])[0])
        page: dict = {"models": fake.models[start : start + size]}
        if start + size < len(fake.models):
            page["nextPageToken"] = str(start + size)
        self._send_json(200, page)

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        self._unproxy()
        body = self._read_body()
        fake.requests.append(RecordedRequest("POST", self.path, dict(self.headers), body))
        predict = VERTEX_PREDICT.match(self.path)
        if predict:  # Imagen on Vertex AI
            mode = fake.next_mode()
            if mode in ERRORS:
                self._send_error(mode)
            elif mode == "image":
                data = base64.b64encode(fake.image_bytes).decode()
                self._send_json(200, {"predictions": [{"bytesBase64Encoded": data, "mimeType": fake.image_mime}]})
            else:  # filtered by the safety system: no prediction
                self._send_json(200, {"predictions": [{"raiFilteredReason": "Filtered by the safety system."}]})
            return
        match = GENERATE_PATH.match(self.path)
        method = match.group("method") if match else ""
        query = match.group("query") if match else None
        if method == "countTokens" and query is None:
            if not isinstance(body, dict) or set(body) - {"contents", "generateContentRequest"}:
                self._reject("Invalid JSON payload received. countTokens takes contents only.")
                return
            words = json.dumps(body).split()
            self._send_json(200, {"totalTokens": max(1, len(words))})
            return
        streaming = method == "streamGenerateContent" and query == "alt=sse"
        if not (streaming or (method == "generateContent" and query is None)):
            self._not_found()
            return
        self.model = match.group("model")
        problem = validate_generate_request(body)
        if problem:
            self._reject(problem)
            return
        mode = fake.next_mode()
        if mode in ERRORS:
            self._send_error(mode)
        elif mode == "html":
            self._send_html(200)
        elif mode == "502_html":
            self._send_html(502)
        elif mode == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif mode == "hang":
            self._wait(None)
            self.close_connection = True
        elif streaming:
            self._stream(mode)
        else:
            self._whole(mode)

    def _reject(self, problem: str) -> None:
        self.server_fake.rejected.append(problem)
        self._send_json(400, {"error": {"code": 400, "message": problem, "status": "INVALID_ARGUMENT"}})

    def _image_part(self, data: bytes, mime: str, *, thought: bool = False) -> dict:
        part: dict = {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}
        if thought:
            part["thought"] = True
        return part

    def _whole(self, mode: str) -> None:
        fake = self.server_fake
        payload: dict
        if mode in ("image", "image_thinking", "image_safety"):
            parts = [{"text": "Here is the image you asked for."}]
            if mode == "image_safety":
                parts = [{"text": "I can't make pictures of real people."}]
            if mode == "image_thinking":  # a draft picture as a thought, then the real one
                parts = [self._image_part(tiny_png(rgb=(200, 0, 0)), "image/png", thought=True)]
            finish = "STOP"
            if mode == "image_safety":
                finish = "IMAGE_SAFETY"
            else:
                parts.append(self._image_part(fake.image_bytes, fake.image_mime))
            cand: dict = {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
            if mode == "image_safety":
                cand["finishMessage"] = "The image could not be generated: it may depict a real person."
            usage = {"promptTokenCount": 220, "candidatesTokenCount": 1290 if finish == "STOP" else 0,
                     "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}] if finish == "STOP"
                     else [], "totalTokenCount": 1510 if finish == "STOP" else 220}
            payload = {"candidates": [cand], "usageMetadata": usage}
        elif mode == "prompt_blocked":
            payload = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": self._usage(0)}
        elif mode == "empty":
            payload = {"candidates": [self._candidate(None, "STOP")], "usageMetadata": self._usage(0)}
        else:
            finish = {"safety": "SAFETY", "max_tokens": "MAX_TOKENS", "recitation": "RECITATION"}.get(mode, "STOP")
            text = "" if mode in ("safety", "recitation") else fake.text
            payload = {"candidates": [self._candidate(text, finish)], "usageMetadata": self._usage()}
        payload.update(modelVersion=self._model_version(), responseId="fake-response-1")
        problem = check_response(payload)
        if problem:
            fake.server_errors.append(f"the fake sent an invalid response: {problem}")
        self._send_json(200, payload)

    def _stream(self, mode: str) -> None:
        fake = self.server_fake
        self._start_stream()
        chunks = fake.chunks()
        if mode == "error_first":  # a 200, then the error as the first event (as Google does when overloaded)
            self._event(self._error_body("503"))
            self._end_stream()
            return
        if mode == "prompt_blocked":
            self._event({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": self._usage(0)})
            self._end_stream()
            return
        if mode == "empty":
            self._event({"candidates": [self._candidate(None, "STOP")], "usageMetadata": self._usage(0)})
            self._end_stream()
            return
        if fake.thought:
            if not self._event({"candidates": [self._candidate(fake.thought, thought=True)],
                                "usageMetadata": self._usage(0)}):
                return
        if mode in ("midstream", "safety", "hang_mid", "recitation"):
            chunks = chunks[: fake.partial_chunks]
        delay = fake.delay if mode == "slow" else 0.0
        total = len(fake.chunks())
        for i, piece in enumerate(chunks):
            last = i == len(chunks) - 1
            payload: dict = {"candidates": [self._candidate(piece)], "usageMetadata": self._usage((i + 1) / total)}
            if last and mode in ("success", "slow", "max_tokens"):
                payload["candidates"][0]["finishReason"] = "MAX_TOKENS" if mode == "max_tokens" else "STOP"
                payload["usageMetadata"] = self._usage()
            if not self._event(payload):
                return
            if delay and not last and not self._wait(delay):
                return
        if mode == "midstream":
            self._event({"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}})
        elif mode in ("safety", "recitation"):
            finish = mode.upper()
            payload = {"candidates": [self._candidate("", finish)], "usageMetadata": self._usage(len(chunks) / total)}
            self._event(payload)
        elif mode == "hang_mid":
            self._wait(None)
            self.close_connection = True
            return
        self._end_stream()
