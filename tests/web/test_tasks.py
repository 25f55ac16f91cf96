"""Background tasks (web/caja_pos/services/tasks.py): kept referenced until they end, and a failure reaches the
reporter (the toast in the page) and the console instead of vanishing."""
from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest
from caja_pos.services import tasks


@pytest.fixture(autouse=True)
def _no_reporter() -> Iterator[None]:
    yield
    tasks.report_failures_to(lambda what, exc: None)


def test_a_failing_background_task_is_reported_with_its_name_and_error(capsys: pytest.CaptureFixture[str]) -> None:
    shown: list[tuple[str, str]] = []
    tasks.report_failures_to(lambda what, exc: shown.append((what, str(exc))))

    async def refresh() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("disk full")

    async def main() -> None:
        task = tasks.spawn(refresh(), "refresh the list")
        while not task.done():
            await asyncio.sleep(0)
        await asyncio.sleep(0)  # done callbacks run on the next turn

    asyncio.run(main())
    assert shown == [("refresh the list", "disk full")]
    assert "refresh the list failed" in capsys.readouterr().out
    assert tasks.running() == 0


def test_a_spawned_task_is_kept_alive_while_nobody_else_holds_it() -> None:
    finished: list[str] = []

    async def slow() -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.append("done")

    async def main() -> None:
        tasks.spawn(slow())  # the result is dropped on purpose: the helper must keep the task
        assert tasks.running() == 1
        gc.collect()
        while tasks.running():
            await asyncio.sleep(0)

    asyncio.run(main())
    assert finished == ["done"]


def test_start_now_runs_the_first_step_inside_the_caller() -> None:
    """Python 3.12+ (Pyodide runs 3.14): the first step runs inside the caller, before it goes on. An older CPython
    has no eager start: the same steps, the first one after the caller (the browser-side proof is in
    tests/e2e/test_sales_window.py, which asserts the sale's transaction is begun by the click itself)."""
    steps: list[str] = []

    async def confirm() -> None:
        steps.append("first step")
        await asyncio.sleep(0)
        steps.append("rest")

    async def main() -> None:
        tasks.start_now(confirm())
        steps.append("caller goes on")
        while tasks.running():
            await asyncio.sleep(0)

    asyncio.run(main())
    if sys.version_info >= (3, 12):
        assert steps == ["first step", "caller goes on", "rest"]
    else:
        assert steps == ["caller goes on", "first step", "rest"]


def test_cancelled_tasks_are_not_failures() -> None:
    shown: list[str] = []
    tasks.report_failures_to(lambda what, exc: shown.append(what))

    async def main() -> None:
        task = tasks.spawn(asyncio.sleep(10))
        await asyncio.sleep(0)
        task.cancel()
        while tasks.running():
            await asyncio.sleep(0)

    asyncio.run(main())
    assert shown == []
