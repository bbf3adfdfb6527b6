"""One generation at a time, a bounded line of waiting ones, 429 beyond it.

The llama engine always runs behind a `Gate`; the scripted engine does when
`--queue-limit` is given, so the 429 path can be tested without a model.
"""

from __future__ import annotations

import asyncio


class QueueFull(Exception):
    """More generations are waiting than the queue limit allows."""


class Ticket:
    """The right to generate; release it exactly once (later calls do nothing)."""

    def __init__(self, lock: asyncio.Lock | None) -> None:
        self._lock = lock

    def release(self) -> None:
        """Let the next waiting generation run."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None


class Gate:
    """Admit one running generation plus `queue_limit` waiting; `None` admits everyone."""

    def __init__(self, queue_limit: int | None) -> None:
        self.queue_limit = queue_limit
        self._lock = asyncio.Lock()
        self._waiting = 0

    def snapshot(self) -> dict[str, object]:
        """The limit, whether a generation runs, and how many wait (for GET /)."""
        running = self._lock.locked() if self.queue_limit is not None else None
        return {"limit": self.queue_limit, "running": running, "waiting": self._waiting}

    async def enter(self) -> Ticket:
        """Wait for a turn; raise QueueFull at once if the line is already full."""
        if self.queue_limit is None:
            return Ticket(None)
        if self._lock.locked() and self._waiting >= self.queue_limit:
            raise QueueFull
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        return Ticket(self._lock)
