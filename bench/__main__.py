"""`make bench`: run every benchmark, print one Markdown report, and put it in the README.

The README section between `<!-- bench:start -->` and `<!-- bench:end -->` is replaced by
this command's output, so the figures there always come from a run of it.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import re
from pathlib import Path

from . import (
    browser,
    compare,
    endpoint,
    growth,
    latency,
    long_line,
    pages,
    profile,
    startup,
    throughput,
)

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FLOOR = "raw socket read (floor)"
OURS = "core.Client.stream_chat (ours)"
LC_FLOOR = "langchain-core floor (no HTTP)"
ADAPTER = "core.langchain adapter (ours)"
MARKERS = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)", re.DOTALL)


def _fmt(value: float | str, unit: str = "") -> str:
    if isinstance(value, str):
        return f"n/a ({value})"
    return "n/a" if math.isnan(value) else f"{value:,.1f}{unit}"


def _positive(*values: object) -> list[float] | None:
    """The values, if every one is a positive measurement (not a reason it failed)."""
    floats = [v for v in values if isinstance(v, float) and v > 0]
    return floats if len(floats) == len(values) else None


def _ratio(value: object, floor: object) -> float | None:
    """value / floor when both are positive measurements, else None."""
    measured = _positive(value, floor)
    return measured[0] / measured[1] if measured else None


def report(chunks: int, rounds: int) -> str:
    """Run everything and return the Markdown report, one section after the other."""
    sections = (
        _header(),
        _throughput(chunks, rounds),
        _profile(),
        _long_line(),
        _latency(),
        _imports(),
        _pages(),
        _growth(),
        _endpoint(),
        browser.lines(browser.run()),
        compare.lines(compare.run()),
    )
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _header() -> list[str]:
    return [
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, by `make bench`."
    ]


def _throughput(chunks: int, rounds: int) -> list[str]:
    """Section 1: per-chunk cost of each contender, bulk and per event, against the floor."""
    lines = [
        f"**1. Streaming throughput** ({chunks:,} chat chunks from a local server in its own "
        f"process, median of {rounds} interleaved rounds). *Bulk*: the server writes 64 KiB at "
        "a time, so only the client's per-chunk work shows. *Per event*: one write per event, "
        "as a live endpoint sends tokens; reading each event off the socket is then part of "
        "the floor.",
        "",
        "| contender | bulk µs/chunk | × floor | per event µs/chunk | × floor |",
        "|---|---:|---:|---:|---:|",
    ]
    bulk = throughput.run(chunks, rounds)
    live = throughput.run(chunks, rounds, per_event=True)
    for name in bulk:
        cells = []
        for results in (bulk, live):
            ratio = _ratio(results[name], results[FLOOR])
            cells += [_fmt(results[name]), f"{ratio:.1f}×" if ratio else "–"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for label, results in (("bulk", bulk), ("per event", live)):
        lines += _targets(label, results)
    return lines


def _targets(label: str, results: dict[str, float | str]) -> list[str]:
    """Our call against the floor, and the adapter against what it is built on."""
    measured = _positive(*(results.get(n) for n in (OURS, ADAPTER, LC_FLOOR, FLOOR)))
    if measured is None:
        return []
    ours, adapter, lc_floor, floor = measured
    return [
        "",
        f"{label.capitalize()}: our call vs floor {ours / floor:.2f}× (target ≤ 2×); "
        f"adapter vs langchain-core floor + our call {adapter / (lc_floor + ours):.2f}× "
        f"(target ≤ 1.5×); against the same code before the restructure: our call "
        f"{_vs(ours, results[throughput.OURS_BEFORE])}, adapter "
        f"{_vs(adapter, results[throughput.ADAPTER_BEFORE])} (target: not worse, ≤ 1.05×, "
        "the spread between rounds).",
    ]


def _vs(value: float, before: float | str) -> str:
    """value / before as a ratio, or why there is no "before" figure."""
    ratio = _ratio(value, before)
    return f"{ratio:.2f}×" if ratio else f"n/a ({before})"


def _profile() -> list[str]:
    """Section 1b: where our call's time goes."""
    shares = profile.run()
    line = (
        "**1b. Where our call's time goes** (pyinstrument, bulk stream of 200,000 "
        "chunks; the tree is in `bench/profile-stream_chat.txt`): "
    )
    if isinstance(shares, str):
        return [line + f"n/a ({shares})."]
    return [line + "; ".join(f"{stage} {share:.0%}" for stage, share in shares.items()) + "."]


