"""Admission accounting as pure logic: slots, a bounded FIFO line, QueueFull beyond it.

The gate runs on one event loop; these tests drive it with `asyncio.run`, no HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from emulator.admission import Gate, QueueFull, Ticket
from emulator.app import Settings, admission_limits


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


async def settle() -> None:
    """Let every task that can run, run (a handful of loop turns)."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_slots_run_at_once_then_wait_then_queue_full() -> None:
    async def scenario() -> None:
        gate = Gate(slots=3, queue_limit=2)
        tickets = [await gate.enter() for _ in range(3)]
        assert gate.snapshot() == {"slots": 3, "limit": 2, "running": 3, "waiting": 0}
        waiters = [asyncio.create_task(gate.enter()) for _ in range(2)]
        await settle()
        assert not any(w.done() for w in waiters)
        assert (gate.running, gate.waiting) == (3, 2)
        with pytest.raises(QueueFull):
            await gate.enter()
        tickets[0].release()
        await settle()
        assert waiters[0].done() and not waiters[1].done()  # first come, first served
        assert (gate.running, gate.waiting) == (3, 1)
        tickets[1].release()
        await settle()
        assert waiters[1].done()
        for ticket in [tickets[2], waiters[0].result(), waiters[1].result()]:
            ticket.release()
        assert (gate.running, gate.waiting) == (0, 0)

    run(scenario)


def test_release_twice_frees_one_slot_only() -> None:
    async def scenario() -> None:
        gate = Gate(slots=2, queue_limit=0)
        first, _second = await gate.enter(), await gate.enter()
        first.release()
        first.release()
        assert gate.running == 1
        await gate.enter()
        with pytest.raises(QueueFull):
            await gate.enter()

    run(scenario)


def test_queue_limit_zero_refuses_at_once_when_slots_are_busy() -> None:
    async def scenario() -> None:
        gate = Gate(slots=1, queue_limit=0)
        ticket = await gate.enter()
        with pytest.raises(QueueFull):
            await gate.enter()
        ticket.release()
        (await gate.enter()).release()
        assert gate.running == 0

    run(scenario)


def test_a_waiter_that_leaves_gives_up_its_place() -> None:
    async def scenario() -> None:
        gate = Gate(slots=1, queue_limit=1)
        ticket = await gate.enter()
        leaver = asyncio.create_task(gate.enter())
        await settle()
        assert gate.waiting == 1
        leaver.cancel()
        await settle()
        assert gate.waiting == 0
        stayer = asyncio.create_task(gate.enter())  # the freed place in line is usable
        await settle()
        ticket.release()
        (await stayer).release()
        assert (gate.running, gate.waiting) == (0, 0)

    run(scenario)


def test_a_waiter_cancelled_as_it_is_admitted_passes_the_slot_on() -> None:
    async def scenario() -> None:
        gate = Gate(slots=1, queue_limit=2)
        ticket = await gate.enter()
        unlucky = asyncio.create_task(gate.enter())
        next_in_line = asyncio.create_task(gate.enter())
        await settle()
        ticket.release()  # hands the slot to `unlucky`, which has not resumed yet
        unlucky.cancel()
        await settle()
        assert unlucky.cancelled()
        assert next_in_line.done()
        assert (gate.running, gate.waiting) == (1, 0)
        next_in_line.result().release()
        assert gate.running == 0

    run(scenario)


def test_no_slot_limit_admits_everyone() -> None:
    async def scenario() -> None:
        gate = Gate(slots=None, queue_limit=None)
        tickets: list[Ticket] = [await gate.enter() for _ in range(50)]
        assert gate.snapshot() == {"slots": None, "limit": None, "running": 50, "waiting": 0}
        for ticket in tickets:
            ticket.release()
        assert gate.running == 0

    run(scenario)


def test_zero_slots_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Gate(slots=0, queue_limit=None)


@pytest.mark.parametrize(
    ("engine", "slots", "queue_limit", "expected"),
    [
        ("llama", None, None, (4, 4)),
        ("llama", 1, None, (1, 4)),
        ("llama", 3, 0, (3, 0)),
        ("scripted", None, None, (None, None)),
        ("scripted", None, 1, (1, 1)),
        ("scripted", 3, None, (3, None)),
    ],
)
def test_admission_limits_per_engine(
    engine: str, slots: int | None, queue_limit: int | None, expected: tuple[int, int]
) -> None:
    settings = Settings(engine=engine, slots=slots, queue_limit=queue_limit)
    assert admission_limits(settings) == expected
