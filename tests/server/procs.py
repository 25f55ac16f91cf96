"""Running `caja` as a real process for the tests: commands to completion, and `caja serve` in the background.

What it is for: `caja(*args, env)` → CompletedProcess; `Served` starts `caja serve` on a free port, collects its
output on a thread, waits until /api/health answers, and stops it with SIGTERM (returning the exit code).
What it must not do: sleep for a fixed time; every wait polls a condition with a deadline.
"""
from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.server.pg import free_port

REPO = Path(__file__).resolve().parents[2]


def caja_cmd() -> list[str]:
    exe = shutil.which("caja", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "server.cli"]


def caja_env(db_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAJA_")}
    env.update(CAJA_DATABASE_URL=db_url, CAJA_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def caja(*args: str, env: dict[str, str], timeout: float = 120,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*caja_cmd(), *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False, input=stdin)


class Served:
    def __init__(self, env: dict[str, str], *extra: str, soft_nofile: int | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        cmd = [*caja_cmd(), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
               *extra]
        if soft_nofile:  # start from a machine's usual soft limit of open files (the shell execs the server)
            cmd = ["sh", "-c", f'ulimit -Sn {int(soft_nofile)} && exec "$@"', "sh", *cmd]
        self.proc = subprocess.Popen(
            cmd,
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self._pumper = threading.Thread(target=self._pump, daemon=True)
        self._pumper.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_healthy(self, deadline_s: float = 60) -> None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"caja serve exited {self.proc.returncode}:\n{''.join(self.output)}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # polling interval, not a wait for an assumed duration
        raise AssertionError("caja serve did not become healthy:\n" + "".join(self.output))

    def wait_line(self, contains: str, deadline_s: float = 30) -> str:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if contains in line:
                return line
        raise AssertionError(f"no line with {contains!r}:\n" + "".join(self.output))

    def stop(self, deadline_s: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("caja serve ignored SIGTERM:\n" + "".join(self.output)) from None
        finally:
            self._pumper.join(timeout=deadline_s)
            assert self.proc.stdout is not None
            self.proc.stdout.close()