def _long_line() -> list[str]:
    """Section 1c: a line that never ends costs the same CPU per MB at any size."""
    found = long_line.run()
    sizes = ", ".join(f"{name}: {value:.1f} ms/MB" for name, value in found.items() if "MB" in name)
    return [
        "**1c. One SSE line of 5 MB and of 50 MB** (64 KiB chunks, no line break until the "
        f"end; CPU time): {sizes}; 50 MB vs 5 MB per MB {found['ratio']:.2f}× (target ≤ 3×; "
        "the decoder that re-copied the line took 35 s for 50 MB)."
    ]


def _latency() -> list[str]:
    """Section 2: the gap between a server write and the yield of its text."""
    lat = latency.run()
    return [
        "**2. Added latency** (server writes a chunk every 20 ms; gap from write to yield):",
        f"median {lat['median_ms']:.3f} ms, p99 {lat['p99_ms']:.3f} ms "
        f"over {lat['chunks']} chunks; "
        f"bunched chunks: {lat['bunched']} (target: median < 1 ms, none bunched).",
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _imports() -> list[str]:
    """Section 3: import time of core beside the SDKs."""
    lines = [
        "**3. Import time** (fresh interpreter, median of 5):",
        "",
        "| module | ms | loads LangChain | loads Streamlit |",
        "|---|---:|:-:|:-:|",
    ]
    for label, measured in startup.run().items():
        if isinstance(measured, str):
            lines.append(f"| {label} | n/a ({measured}) | | |")
        else:
            ms, has_lc, has_st = measured
            lines.append(f"| {label} | {ms:.0f} | {_yes(has_lc)} | {_yes(has_st)} |")
    return lines


def _pages() -> list[str]:
    """Section 3b: first render of each page, and the first visit to a LangChain page."""
    lines = [
        "**3b. First render of each page** (AppTest, fresh interpreter, median of 3; LangChain's "
        "background import off, so the last column says which pages import it themselves):",
        "",
        "| page | ms | rendered cleanly | loaded LangChain |",
        "|---|---:|:-:|:-:|",
    ]
    for title, (ms, clean, has_lc) in pages.run().items():
        lines.append(f"| {title} | {ms:.0f} | {'yes' if clean else 'NO'} | {_yes(has_lc)} |")
    lines += [
        "",
        f"First visit to a LangChain page {pages.DELAY:g} s after start-up (fresh interpreter: "
        "home, a pause, then the page; median of 3, rounds interleaved), with LangChain's "
        "background import off and on (`ui/langchain_preload.py`); Home is the app's first "
        "render, at the end of which the import starts:",
        "",
        "| page | import off, ms | import on, ms |",
        "|---|---:|---:|",
    ]
    for title, visit in pages.first_visits().items():
        lines.append(f"| {title} | {visit['off']:.0f} | {visit['on']:.0f} |")
    return lines


def _growth() -> list[str]:
    """Section 4: request size and time per turn as a conversation grows."""
    grow = growth.run()
    ratio = grow["ms_500"] / grow["ms_5"]
    return [
        "**4. Conversation growth** (Memory Chatbot, k = 5, turn 5 vs turn 500): request bytes "
        f"{grow['bytes_messages_5']:.0f} vs {grow['bytes_messages_500']:.0f} (chat messages), "
        f"{grow['bytes_notebook_5']:.0f} vs {grow['bytes_notebook_500']:.0f} (notebook prompt); "
        f"time per turn {grow['ms_5']:.1f} ms vs {grow['ms_500']:.1f} ms ({ratio:.2f}×, "
        "target ≤ 1.2×)."
    ]


def _endpoint() -> list[str]:
    """Section 5: the local endpoint, scripted under concurrency, then the llama slots."""
    conc = endpoint.scripted_concurrency()
    return [
        "**5. Local endpoint**: scripted engine, "
        f"{conc['streams']} concurrent streams of 100 tokens: time to first token p50 "
        f"{conc['ttft_p50_ms']:.0f} ms, p99 {conc['ttft_p99_ms']:.0f} ms; "
        f"{conc['tokens_per_s']:,.0f} tokens/s in total; {conc['failed']} failed.",
        "",
        *endpoint.llama_lines(endpoint.llama_slots()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--no-readme", action="store_true", help="print only")
    args = parser.parse_args()
    text = report(args.chunks, args.rounds)
    print(text)
    (ROOT / "bench" / "results.md").write_text(text)
    if not args.no_readme and README.exists():
        readme = README.read_text()
        if MARKERS.search(readme):
            README.write_text(MARKERS.sub(lambda m: m.group(1) + text + m.group(2), readme))
            print("README.md updated.")


if __name__ == "__main__":
    main()
