"""`caja serve --workers 2` as a real process: a crowd of connections opened at once is spread between the two
workers (each accepts on a socket of its own), a killed worker's socket is served by its replacement, and a port
already served by another `caja serve` is refused rather than shared.

Which worker holds a connection is read from the kernel (/proc/net/tcp and each worker's open sockets), not
from anything the server reports about itself.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.server.procs import REPO, Served, caja, caja_cmd, caja_env

pytestmark = pytest.mark.slow

LISTEN, ESTABLISHED = "0A", "01"


def _sockets_on(port: int) -> dict[int, str]:
    """inode → TCP state of every socket whose local port is `port`."""
    found: dict[int, str] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            f = row.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port:
                found[int(f[9])] = f[3]
    return found


def _inodes_of(pid: int) -> set[int]:
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(int(target[8:-1]))
    return out


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _workers(served: Served) -> dict[int, dict[str, int]]:
    """pid → {"listening": n, "established": n} for each child of `caja serve` holding a socket on its port."""
    states = _sockets_on(served.port)
    out = {}
    for pid in _children(served.proc.pid):
        try:
            mine = [states[i] for i in _inodes_of(pid) if i in states]
        except OSError:
            continue
        if mine:
            out[pid] = {"listening": mine.count(LISTEN), "established": mine.count(ESTABLISHED)}
    return out


def _wait(condition, what: str, served: Served, deadline_s: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)  # polling interval
    raise AssertionError(f"{what}:\n" + "".join(served.output))


def _both_listening(served: Served) -> dict[int, dict[str, int]]:
    def ready() -> dict[int, dict[str, int]] | None:
        w = _workers(served)
        return w if len(w) == 2 and all(v["listening"] == 1 for v in w.values()) else None
    return _wait(ready, "two workers each listening on a socket of its own", served)


async def _crowd(port: int, count: int) -> tuple[list[asyncio.StreamWriter], list[asyncio.StreamReader]]:
    """`count` connections opened at the same moment (a chain's tills at 9:00), nothing sent on them yet."""
    pairs = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(count)))
    return [w for _, w in pairs], [r for r, _ in pairs]


async def _health_on_each(readers: list[asyncio.StreamReader], writers: list[asyncio.StreamWriter]) -> list[bytes]:
    async def one(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bytes:
        w.write(b"GET /api/health HTTP/1.1\r\nHost: caja\r\nConnection: close\r\n\r\n")
        await w.drain()
        status = (await asyncio.wait_for(r.readline(), 60)).split(b" ")[1]
        w.close()
        return status
    return await asyncio.gather(*(one(r, w) for r, w in zip(readers, writers)))


@pytest.fixture
def two_workers(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    assert caja("migrate", env=env).returncode == 0
    assert caja("demo", "--products", "50", "--customers", "5", env=env).returncode == 0
    served = Served(env, "--workers", "2")
    try:
        served.wait_healthy()
        _both_listening(served)
        yield served, env
    finally:
        assert served.stop() == 0, "".join(served.output)


def test_a_crowd_of_connections_is_spread_between_the_workers(two_workers) -> None:  # type: ignore[no-untyped-def]
    served, _ = two_workers
    count = 120

    async def main() -> tuple[dict[int, dict[str, int]], list[bytes]]:
        writers, readers = await _crowd(served.port, count)
        def accepted() -> dict[int, dict[str, int]] | None:
            w = _workers(served)
            return w if sum(v["established"] for v in w.values()) == count else None
        held = _wait(accepted, "every connection accepted by a worker", served)
        return held, await _health_on_each(readers, writers)

    held, statuses = asyncio.run(main())
    shares = sorted(v["established"] for v in held.values())
    assert len(shares) == 2, held
    # The kernel hashes each connection to one of the two sockets: 60 ± 5.5 (one standard deviation) each.
    # Both workers idle and one socket shared, the first to wake took nearly all of them.
    assert shares[0] >= 35, shares
    assert statuses == [b"200"] * count


def test_a_killed_workers_socket_is_served_by_its_replacement(two_workers) -> None:  # type: ignore[no-untyped-def]
    served, _ = two_workers
    victim = min(_workers(served))
    os.kill(victim, signal.SIGKILL)
    def replaced() -> dict[int, dict[str, int]] | None:
        w = _workers(served)
        return w if victim not in w and len(w) == 2 and all(v["listening"] == 1 for v in w.values()) else None
    workers = _wait(replaced, "a replacement worker listening", served)
    assert len(workers) == 2

    async def main() -> list[bytes]:
        writers, readers = await _crowd(served.port, 40)  # about half of them hash to the victim's socket
        return await _health_on_each(readers, writers)

    assert asyncio.run(main()) == [b"200"] * 40
    assert served.proc.poll() is None


def test_a_port_served_by_another_caja_is_refused_not_shared(two_workers) -> None:  # type: ignore[no-untyped-def]
    served, env = two_workers
    second = subprocess.run([*caja_cmd(), "serve", "--host", "127.0.0.1", "--port", str(served.port),
                             "--workers", "2", "--log-level", "warning"],
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert second.returncode == 3, second.stdout + second.stderr  # uvicorn's STARTUP_FAILURE
    assert "in use" in second.stderr, second.stderr
    assert len(_workers(served)) == 2
