"""The e2e harness: a real ERP (`caja migrate`, `caja demo`, `caja serve --port`) on a free port with a fresh SQLite
database, as a subprocess that can be stopped, started again on the same port and database, or killed with SIGKILL;
and Debian's Chromium through Playwright with a persistent profile (so the service worker cache, IndexedDB and a
browser restart behave as on a till) that records every request, so a test can assert nothing leaves the origin.

Like Datasette's tests/test_playwright.py. The fixtures that start them are in conftest.py; the fault tests use
the same classes. Must not assert anything about the POS itself (the per-screen helpers do).
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CAJA = str(Path(sys.executable).with_name("caja"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_PRODUCTS = 1500
DEMO_CUSTOMERS = 200
BOOT_TIMEOUT_MS = 90_000  # a cold Pyodide boot on a busy 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ErpProcess:
    """`caja serve` in a subprocess; stop()/start() keep the port and the database."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The ERP's test-only pause points (server/testhooks.py): inert until a test arms one in this folder.
        self.hooks = workdir / "hooks"
        self.hooks.mkdir(exist_ok=True)
        self.env = {**os.environ, "CAJA_DATABASE_URL": f"sqlite:///{workdir / 'caja.db'}",
                    "CAJA_TEST_HOOKS": str(self.hooks)}
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        # Where the test itself reaches the ERP (the browser may use another name: tests/e2e/test_https.py) and
        # the TLS context for it when that is https.
        self.api_origin = self.url
        self.ssl_context: Any = None

    def caja(self, *args: str, stdin: str | None = None) -> str:
        out = subprocess.run([CAJA, *args], env=self.env, cwd=self.workdir, check=True, capture_output=True,
                             text=True, timeout=120, input=stdin)
        return out.stdout

    def start(self) -> None:
        log = open(self.workdir / "serve.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen([CAJA, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.workdir / "serve.log").read_text())
            try:
                with urllib.request.urlopen(f"{self.api_origin}/api/health", timeout=1,
                                            context=self.ssl_context) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("caja serve did not answer /api/health")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None

    @property
    def pid(self) -> int:
        """The id of the running `caja serve` process (one process: uvicorn runs in it with one worker)."""
        assert self.proc is not None and self.proc.poll() is None, "the ERP is not running"
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no shutdown, no rollback, no flush by the server.

        The port and the database stay; start() brings the ERP back on them (what a service manager does).
        """
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=20)
        self.proc = None

    def pairing_code(self) -> str:
        return self.caja("pairing-code").strip().splitlines()[-1].strip()

    def api(self, path: str) -> Any:
        """GET an ERP endpoint with a terminal token of its own (a pairing of the demo terminal).

        Pairing the terminal again (the browser does) may revoke our token: on 401, pair once more.
        """
        for attempt in (1, 2):
            if self._token is None:
                body = json.dumps({"code": self.pairing_code(), "device": "pytest"}).encode()
                req = urllib.request.Request(f"{self.api_origin}/api/pair", body,
                                             {"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10, context=self.ssl_context) as r:
                    self._token = json.load(r)["token"]
            req = urllib.request.Request(f"{self.api_origin}{path}",
                                         headers={"Authorization": f"Bearer {self._token}"})
            try:
                with urllib.request.urlopen(req, timeout=30, context=self.ssl_context) as r:
                    return json.load(r)
            except urllib.error.HTTPError as exc:
                if exc.code != 401 or attempt == 2:
                    raise
                self._token = None
        raise AssertionError("unreachable")


class Browser:
    """A persistent Chromium profile that can be closed and reopened (a till restart)."""

    def __init__(self, playwright: Any, profile: Path, origin: str) -> None:
        self.playwright = playwright
        self.profile = profile
        self.origin = origin
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.context: Any = None
        # The browser's environment (None: this process's); e.g. a HOME whose NSS database trusts a test CA.
        self.env: dict[str, str] | None = None

    def open(self, offline: bool = False, args: tuple[str, ...] = (), viewport: tuple[int, int] = (1280, 800),
             has_touch: bool = False) -> Any:
        """Start Chromium on this profile (`args`: more command-line switches; `has_touch`: a touch screen, so
        `page.tap` works) and return its first page."""
        self.context = self.playwright.chromium.launch_persistent_context(
            str(self.profile), executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *args], headless=True,
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=has_touch, locale="es-MX",
            service_workers="allow", env=self.env)
        self.context.set_default_timeout(20_000)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("weberror", lambda e: self.console_errors.append(str(e.error)))
        if offline:
            self.context.set_offline(True)
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None

    def foreign_requests(self) -> list[str]:
        """Every request URL that did not go to our own origin (must stay empty)."""
        return [u for u in self.requests
                if not u.startswith((self.origin + "/", "data:", "blob:"))]


# ---------- the ERP's database, read directly (the one reader the e2e and fault tests share) ----------
def erp_rows(erp: ErpProcess, sql: str, *params: Any) -> list[tuple]:
    """Rows of `sql` on the running ERP's SQLite file (a timeout: the ERP may be writing)."""
    with closing(sqlite3.connect(erp.workdir / "caja.db", timeout=30)) as db:
        return db.execute(sql, params).fetchall()


def erp_execute(erp: ErpProcess, sql: str, *params: Any) -> None:
    """Change the ERP's database under it (a test setting up a state the API cannot make)."""
    with closing(sqlite3.connect(erp.workdir / "caja.db", timeout=30)) as db:
        db.execute(sql, params)
        db.commit()
