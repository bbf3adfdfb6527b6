"""The real app server and Debian's Chromium, for the browser tests and `bench/browser.py`.

`serve_app` runs `streamlit run streamlit_app.py` on a free loopback port, configured like
`make run` (environment only); `chromium` launches the system browser through Playwright with
the flags this machine needs (Playwright cannot download a browser here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from emulator.process import ROOT, free_port, terminate, wait_healthy

CHROMIUM = "/usr/bin/chromium"
# The hoster's settings: a developer's own must not reach the app under test.
HOST_SETTINGS = ("PLAYGROUND_ALLOWED_HOSTS", "PLAYGROUND_HOSTED", "PLAYGROUND_LIMITS")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serve_app(
    endpoint: str, key: str, log_path: Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run the app server pointed at `endpoint` with `key`, its output in `log_path`;
    `extra_env` adds settings (a hoster's key, `PLAYGROUND_HOSTED`, limits)."""
    port = free_port()
    env = {**os.environ, "PLAYGROUND_LOCAL_URL": endpoint, "PLAYGROUND_LOCAL_KEY": key}
    for name in (*HOST_SETTINGS, "AZURE_AI_CHAT_ENDPOINT", "AZURE_AI_CHAT_KEY"):
        env.pop(name, None)
    env.update(extra_env or {})
    command = [
        *(sys.executable, "-m", "streamlit", "run", "streamlit_app.py"),
        *("--server.headless", "true", "--server.port", str(port)),
        *("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"),
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(process, f"{url}/_stcore/health", f"streamlit (log: {log_path})")
            yield url
        finally:
            terminate(process)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
