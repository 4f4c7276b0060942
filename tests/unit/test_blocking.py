"""blocking.run: a coroutine run to its end from synchronous code, also where this thread
already runs an event loop (asyncio.run alone refuses there)."""

from __future__ import annotations

import asyncio

from kouan.adapters import blocking


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_runs_a_coroutine_without_a_loop() -> None:
    assert blocking.run(_answer()) == 42


def test_runs_a_coroutine_from_inside_a_running_loop() -> None:
    async def inside() -> int:
        return blocking.run(_answer())  # synchronous code called from a running loop

    # The outer loop itself through blocking.run: a browser test earlier in the run may have
    # left this thread's loop running.
    assert blocking.run(inside()) == 42
