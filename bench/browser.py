"""Benchmark 6: the Streaming Chat page in Chromium, from the last event to the reply on screen.

`streamlit run streamlit_app.py` is pointed at a `BenchServer` in this process that streams a
reply of 2,000 one-word tokens, one event every 5 ms (about 10 s: faster than hosted models
stream, so the page has the most to draw), whose last token is a marker word found nowhere
else. Headless Chromium (Playwright) opens Streaming Chat in a new session and sends a message.

Both sides read the machine's wall clock. The server records when it writes each event. A
script installed in the page before Streamlit's own (`PROBE`) records `Date.now()` when the
app's WebSocket message carrying the marker reaches the page (its `message` event, ahead of
Streamlit's listener), and, from the first DOM change that shows the marker
(MutationObserver), when the next frame has been painted (a `setTimeout` queued from the
next animation frame). Likewise for the finished reply, recognised by its stats line:

- last text event written -> in the page -> whole text on screen;
- last event (`[DONE]`) written -> in the page -> finished reply on screen.

Responsiveness: the gaps between animation frames (a long gap is a stretch in which the main
thread could not produce a frame; longest and p95), and a click that opens the sidebar's
Connection expander (drawn by the page alone, no script run), timed in the page from the click
event's time stamp to the first frame painted after it opened. Both while the reply streams
(the click a third of the way through) and on the idle page before sending: `IDLE` seconds of
frames and the same click, the baseline. The page counts as responsive while streaming when no
frame gap and no click reached `RESPONSIVE_MS` (200 ms, the "good" bound of Web Vitals'
Interaction to Next Paint) in any round.

The peer is a 200-token reply at the same pace. Rounds alternate the two lengths, each in a
new browser session; figures are medians of `ROUNDS` rounds.
"""

from __future__ import annotations

import json
import math
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect
from playwright.sync_api import Error as PlaywrightError

from tests.helpers.browser_driver import CHROMIUM, chromium, serve_app
from ui.follow import INTERVAL as LIVE_INTERVAL

from .server import BenchServer, render_stream

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "test-artifacts" / "bench-streamlit.log"  # the app server's output
TOKENS = 2_000
PEER_TOKENS = 200
TOKEN_DELAY = 0.005  # seconds between events: 2,000 tokens in about 10 s
ROUNDS = 3
RESPONSIVE_MS = 200.0
MARKER = "zq-end-of-reply"
VIEWPORT: ViewportSize = {"width": 1440, "height": 1000}
IDLE = 2.0  # seconds of frames on the idle page, the baseline

# Installed in every page before its own scripts. Python moves `phase` from "load" to "idle"
# (frames kept), "clicking" and "streaming" (frames kept); the page sets "done" once the
# finished reply is painted. Clicks on any expander are timed, the reply only while streaming.
PROBE = """(() => {
  const marker = "__MARKER__";
  const b = {
    phase: "load", frames: {idle: [], streaming: []}, clicks: [],
    wsText: null, wsDone: null, text: null, textPaint: null, done: null, donePaint: null,
  };
  window.__bench = b;
  const afterPaint = (then) => requestAnimationFrame(() => setTimeout(then));

  let last = null;
  const frame = (now) => {
    if (last !== null && b.frames[b.phase]) b.frames[b.phase].push(now - last);
    last = now;
    if (b.phase !== "done") requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  // Streamlit's messages are protobuf: the reply's text is in them as UTF-8.
  const decoder = new TextDecoder();
  window.WebSocket = class extends window.WebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (b.phase !== "streaming" || b.wsDone !== null) return;
        if (!(event.data instanceof ArrayBuffer)) return;
        const text = decoder.decode(event.data);
        if (b.wsText === null && text.includes(marker)) b.wsText = Date.now();
        if (b.wsText !== null && text.includes("tokens/s")) b.wsDone = Date.now();
      });
    }
  };

  new MutationObserver(() => {
    if (b.phase !== "streaming" || b.done !== null) return;
    const reply = document.querySelectorAll('[data-testid="stChatMessage"]')[1];
    const text = reply ? reply.textContent : "";
    if (b.text === null && text.includes(marker)) {
      b.text = Date.now();
      afterPaint(() => { b.textPaint = Date.now(); });
    }
    if (b.text !== null && text.includes("tokens/s")) {
      b.done = Date.now();
      afterPaint(() => { b.donePaint = Date.now(); b.phase = "done"; });
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});

  document.addEventListener("click", (event) => {
    const details = event.target.closest && event.target.closest("details");
    if (!details) return;
    const opening = !details.open;
    const streaming = b.phase === "streaming" && b.done === null;
    const poll = () => {
      if (details.open !== opening) return requestAnimationFrame(poll);
      setTimeout(() => b.clicks.push(
        {ms: performance.now() - event.timeStamp, opening, streaming}));
    };
    requestAnimationFrame(poll);
  }, true);
})();
""".replace("__MARKER__", MARKER)


