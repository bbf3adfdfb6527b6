"""Where our streaming call spends its time: pyinstrument over `Client.stream_chat`.

Reads a bulk stream from `bench.server` (so only the client's own work shows) under the
sampling profiler, writes the call tree to `bench/profile-stream_chat.txt`, and returns the
share of time in each stage, found by function name in that tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core import PROFILES, Client, Endpoint, Limits, Secret

from .server import in_process

if TYPE_CHECKING:
    from pyinstrument.frame import Frame

OUT = Path(__file__).resolve().parent / "profile-stream_chat.txt"
# Stage -> the functions whose time (with their callees) counts for it.
STAGES = {
    "socket reads (core/body.py over urllib3)": ("body_chunks",),
    "SSE decoding (core/sse.py)": ("SSEDecoder.feed", "SSEDecoder.close"),
    "JSON parsing of each chunk": ("_loads",),
}


def run(chunks: int = 200_000) -> dict[str, float] | str:
    """Share of the call's time per stage (0 to 1), plus "rest"; or why it could not run."""
    try:
        from pyinstrument import Profiler
    except ImportError as exc:
        return f"pyinstrument missing ({exc})"
    with in_process(chunks, per_event=False) as url:
        # 200,000 chunks are past the default event limit (one reply of 100k tokens, twice).
        limits = Limits(max_events=2 * chunks)
        client = Client(Endpoint(url, key=Secret("bench")), PROFILES["local"], limits=limits)
        messages = [{"role": "user", "content": "Stream, please."}]
        sum(1 for _ in client.stream_chat(messages))  # warm the connection and caches
        profiler = Profiler(interval=0.0005)
        profiler.start()
        pieces = sum(1 for _ in client.stream_chat(messages))
        profiler.stop()
    if pieces != chunks:
        return f"returned {pieces} pieces, expected {chunks}"
    tree = profiler.output_text(unicode=True, color=False)
    OUT.write_text(tree.replace(f"{OUT.parent.parent}/", ""))  # paths relative to the repo
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is None or root.time <= 0:
        return "pyinstrument recorded no samples"
    total = root.time
    shares = {stage: _time_in(root, names) / total for stage, names in STAGES.items()}
    shares["records, text deltas and the rest"] = 1 - sum(shares.values())
    return shares


def _time_in(frame: Frame, names: tuple[str, ...]) -> float:
    """Time of the outermost frames named in `names` (qualified as pyinstrument shows them)."""
    qualified = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
    if qualified in names or frame.function in names:
        return frame.time
    return sum(_time_in(child, names) for child in frame.children)
