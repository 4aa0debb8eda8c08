"""A real S3 API on loopback for tests and benchmarks: moto behind a small proxy.

The proxy counts every request that reaches the storage, whichever client sent it
(our publisher or `aws s3 sync`), and can answer chosen requests with a server error,
so failure handling is tested against real HTTP traffic and not against mocks. Like
S3 and unlike moto, it refuses an upload whose body does not match its Content-MD5.
Everything binds to 127.0.0.1 only.

Moto keeps its buckets in module globals, shared by every server started in one
process: each loopback therefore starts by emptying them, so it never sees the
buckets and objects of an earlier one (the growth benchmark publishes three sites
one after the other). Use one loopback at a time in a process.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

# Headers that belong to one connection, not to the request or response itself.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


@dataclass
class FailureRule:
    """Answer matching requests with `status`.

    The first `skip` pass; then `count` fail (None: every one after that, which
    outlasts any retries).
    """

    method: str = "PUT"
    skip: int = 0
    count: int | None = None
    status: int = 500
    seen: int = 0
    failed: int = 0

    def should_fail(self, method: str) -> bool:
        """Count one request; say whether to fail it."""
        if method != self.method:
            return False
        self.seen += 1
        if self.seen <= self.skip:
            return False
        if self.count is not None and self.failed >= self.count:
            return False
        self.failed += 1
        return True


@dataclass(frozen=True)
class Request:
    """One request as the proxy saw it; `copy` marks a server-side CopyObject."""

    method: str
    path: str
    copy: bool = False


def _content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services offer
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests and benchmarks print their own summaries."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        loopback = self.server.loopback
        with loopback.lock:
            loopback.requests[self.command] += 1
            copy = "x-amz-copy-source" in {k.lower() for k in self.headers}
            loopback.log.append(Request(self.command, self.path, copy))
            rule = loopback.failure
            fail = rule is not None and rule.should_fail(self.command)
        status, code = (rule.status, b"InternalError") if fail else (0, b"")
        sent_md5 = self.headers.get("Content-MD5")
        if not fail and sent_md5 and _content_md5(body) != sent_md5.strip():
            # S3 refuses a body whose MD5 is not the one announced; moto does not.
            status, code = 400, b"BadDigest"
        if status:
            payload = b"".join(
                (
                    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>',
                    code,
                    b"</Code><Message>answered by the test proxy</Message></Error>",
                )
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        upstream = http.client.HTTPConnection(loopback.moto_host, loopback.moto_port)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if self.command == "HEAD":
            length_header = response.getheader("Content-Length")
            if length_header is not None:
                self.send_header("Content-Length", length_header)
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    loopback: S3Loopback


def _dispatcher(create_app: Callable[[str], Any]) -> Any:
    """The request dispatcher of moto, remembering which of its services serves a host.

    moto works that out again for every request (it lists its own package folder
    and tries every service's URL patterns): a ninth of a publish test's CPU. The
    answer depends on the host alone, so each host is looked up once.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    class Dispatcher(DomainDispatcherApplication):
        def __init__(self) -> None:
            super().__init__(create_app)
            self.known: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            # Called with self.lock held (DomainDispatcherApplication.get_application).
            if host not in self.known:
                self.known[host] = super().get_backend_for_host(host)
            return self.known[host]

    return Dispatcher()


class S3Loopback:
    """Start moto and the counting proxy on 127.0.0.1; use as a context manager.

    `endpoint_url` is the proxy's address: point every client there.
    """

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import create_backend_app
        from werkzeug.serving import make_server

        # werkzeug logs every request at INFO; thousands of lines help nobody.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # What moto.server.ThreadedMotoServer starts, with the dispatcher below.
        self._moto = make_server(
            "127.0.0.1", 0, _dispatcher(create_backend_app), threaded=True
        )
        self._moto_thread = threading.Thread(
            target=self._moto.serve_forever, daemon=True
        )
        self._moto_thread.start()
        self.moto_host, self.moto_port = self._moto.server_address[:2]
        self._reset_moto()
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.log: list[Request] = []
        self.failure: FailureRule | None = None
        self._proxy = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        self._proxy.loopback = self
        self._thread = threading.Thread(target=self._proxy.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint_url = f"http://127.0.0.1:{self._proxy.server_address[1]}"

    def _reset_moto(self) -> None:
        """Forget every bucket and object moto holds in this process."""
        connection = http.client.HTTPConnection(self.moto_host, self.moto_port)
        try:
            connection.request("POST", "/moto-api/reset")
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
        if answer.status != 200:
            raise RuntimeError(f"moto did not reset its state: HTTP {answer.status}")

    def reset_counts(self) -> None:
        """Forget the requests counted so far."""
        with self.lock:
            self.requests.clear()
            self.log.clear()

    def total_requests(self) -> int:
        """Count the requests that reached the storage since the last reset."""
        with self.lock:
            return sum(self.requests.values())

    def close(self) -> None:
        """Stop the proxy and the moto server."""
        self._proxy.shutdown()
        self._proxy.server_close()
        self._moto.shutdown()
        self._moto.server_close()
        self._moto_thread.join()

    def __enter__(self) -> S3Loopback:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
