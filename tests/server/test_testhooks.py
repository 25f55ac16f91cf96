"""The ERP's test-only pause points: inert unless CAJA_TEST_HOOKS names a folder and a test armed the point."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from server import testhooks


def test_off_without_the_variable() -> None:
    env = {k: v for k, v in os.environ.items() if k != testhooks.ENV}
    out = subprocess.run([sys.executable, "-c", "from server import testhooks as t; print(t.enabled())"],
                         env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_unarmed_point_does_not_pause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(testhooks, "_DIR", tmp_path)
    testhooks.pause("sales_batch", sales=1)
    assert list(tmp_path.iterdir()) == []


def test_an_armed_point_pauses_once_until_released(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(testhooks, "_DIR", tmp_path)
    (tmp_path / "sales_batch.arm").touch()
    reached = tmp_path / "sales_batch.reached"
    done = threading.Event()

    def request() -> None:
        testhooks.pause("sales_batch", sales=16)
        done.set()

    worker = threading.Thread(target=request, daemon=True)
    worker.start()
    # `reached` is written after the FIFO exists and just before the paused thread opens it.
    while not reached.exists():
        assert worker.is_alive() or done.is_set()
        assert not done.is_set(), "returned without pausing"
    assert json.loads(reached.read_text()) == {"pid": os.getpid(), "sales": 16}
    assert not done.is_set()
    with open(tmp_path / "sales_batch.release", "wb"):  # the test's side of the FIFO: releases the pause
        pass
    worker.join(10)
    assert done.is_set()
    testhooks.pause("sales_batch", sales=16)  # the arming was consumed: no second pause
