"""What every local fake API shares: a threaded HTTP server on 127.0.0.1 with a random port, started in the
background, stopped cleanly, usable as a context manager; each request goes to the app's `handle`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms to every answer.
    disable_nagle_algorithm = True
    server: AppServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests run thousands of requests."""


class AppServer(ThreadingHTTPServer):
    daemon_threads = True
    app: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that time out hang up mid-answer; that is expected here, not worth a traceback."""


class LocalServer:
    """Subclasses set `handler` (a QuietHandler subclass whose do_* call `self.server.app`) and `thread_name`."""

    handler: type[QuietHandler] = QuietHandler
    thread_name = "fake-api"

    def __init__(self) -> None:
        self._httpd: AppServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self):
        self._httpd = AppServer(("127.0.0.1", 0), self.handler)
        self._httpd.app = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
