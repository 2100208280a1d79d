"""Fixtures of the notification tests: a real HTTP gateway on 127.0.0.1 (nothing leaves the machine)."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class LocalGateway:
    """An HTTP server in a thread that records each POST and answers with the queued (status, body), else 200."""

    def __init__(self, default: tuple[int, str] = (200, '{"code": 0, "msg": "ok"}')) -> None:
        self.requests: list[dict] = []
        self.answers: deque[tuple[int, str]] = deque()
        self.default = default
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"null")})
                status, text = gateway.answers.popleft() if gateway.answers else gateway.default
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    g = LocalGateway()
    yield g
    g.close()


@pytest.fixture
def notify_settings(settings):
    """Notifications with no outside channel, short back-off; each test switches on what it needs."""
    settings.NOTIFICATIONS = {
        "SITE_URL": "https://jiceng.example.cn", "MAX_ATTEMPTS": 3, "BACKOFF_SECONDS": 60, "BACKOFF_MAX_SECONDS": 3600,
        "TIMEOUT_SECONDS": 5, "SMS": {"URL": "", "TOKEN": "", "SIGN": "基层治理"},
        "WECHAT": {"URL": "", "ACCESS_TOKEN": "", "TEMPLATE_ID": ""}, "EMAIL": {"ENABLED": False},
    }
    return settings.NOTIFICATIONS
