"""Benchmark 7: the Compare page, three columns streaming at once from the local endpoint.

Twice: the llama engine (`--slots 4`, one CPU thread per generation) answers one story
prompt, max_tokens `TOKENS`, at seeds 1, 2 and 3; then the scripted engine streams `TOKENS`
tokens at `SCRIPTED_DELAY` s each. The llama run is bound by the CPU (three generations on this
machine's two cores cannot each go as fast as one alone), so the scripted run is the one that
shows whether the page itself streams the columns at once. Each seed first streams alone on
Streaming Chat (its parameters given in the URL query, which the sidebar takes on a new
session), then the three stream together as the three columns of a Compare setup opened from
a share link (parameters mode, the seed sweep), in headless Chromium, each run in a new
browser session.

A script installed in the page before Streamlit's (`PROBE`) records, on one clock, when Send
was clicked and every time a reply's text on screen changed (a MutationObserver per reply:
a Compare column, or the chat's answer), the gaps between animation frames while streaming,
and a click on the sidebar's Connection expander (a third of the way through) from its event
time stamp to the first frame painted after it opened. Figures:

- wall time: Send to the reply's last change on screen; together (the slowest column) against
  the slowest seed alone. Target: at most `WALL_TARGET`× (they really run at once);
- largest on-screen gap: the longest time between two changes of one reply's text, per seed,
  together against alone. Target: at most `GAP_TARGET_MS` more;
- responsiveness while the three stream: longest frame gap and click to paint, both under
  `RESPONSIVE_MS` (the bound `bench/browser.py` uses).

Ratios are within this one run. On a busy machine (other processes on its 2 cores) every
figure is pessimistic; the README says so next to them.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Browser, Page, ViewportSize, expect
from playwright.sync_api import Error as PlaywrightError

from core.compare import ColumnSetup, CompareMode, CompareSetup
from core.share import encode_setup
from emulator.process import start_emulator, stop_emulator
from tests.helpers.browser_driver import CHROMIUM, chromium, serve_app

from .endpoint import MODEL

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "test-artifacts" / "bench-compare-streamlit.log"
TOKENS = 500
SEEDS = (1, 2, 3)
PROMPT = "Write a long story about a lighthouse keeper and the sea."
PARAMS = {"temperature": 0.7, "max_tokens": TOKENS}
SCRIPTED_DELAY = 0.02  # seconds per token: 500 tokens in about 10 s, as a fast model
ENGINES = {
    "llama": ("--engine", "llama", "--slots", "4"),
    "scripted": ("--engine", "scripted", "--token-delay", str(SCRIPTED_DELAY),
                 "--reply-tokens", str(TOKENS)),
}  # fmt: skip
WALL_TARGET = 1.2
GAP_TARGET_MS = 100.0
RESPONSIVE_MS = 200.0
WAIT_MS = 300_000  # a bound on any one wait: 500 tokens on a busy 2-core machine
VIEWPORT: ViewportSize = {"width": 1440, "height": 1000}

PROBE = """(() => {
  const b = {phase: "load", start: null, frames: [], clicks: [], changes: {}};
  window.__cmp = b;
  let last = null;
  const frame = (now) => {
    if (last !== null && b.phase === "streaming") b.frames.push(now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const replies = () => {
    const found = {};
    document.querySelectorAll('[class*="st-key-cmp_col_"]').forEach((el) => {
      const m = /st-key-cmp_col_(\\d)/.exec(el.className);
      if (m) found[m[1]] = el;
    });
    const chat = document.querySelectorAll('[data-testid="stChatMessage"]')[1];
    if (chat) found.chat = chat;
    return found;
  };
  const lengths = {}, ended = {};
  new MutationObserver(() => {
    if (b.phase !== "streaming") return;
    const now = Date.now();
    for (const [name, el] of Object.entries(replies())) {
      if (ended[name]) continue;
      const text = el.textContent;
      // Metrics (Compare) and the stats line (chat) come once the reply has ended.
      if (text.includes("Finish reason:") || text.includes("tokens/s")) {
        ended[name] = 1;
        continue;
      }
      if (lengths[name] !== text.length) {
        lengths[name] = text.length;
        (b.changes[name] = b.changes[name] || []).push(now);
      }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
  document.addEventListener("click", (event) => {
    const details = event.target.closest && event.target.closest("details");
    if (!details || b.phase !== "streaming") return;
    const opening = !details.open;
    const poll = () => {
      if (details.open !== opening) return requestAnimationFrame(poll);
      setTimeout(() => b.clicks.push(performance.now() - event.timeStamp));
    };
    requestAnimationFrame(poll);
  }, true);
})();"""


def run() -> dict[str, dict[str, float | str]]:
    """The figures of each engine (see the module docstring)."""
    return {name: _run(name) for name in ENGINES}


def _run(engine: str) -> dict[str, float | str]:
    """One engine's figures; {"error": why} when it could not run."""
    if engine == "llama" and not MODEL.exists():
        return {"error": "model file missing (make model)"}
    if not Path(CHROMIUM).exists():
        return {"error": f"no Chromium at {CHROMIUM}"}
    emu = start_emulator(*ENGINES[engine], ready_timeout=120)
    try:
        with serve_app(emu.base_url, emu.api_key, LOG) as url, chromium() as browser:
            alone = [_alone(browser, url, seed) for seed in SEEDS]
            together = _together(browser, url, emu.base_url)
    except (PlaywrightError, RuntimeError, AssertionError) as exc:
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0]} (log: {LOG})"}
    finally:
        stop_emulator(emu)
    return _figures(alone, together)


def _new_page(browser: Browser) -> tuple[Page, object]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(PROBE)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page, context


def _settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)


def _alone(browser: Browser, url: str, seed: int) -> dict:
    """One seed on Streaming Chat, its parameters from the URL query."""
    page, context = _new_page(browser)
    try:
        query = {"profile": "local", "p_seed": seed, **{f"p_{k}": v for k, v in PARAMS.items()}}
        page.goto(f"{url}/?{urlencode(query)}")
        _settle(page)
        page.get_by_test_id("stSidebarNav").get_by_text("Streaming Chat", exact=True).click()
        _settle(page)
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(PROMPT)
        _start(page)
        box.press("Enter")
        _click_midway(page)
        expect(page.get_by_text("tokens/s")).to_be_visible(timeout=WAIT_MS)
        return page.evaluate("window.__cmp")
    finally:
        context.close()  # type: ignore[attr-defined]


def _together(browser: Browser, url: str, endpoint: str) -> dict:
    """The three seeds as Compare columns, from a share link."""
    columns = tuple(
        ColumnSetup("Local endpoint", "local", endpoint, params={**PARAMS, "seed": seed})
        for seed in SEEDS
    )
    setup = CompareSetup(CompareMode.PARAMETERS, columns, PROMPT, same_params=False)
    page, context = _new_page(browser)
    try:
        page.goto(f"{url}/compare?setup={encode_setup(setup)}")
        expect(page.get_by_text("Setup loaded from the link")).to_be_visible(timeout=WAIT_MS)
        _settle(page)
        _start(page)
        page.get_by_role("button", name="Send").click()
        _click_midway(page)
        expect(page.get_by_text("Finish reason:")).to_have_count(len(SEEDS), timeout=WAIT_MS)
        return page.evaluate("window.__cmp")
    finally:
        context.close()  # type: ignore[attr-defined]


def _start(page: Page) -> None:
    page.evaluate("window.__cmp.phase = 'streaming'; window.__cmp.start = Date.now()")


def _click_midway(page: Page) -> None:
    """Wait for some text, then about a third of a reply, then open Connection."""
    page.wait_for_function("Object.values(window.__cmp.changes).some((c) => c.length > 20)")
    page.wait_for_timeout(2_000)
    page.get_by_test_id("stSidebar").get_by_text("Connection", exact=True).click()
    time.sleep(0.5)


def _figures(alone: list[dict], together: dict) -> dict[str, float | str]:
    result: dict[str, float | str] = {"tokens": TOKENS}
    for seed, found in zip(SEEDS, alone, strict=True):
        result[f"alone_wall_{seed}"], result[f"alone_gap_{seed}"] = _reply(found, "chat")
    for position, seed in enumerate(SEEDS):
        wall, gap = _reply(together, str(position))
        result[f"together_wall_{seed}"], result[f"together_gap_{seed}"] = wall, gap
    frames = sorted(together["frames"]) or [float("nan")]
    result["frame_max_ms"] = frames[-1]
    result["click_ms"] = together["clicks"][0] if together["clicks"] else float("nan")
    return result


def _reply(found: dict, name: str) -> tuple[float, float]:
    """(Send to the last change on screen, s; the longest gap between changes, ms)."""
    changes = found["changes"].get(name) or []
    if len(changes) < 2:
        return float("nan"), float("nan")
    gaps = [b - a for a, b in itertools.pairwise(changes)]
    return (changes[-1] - found["start"]) / 1000, max(gaps)


def lines(results: dict[str, dict[str, float | str]]) -> list[str]:
    """The report's Markdown lines: one table per engine."""
    found = []
    for engine, result in results.items():
        found += [*_lines(engine, result), ""]
    return found[:-1]


def _lines(engine: str, result: dict[str, float | str]) -> list[str]:
    """The Markdown lines for one engine's `result`."""
    if "error" in result:
        return [f"**7. Compare, {engine} engine**: n/a ({result['error']})."]
    r = {name: float(value) for name, value in result.items()}
    rows = [
        f"| seed {s} | {r[f'alone_wall_{s}']:.1f} | {r[f'together_wall_{s}']:.1f} "
        f"| {r[f'alone_gap_{s}']:.0f} | {r[f'together_gap_{s}']:.0f} "
        f"| {r[f'together_gap_{s}'] - r[f'alone_gap_{s}']:+.0f} |"
        for s in SEEDS
    ]
    ratio = max(r[f"together_wall_{s}"] for s in SEEDS) / max(r[f"alone_wall_{s}"] for s in SEEDS)
    worst_gap = max(r[f"together_gap_{s}"] - r[f"alone_gap_{s}"] for s in SEEDS)
    responsive = r["frame_max_ms"] < RESPONSIVE_MS and r["click_ms"] < RESPONSIVE_MS
    source = (
        "the local llama endpoint, `--slots 4`, bound by this machine's 2 cores"
        if engine == "llama"
        else f"the scripted engine, one token every {SCRIPTED_DELAY * 1000:.0f} ms"
    )
    return [
        f"**7. Compare, {engine} engine** (three columns from {source}, "
        f"max_tokens {TOKENS}, seeds {', '.join(map(str, SEEDS))}: each alone on Streaming "
        "Chat, then together on Compare, in headless Chromium; on-screen times in the page):",
        "",
        "| column | alone, s to last text | together, s | largest gap alone, ms | together, ms "
        "| gap change, ms |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Together vs the slowest alone, wall time: {ratio:.2f}× (target ≤ {WALL_TARGET}×: "
        f"{'met' if ratio <= WALL_TARGET else 'NOT met'}). Largest on-screen gap, worst change: "
        f"{worst_gap:+.0f} ms (target ≤ +{GAP_TARGET_MS:.0f} ms: "
        f"{'met' if worst_gap <= GAP_TARGET_MS else 'NOT met'}). While the three stream: "
        f"longest frame gap {r['frame_max_ms']:.0f} ms, click → expander painted "
        f"{r['click_ms']:.0f} ms (responsive, both < {RESPONSIVE_MS:.0f} ms: "
        f"{'yes' if responsive else 'NO'}).",
    ]
