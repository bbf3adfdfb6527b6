"""Start the emulator as a child process on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KEY = "test-key-0123456789abcdef0123456"


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens and the key it expects."""

    base_url: str
    api_key: str
    process: subprocess.Popen


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_emulator(*args: str, api_key: str = DEFAULT_KEY, ready_timeout: float = 60.0) -> Emulator:
    """Start `python -m emulator` on a free port and wait until /health answers 200."""
    port = free_port()
    cmd = [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--api-key", api_key, *args]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, f"{base_url}/health", "the emulator", ready_timeout)
    except RuntimeError as exc:
        terminate(process)
        detail = process.stderr.read().decode()[-2000:] if process.stderr else ""
        raise RuntimeError(f"{exc}: {detail}") from None
    return Emulator(base_url, api_key, process)


def stop_emulator(emulator: Emulator) -> None:
    """Terminate the process and wait for it."""
    terminate(emulator.process)
    if emulator.process.stderr:
        emulator.process.stderr.close()


def wait_healthy(process: subprocess.Popen, url: str, what: str, timeout: float = 60.0) -> None:
    """Poll `url` until it answers 200; RuntimeError if `process` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early")
        try:
            with urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not become healthy in {timeout:g} s")


def terminate(process: subprocess.Popen) -> None:
    """Stop a child process: terminate, then kill if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
