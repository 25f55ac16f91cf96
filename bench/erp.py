"""Real ERP processes for the benchmark: seeded databases (SQLite file or a throwaway PostgreSQL) and a server.

What it is for: `Database.sqlite(dir)` / `Database.postgres(pg)` seeded with `caja migrate` + `caja demo`
(the real CLI), `copy()` for a fresh database per measure, `Server(db)` = uvicorn on `bench.asgi:app` on a free
127.0.0.1 port (the app `caja serve` runs, plus /bench/ pages), `pair()` → bearer token through the real API.
What it must NOT do: touch var/ or any system database cluster, sleep for assumed durations (every wait polls
a condition with a deadline), or leave a process running (every start has its stop in a finally).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SECRET = "bench-secret-key"  # the key every bench server gets in its environment


def _env(url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAJA_")}
    env.update(CAJA_DATABASE_URL=url, CAJA_VAR_DIR=str(var_dir), CAJA_SECRET_KEY=SECRET,
               PYTHONUNBUFFERED="1")
    return env


def caja(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    exe = shutil.which("caja", path=str(BIN))
    cmd = [exe] if exe else [sys.executable, "-m", "server.cli"]
    out = subprocess.run([*cmd, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"caja {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


class PostgresCluster:
    """A throwaway PostgreSQL; reuses tests/server/pg.py (the tests' fixture) when importable."""

    def __init__(self) -> None:
        from tests.server.pg import PostgresServer, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not found")
        self.server = PostgresServer(bin_dir)
        self._n = 0

    def __enter__(self) -> Self:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def new_db(self, template: str | None = None) -> str:
        self._n += 1
        name = f"bench{self._n}"
        self.server.create_db(name, template=template)
        return name

    def version(self) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.server.port} user=postgres dbname=postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"


@dataclass
class Database:
    url: str
    var_dir: Path
    kind: str  # "sqlite" | "postgres"
    pg: PostgresCluster | None = None
    pg_name: str | None = None

    @property
    def env(self) -> dict[str, str]:
        return _env(self.url, self.var_dir)

    @classmethod
    def sqlite(cls, work: Path, name: str) -> Database:
        var = work / name
        var.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{var / 'caja.db'}", var, "sqlite")

    @classmethod
    def postgres(cls, work: Path, pg: PostgresCluster, template: str | None = None) -> Database:
        name = pg.new_db(template)
        var = work / name
        var.mkdir(parents=True, exist_ok=True)
        return cls(pg.server.url(name), var, "postgres", pg, name)

    def seed(self, products: int, customers: int) -> float:
        """`caja migrate` + `caja demo`; returns the seconds the demo seed took (wall)."""
        caja(self.env, "migrate")
        t0 = time.perf_counter()
        caja(self.env, "demo", "--products", str(products), "--customers", str(customers), "--no-cashiers")
        return time.perf_counter() - t0

    def copy(self, work: Path, name: str) -> Database:
        """A fresh database with the same content (file copy / CREATE DATABASE ... TEMPLATE)."""
        if self.kind == "sqlite":
            other = Database.sqlite(work, name)
            shutil.copy(self.url.removeprefix("sqlite:///"), other.url.removeprefix("sqlite:///"))
            return other
        assert self.pg is not None
        return Database.postgres(work, self.pg, template=self.pg_name)

    def pairing_code(self) -> str:
        return caja(self.env, "pairing-code").strip().splitlines()[-1].strip()

    def sql(self, query: str) -> list[Any]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(query)).all())
        finally:
            engine.dispose()


class Process:
    """A server process on a free loopback port, in its own process group: `with` waits until /api/health
    answers (or the process exits, or `ready_s` pass) and stops it after; stop() ends the group (uvicorn's
    worker processes with it) and nothing else."""

    ready_s = 60.0

    def __init__(self, cmd: list[str], env: dict[str, str], logfile: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.logfile = logfile
        self.log = open(logfile, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def __enter__(self) -> Self:
        deadline = time.monotonic() + self.ready_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.logfile.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling interval
        self.stop()
        raise RuntimeError("server did not become healthy")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        try:  # workers that outlived the supervisor
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not self.log.closed:
            self.log.close()


class Server(Process):
    """uvicorn bench.asgi:app (= the app of `caja serve`, one worker) on a free port."""

    def __init__(self, db: Database) -> None:
        self.db = db
        port = free_port()
        super().__init__([sys.executable, "-m", "uvicorn", "bench.asgi:app", "--host", "127.0.0.1", "--port",
                          str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "10"],
                         db.env, db.var_dir / f"server-{port}.log", port)

    def pair(self) -> dict[str, Any]:
        r = httpx.post(self.url + "/api/pair", json={"code": self.db.pairing_code(), "device": "bench"}, timeout=30)
        r.raise_for_status()
        return dict(r.json())
