"""Admission: up to `slots` generations at once, a bounded line of waiting ones, 429 beyond it.

The llama engine always runs behind a `Gate` (4 slots and 4 waiting by default); the
scripted engine does when `--slots` or `--queue-limit` is given, so the 429 path can be
tested without a model. Waiting generations are admitted first come, first served.
"""

from __future__ import annotations

import asyncio
from collections import deque


class QueueFull(Exception):
    """Every slot is busy and as many generations wait as the queue limit allows."""


class Ticket:
    """The right to generate in one slot; release it exactly once (later calls do nothing)."""

    def __init__(self, gate: Gate | None) -> None:
        self._gate = gate

    def release(self) -> None:
        """Give the slot to the first waiting generation, or free it."""
        if self._gate is not None:
            self._gate._leave()
            self._gate = None


class Gate:
    """Admit `slots` running generations plus `queue_limit` waiting ones.

    `slots=None` admits everyone at once (the scripted engine's default); `queue_limit=None`
    lets any number wait. All methods run on the event loop's thread.
    """

    def __init__(self, slots: int | None, queue_limit: int | None) -> None:
        if slots is not None and slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots, self.queue_limit = slots, queue_limit
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        """How many generations wait for a slot."""
        return len(self._waiters)

    def snapshot(self) -> dict[str, object]:
        """Slots, queue limit, running and waiting generations (for GET /)."""
        return {
            "slots": self.slots,
            "limit": self.queue_limit,
            "running": self.running,
            "waiting": self.waiting,
        }

    async def enter(self) -> Ticket:
        """Wait for a slot; raise QueueFull at once if the line is already full."""
        if self.slots is None or (self.running < self.slots and not self._waiters):
            self.running += 1
            return Ticket(self)
        if self.queue_limit is not None and self.waiting >= self.queue_limit:
            raise QueueFull
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            # Handed a slot in the same instant the client left: pass it on.
            if waiter.done() and not waiter.cancelled():
                self._leave()
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return Ticket(self)

    def _leave(self) -> None:
        """A generation ended: its slot goes to the first one waiting, else it is freed."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # `running` is unchanged: the slot changes hands
                return
        self.running -= 1