def marked_events(tokens: int) -> list[bytes]:
    """The events of a `tokens`-token reply whose last token is `MARKER`."""
    events = render_stream(tokens).split(b"\n\n")[:-1]  # role, tokens..., finish, [DONE]
    body = json.loads(events[-3].removeprefix(b"data: "))
    body["choices"][0]["delta"]["content"] = " " + MARKER
    events[-3] = b"data: " + json.dumps(body, separators=(",", ":")).encode()
    return events


class MarkedServer(BenchServer):
    """A paced BenchServer whose replies end with `MARKER`; `reply_with` sets their length."""

    def __init__(self) -> None:
        super().__init__(0, TOKEN_DELAY)

    def reply_with(self, tokens: int) -> None:
        self.events = marked_events(tokens)


@contextmanager
def marked_server() -> Iterator[MarkedServer]:
    """A MarkedServer serving in a background thread for the duration of the block."""
    server = MarkedServer()
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        yield server
    finally:
        server.close()


def run(rounds: int = ROUNDS) -> dict[str, float | int | str]:
    """Medians per reply length (see the module docstring); a string says why it did not run."""
    if not Path(CHROMIUM).exists():
        return {"error": f"no Chromium at {CHROMIUM}"}
    measured: dict[int, list[dict[str, float]]] = {PEER_TOKENS: [], TOKENS: []}
    try:
        with (
            marked_server() as server,
            serve_app(server.url, "bench", LOG) as url,
            chromium() as browser,
        ):
            for _ in range(rounds):
                for tokens, found in measured.items():
                    found.append(one_round(browser, url, server, tokens))
    except (PlaywrightError, RuntimeError, AssertionError) as exc:
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]} (log: {LOG})"}
    return summarise(measured)


def one_round(browser: Browser, url: str, server: MarkedServer, tokens: int) -> dict[str, float]:
    """One reply of `tokens` tokens in a new browser session: the figures of this round."""
    server.reply_with(tokens)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_chat(page, url)
        idle_then_click(page)
        first = len(server.write_times)
        stream_and_click(page, tokens)
        found = page.evaluate("window.__bench")
        offset = time.time() - time.perf_counter()  # the server's clock to the wall clock
        writes = [(t + offset) * 1000 for t in server.write_times[first:]]
    finally:
        context.close()
    assert len(writes) == tokens + 3, f"{len(writes)} events written for {tokens} tokens"
    return figures(found, writes)


def idle_then_click(page: Page) -> None:
    """`IDLE` seconds of frames on the idle page, then open and close the expander."""
    page.evaluate("window.__bench.phase = 'idle'")
    page.wait_for_timeout(IDLE * 1000)
    page.evaluate("window.__bench.phase = 'clicking'")  # frames not kept
    toggle_connection(page)  # opens it: the idle click
    toggle_connection(page)  # closes it again, for the click while streaming
    page.wait_for_function("window.__bench.clicks.length === 2", polling=100)


def stream_and_click(page: Page, tokens: int) -> None:
    """Send a message, open the expander a third of the way through the reply, and wait
    until the finished reply is painted."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Tell me a long story")
    page.evaluate("window.__bench.phase = 'streaming'")
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    expect(reply.get_by_test_id("stMarkdownContainer").first).to_contain_text("w1", timeout=30_000)
    page.wait_for_timeout(tokens * TOKEN_DELAY * 1000 / 3)
    toggle_connection(page)
    page.wait_for_function(
        "window.__bench.phase === 'done' && window.__bench.clicks.length === 3", polling=100
    )


def figures(found: dict, writes: list[float]) -> dict[str, float]:
    """This round's figures from what the page recorded and the server's write times (ms)."""
    last_text, done = writes[-3], writes[-1]  # role, tokens..., finish, [DONE]
    idle, _, busy = found["clicks"]
    assert idle["opening"] and busy["opening"], found["clicks"]
    result = {
        "stream_s": (done - writes[0]) / 1000,
        "ws_text_ms": found["wsText"] - last_text,
        "text_ms": found["textPaint"] - last_text,
        "ws_final_ms": found["wsDone"] - done,
        "final_ms": found["donePaint"] - done,
        "click_idle_ms": idle["ms"],
        "click_ms": busy["ms"] if busy["streaming"] else math.nan,
    }
    for phase, prefix in (("idle", "idle_"), ("streaming", "")):
        gaps = sorted(found["frames"][phase])
        result[f"{prefix}frame_max_ms"] = gaps[-1]
        result[f"{prefix}frame_p95_ms"] = gaps[int(len(gaps) * 0.95) - 1]
    return result


def open_chat(page: Page, url: str) -> None:
    """Home, then Streaming Chat from the sidebar menu (as a direct URL it first shows a
    "Page not found" dialog), and wait until its script run has finished."""
    page.goto(url)
    page.get_by_test_id("stSidebarNav").get_by_text("Streaming Chat", exact=True).click()
    expect(page.get_by_role("heading", name="Streaming Chat", exact=True)).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def toggle_connection(page: Page) -> None:
    """Click the sidebar's Connection expander: drawn by the page alone, no script run."""
    page.get_by_test_id("stSidebar").get_by_text("Connection", exact=True).click()


