"""A fake Gemini API server for tests: stdlib only, 127.0.0.1, random port, real HTTP.

The real google-genai SDK talks to it exactly as it would talk to Google (``HttpOptions(base_url=...)``), so the
tests exercise the SDK's HTTP layer, error parsing, retries and streaming, and posttui's mapping of every failure
to a message. Each request is answered according to the current *mode* (or the next entry of ``script``)::

    success         stream ``text`` in chunks, finishReason STOP, usage metadata
    slow            like success with ``delay`` seconds between chunks (cancellation tests)
    hang            read the request, never answer (timeout tests); notices when the client goes away
    hang_mid        send a few chunks, then hang
    400 / 403 / 404 / 429 / 500 / 503   an error body as the real API sends it (429 carries a RetryInfo delay)
    midstream       a few chunks, then an error event inside the stream (the SDK raises ServerError)
    prompt_blocked  ``promptFeedback.blockReason = SAFETY`` and no candidate
    safety          a few chunks, then finishReason SAFETY
    max_tokens      the whole text, then finishReason MAX_TOKENS
    empty           a candidate with no text and finishReason STOP
    image           (generateContent) a candidate with an inline PNG part; (Imagen ``:predict``) a prediction
    drop            close the connection without answering (a network failure after connect)

``countTokens`` is always answered with ``{"totalTokens": N}``. Every request is recorded (method, path, headers,
JSON body); ``disconnected`` is set when the server notices that a client closed the connection mid-answer.
"""

from __future__ import annotations

import base64
import json
import select
import socket
import struct
import threading
import time
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
    "403": (
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key "
        "or other form of API consumer identity to call this API.",
        [],
    ),
    "404": (
        404,
        "NOT_FOUND",
        "models/no-such-model is not found for API version v1beta, or is not supported for generateContent.",
        [],
    ),
    "429": (
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                    }
                ],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"},
        ],
    ),
    "500": (500, "INTERNAL", "An internal error has occurred. Please retry or report in the issue tracker.", []),
    "503": (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", []),
}

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
    usage: dict = field(default_factory=lambda: {"promptTokenCount": 1200, "candidatesTokenCount": 300})

    def __post_init__(self) -> None:
        self.requests: list[RecordedRequest] = []
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

    def _send_error(self, mode: str) -> None:
        code, status, message, details = ERRORS[mode]
        self._send_json(code, {"error": {"code": code, "message": message, "status": status, "details": details}})

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

    @staticmethod
    def _candidate(text: str | None, finish: str | None = None) -> dict:
        cand: dict = {"content": {"role": "model", "parts": [{"text": text}] if text is not None else []}, "index": 0}
        if finish:
            cand["finishReason"] = finish
        if finish == "SAFETY":
            cand["safetyRatings"] = [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
            ]
        return cand

    def _usage(self) -> dict:
        usage = dict(self.server_fake.usage)
        usage["totalTokenCount"] = usage.get("promptTokenCount", 0) + usage.get("candidatesTokenCount", 0)
        return usage

    # ----- routes ---------------------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        self.server_fake.requests.append(RecordedRequest("GET", self.path, dict(self.headers), None))
        self._send_json(404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}})

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        body = self._read_body()
        fake.requests.append(RecordedRequest("POST", self.path, dict(self.headers), body))
        if ":countTokens" in self.path:
            words = json.dumps(body or {}).split()
            self._send_json(200, {"totalTokens": max(1, len(words))})
            return
        if ":predict" in self.path:  # Imagen on Vertex AI
            mode = fake.next_mode()
            if mode in ERRORS:
                self._send_error(mode)
            elif mode == "image":
                data = base64.b64encode(fake.image_bytes).decode()
                self._send_json(200, {"predictions": [{"bytesBase64Encoded": data, "mimeType": "image/png"}]})
            else:  # filtered by the safety system: no prediction
                self._send_json(200, {"predictions": [{"raiFilteredReason": "Filtered by the safety system."}]})
            return
        streaming = ":streamGenerateContent" in self.path
        if not streaming and ":generateContent" not in self.path:
            self._send_json(404, {"error": {"code": 404, "message": f"no route {self.path}", "status": "NOT_FOUND"}})
            return
        mode = fake.next_mode()
        if mode in ERRORS:
            self._send_error(mode)
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

    def _whole(self, mode: str) -> None:
        fake = self.server_fake
        if mode == "image":
            part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(fake.image_bytes).decode()}}
            cand = {"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}
            self._send_json(200, {"candidates": [cand], "usageMetadata": self._usage()})
        elif mode == "prompt_blocked":
            self._send_json(200, {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": self._usage()})
        elif mode == "empty":
            self._send_json(200, {"candidates": [self._candidate(None, "STOP")], "usageMetadata": self._usage()})
        else:
            finish = {"safety": "SAFETY", "max_tokens": "MAX_TOKENS"}.get(mode, "STOP")
            text = "" if mode == "safety" else fake.text
            cand = self._candidate(text, finish)
            self._send_json(200, {"candidates": [cand], "usageMetadata": self._usage()})

    def _stream(self, mode: str) -> None:
        fake = self.server_fake
        self._start_stream()
        chunks = fake.chunks()
        if mode == "prompt_blocked":
            self._event({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": self._usage()})
            self._end_stream()
            return
        if mode == "empty":
            self._event({"candidates": [self._candidate(None, "STOP")], "usageMetadata": self._usage()})
            self._end_stream()
            return
        if mode in ("midstream", "safety", "hang_mid"):
            chunks = chunks[: fake.partial_chunks]
        delay = fake.delay if mode == "slow" else 0.0
        for i, piece in enumerate(chunks):
            last = i == len(chunks) - 1
            payload: dict = {"candidates": [self._candidate(piece)]}
            if last and mode in ("success", "slow", "max_tokens"):
                payload["candidates"][0]["finishReason"] = "MAX_TOKENS" if mode == "max_tokens" else "STOP"
                payload["usageMetadata"] = self._usage()
            if not self._event(payload):
                return
            if delay and not last and not self._wait(delay):
                return
        if mode == "midstream":
            self._event({"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}})
        elif mode == "safety":
            payload = {"candidates": [self._candidate("", "SAFETY")], "usageMetadata": self._usage()}
            self._event(payload)
        elif mode == "hang_mid":
            self._wait(None)
            self.close_connection = True
            return
        self._end_stream()
