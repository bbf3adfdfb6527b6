"""A local stand-in for App Service's managed-identity endpoint (`IDENTITY_ENDPOINT`), so that
azure-identity's real `DefaultAzureCredential` gets an Entra token offline: it hands out the
token it is given (the emulator's `--entra-token`) and records what it was asked.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ManagedIdentity(BaseHTTPRequestHandler):
    """Answers every GET with `token`, valid for an hour; `asked` records each path."""

    token = ""
    asked: list[str] = []  # noqa: RUF012 - shared by the handler instances of one server

    def do_GET(self) -> None:
        self.asked.append(self.path)
        expires = str(int(time.time()) + 3600)
        body = json.dumps(
            {"access_token": self.token, "expires_on": expires, "token_type": "Bearer"}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@contextlib.contextmanager
def managed_identity(token: str) -> Iterator[tuple[dict[str, str], list[str]]]:
    """The environment that points azure-identity at a local managed-identity endpoint
    handing out `token`, and the list of paths it was asked (the scope is in each)."""
    asked: list[str] = []
    handler = type("Handler", (ManagedIdentity,), {"token": token, "asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {
        "IDENTITY_ENDPOINT": f"http://127.0.0.1:{server.server_port}/msi/token",
        "IDENTITY_HEADER": "local-identity-header",
    }
    try:
        yield env, asked
    finally:
        server.shutdown()
        server.server_close()