def summarise(measured: dict[int, list[dict[str, float]]]) -> dict[str, float | int | str]:
    """Medians over rounds (idle figures over all rounds), and the worst round's stalls."""
    every = [r for rounds in measured.values() for r in rounds]
    result: dict[str, float | int | str] = {
        "rounds": len(measured[TOKENS]),
        "tokens": TOKENS,
        "peer_tokens": PEER_TOKENS,
        "token_delay_ms": TOKEN_DELAY * 1000,
        "live_interval_ms": LIVE_INTERVAL * 1000,
        "idle_frame_max_ms": statistics.median(r["idle_frame_max_ms"] for r in every),
        "idle_frame_worst_ms": max(r["idle_frame_max_ms"] for r in every),
        "idle_frame_p95_ms": statistics.median(r["idle_frame_p95_ms"] for r in every),
        "click_idle_ms": statistics.median(r["click_idle_ms"] for r in every),
        "click_idle_worst_ms": max(r["click_idle_ms"] for r in every),
    }
    for tokens, rounds in measured.items():
        for name in rounds[0]:
            if not name.startswith(("idle_", "click")):
                result[f"{name}_{tokens}"] = statistics.median(r[name] for r in rounds)
        result[f"frame_worst_ms_{tokens}"] = max(r["frame_max_ms"] for r in rounds)
        clicks = [r["click_ms"] for r in rounds if not math.isnan(r["click_ms"])]
        result[f"click_ms_{tokens}"] = statistics.median(clicks) if clicks else math.nan
        result[f"click_worst_ms_{tokens}"] = max(clicks) if clicks else math.nan
    return result


def lines(result: dict[str, float | int | str]) -> list[str]:
    """The report's Markdown lines for `result`."""
    problems = [value for value in result.values() if isinstance(value, str)]
    if problems:
        return [f"**6. Browser**: n/a ({problems[0]})."]
    r = {name: float(value) for name, value in result.items()}  # no str left (checked above)
    lengths = (int(r["tokens"]), int(r["peer_tokens"]))
    arrival = [
        f"| {n:,} tokens ({r[f'stream_s_{n}']:.1f} s) | {r[f'ws_text_ms_{n}']:.0f} "
        f"| {r[f'text_ms_{n}']:.0f} | {r[f'ws_final_ms_{n}']:.0f} | {r[f'final_ms_{n}']:.0f} |"
        for n in lengths
    ]
    stalls = [
        f"| streaming {n:,} tokens | {r[f'frame_max_ms_{n}']:.0f} ({r[f'frame_worst_ms_{n}']:.0f}) "
        f"| {r[f'frame_p95_ms_{n}']:.0f} "
        f"| {_ms(r[f'click_ms_{n}'])} ({_ms(r[f'click_worst_ms_{n}'])}) |"
        for n in lengths
    ]
    worst = (r[f"frame_worst_ms_{lengths[0]}"], r[f"click_worst_ms_{lengths[0]}"])
    responsive = all(value < RESPONSIVE_MS for value in worst)  # a missed click (nan) fails
    return [
        "**6. Browser** (Streaming Chat in headless Chromium, each reply streamed at one token "
        f"every {r['token_delay_ms']:.0f} ms, median of {r['rounds']:.0f} rounds in new "
        "sessions; ms from the server writing the event, on one clock, to the app's message "
        "arriving in the page and to the first frame painted showing it):",
        "",
        "| reply | last text event → in the page | → whole text on screen "
        "| `[DONE]` → in the page | → finished reply on screen |",
        "|---|---:|---:|---:|---:|",
        *arrival,
        "",
        "| page | longest frame gap, ms (worst round) | p95 frame gap, ms "
        "| click → expander open on screen, ms (worst) |",
        "|---|---:|---:|---:|",
        *stalls,
        f"| idle, before sending | {r['idle_frame_max_ms']:.0f} "
        f"({r['idle_frame_worst_ms']:.0f}) | {r['idle_frame_p95_ms']:.0f} "
        f"| {_ms(r['click_idle_ms'])} ({_ms(r['click_idle_worst_ms'])}) |",
        "",
        f"Stays responsive while {lengths[0]:,} tokens stream: "
        f"{'yes' if responsive else 'NO'} (criterion: no frame gap and no click reaching "
        f"{RESPONSIVE_MS:.0f} ms in any round, the “good” bound of Web Vitals' Interaction to "
        f"Next Paint). For scale: the app redraws a streaming reply at most every "
        f"{r['live_interval_ms']:.0f} ms; a frame at 60 Hz is 17 ms.",
    ]


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.0f}"
