"""A canary key (or Entra token) for leak tests, and a scripted emulator that accepts it and
logs to a file.

The secret is made at random per run, so it appears in no source file; a leak is the secret
itself or a long piece of its random part (a cut-off copy counts too). The token is
JWT-shaped, as Entra tokens are, and goes to the emulator as its Entra stand-in.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emulator.process import ROOT, free_port, terminate, wait_healthy


@dataclass(frozen=True)
class Canary:
    """The key for this run, the emulator that accepts it, and that emulator's log file."""

    key: str
    url: str
    log: Path

    @property
    def fragments(self) -> tuple[str, ...]:
        """What counts as a leak: the secret, or either half of its random part (after the
        last `-` of a key, the last `.` of a token)."""
        random_part = re.split(r"[-.]", self.key)[-1]
        return (self.key, random_part[:16], random_part[-16:])

    def find(self, text: str | bytes) -> str | None:
        """The first fragment present in `text`, or None."""
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return next((f for f in self.fragments if f in text), None)


def new_key() -> str:
    """A fresh canary key."""
    return f"CANARY-7c0ffee-{secrets.token_hex(16)}"


def new_token() -> str:
    """A fresh canary Entra token: JWT-shaped ({"typ":"JWT"} . {"aud":"canary"} . random)."""
    return f"eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJjYW5hcnkifQ.{secrets.token_hex(24)}"


@contextlib.contextmanager
def canary_emulator(log: Path, *, entra: bool = False) -> Iterator[Canary]:
    """A scripted emulator whose key is a fresh canary, logging at debug level into `log`;
    with `entra`, a canary token is its Entra stand-in instead (and no key is right).

    The secret goes in through the environment, not the command line, where `ps` would show it.
    """
    key = new_token() if entra else new_key()
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "emulator", "--engine", "scripted", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "debug"]
    env = {**os.environ, ("EMULATOR_ENTRA_TOKEN" if entra else "EMULATOR_API_KEY"): key}
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, f"{url}/health", f"the canary emulator (log: {log})")
        yield Canary(key, url, log)
    finally:
        terminate(process)


def written_since(moment: float, skipped: frozenset[str] = frozenset({".venv", ".git"})):
    """Files under the repository modified since `moment` (a `time.time()` value)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skipped]
        for name in files:
            path = Path(folder, name)
            try:
                if path.stat().st_mtime >= moment - 1:
                    yield path
            except FileNotFoundError:
                continue  # another test process removed it meanwhile
