"""A real TCP listener on a loopback address that records every byte it is sent (issue 14, findings 4–6).

It stands where a stranger would listen: behind an address the app must refuse, or on a sandbox's old port after
the sandbox stopped. It speaks just enough HTTP to keep a client going (one canned answer per connection), so a
client that should have refused the address gets far enough to give its secrets away; TLS hellos are recorded
too (as bytes), so an https attempt counts as well.
"""
from __future__ import annotations

import socket
import socketserver
import threading

TOKEN_ANSWER = (b'{"access_token": "stranger-access-1", "token_type": "bearer", "expires_in": 3600, '
                b'"refresh_token": "stranger-refresh-1"}')


def http_answer(status: str, body: bytes) -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


class RecordingListener:
    """``with RecordingListener(host, port) as rec:`` … ``rec.received`` (bytes per connection)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, answer: bytes = http_answer("200 OK", TOKEN_ANSWER)):
        self.received: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with listener._lock:
                    listener.connections += 1
                data = _read_request(self.request)
                with listener._lock:
                    listener.received.append(data)
                try:
                    self.request.sendall(answer)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True  # a sandbox's old port, just closed
            daemon_threads = True

        self._server = Server((host, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def text(self) -> str:
        with self._lock:
            return b"\n".join(self.received).decode("latin-1")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "RecordingListener":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_request(sock: socket.socket) -> bytes:
    """One HTTP request (headers and a Content-Length body), or whatever arrives before the line goes quiet."""
    sock.settimeout(1.0)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or 0)
            if len(body) >= length:
                return data
