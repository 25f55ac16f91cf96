"""A throwaway PostgreSQL server for the tests, started from the system binaries in a temp dir.

What it is for: `PostgresServer.start()` → a running cluster on a free 127.0.0.1 port, trust auth, fsync off;
`.url(db)`, `.create_db(name, template)`, `.drop_db(name)`, `.stop()`.
What it must not do: touch any system cluster. initdb/postgres refuse to run as root, so as root the cluster
is owned by `nobody` (an unprivileged user every Debian has) in a temp dir chowned to it.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="caja-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self._file_copy = True

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "nobody", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.dir)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.dir, "nobody")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # The free port can be taken by another process before postgres binds it: try a few.
        for attempt in range(3):
            opts = (f"-p {self.port} -k '' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                    "-c full_page_writes=off -c max_connections=300")
            try:
                self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "log"), "-w", "-t", "60",
                          "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    log = (self.dir / "log").read_text(errors="replace") if (self.dir / "log").exists() else ""
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                self.port = free_port()
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_db(self, name: str, template: str | None = None) -> None:
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        if template and self._file_copy:
            # PostgreSQL 15+: copying files is faster than WAL-logging every page of a small template.
            try:
                self._admin(sql + " STRATEGY FILE_COPY")
                return
            except psycopg.errors.SyntaxError:
                self._file_copy = False
        self._admin(sql)

    def drop_db(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
