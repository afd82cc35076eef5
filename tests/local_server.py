"""The lifecycle the fake servers share: a ThreadingHTTPServer on 127.0.0.1 (random port) in a daemon thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    """Mixin for a fake with a ``_server`` attribute: ``serve(Handler)`` in ``start()``, then ``base``/``stop()``."""

    _server: ThreadingHTTPServer | None

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        return self.start()  # type: ignore[attr-defined]

    def __exit__(self, *exc) -> None:
        self.stop()
