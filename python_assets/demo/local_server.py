"""What every local fake API shares: a threaded HTTP server on 127.0.0.1 with a random port, started in the
background, stopped cleanly, usable as a context manager; each request goes to the app's `handle`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms to every answer.
    disable_nagle_algorithm = True
    server: AppServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests run thousands of requests."""

    def send_json(self, status: int, payload: object, headers: dict[str, str]) -> None:
        """One answer: `payload` as JSON (None: an empty body); a client that hung up is not an error here."""
        data = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        try:
            self.send_response(status)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


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
