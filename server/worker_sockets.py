"""`caja serve --workers N`: every worker accepts on a listening socket of its own, so new connections are spread
evenly between the workers.

Why: with uvicorn's supervisor all workers accept from one shared socket, and asyncio takes every waiting
connection in one wake-up. When a chain's 200 tills connect at once, one worker can end up holding three
quarters of them, and as the tills keep their connections alive, a sync wave then runs at that worker's speed
while the other one idles (measured: 4.7 s vs 1.6 s of CPU per worker in one wave). Here the parent binds one
socket per worker on the same address with SO_REUSEPORT, and the kernel hashes each new connection to one of
the listening sockets. The parent keeps the sockets open, so a worker that dies leaves its socket (and the
connections queued on it) to its replacement.

Must not: change what a worker runs (uvicorn's `Server` with the caller's `Config`), share a port with another
`caja serve` (SO_REUSEPORT would let two servers split one port's connections silently; `bind_sockets` refuses a
port in use first), or be used where the platform has no SO_REUSEPORT (`available()` says; the caller then runs
uvicorn's own supervisor).
"""
from __future__ import annotations

import logging
import socket
import sys

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process

logger = logging.getLogger("uvicorn.error")


def available() -> bool:
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _in_use(host: str, port: int) -> OSError | None:
    """A plain bind on the address: fails if anything, with or without SO_REUSEPORT, holds the port."""
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT leftovers are no obstacle
        probe.bind((host, port))
        return None
    except OSError as exc:
        return exc
    finally:
        probe.close()


def bind_sockets(config: Config, count: int) -> list[socket.socket]:
    """`count` sockets bound to the config's host and port with SO_REUSEPORT, not listening yet (each worker
    listens when its app has started, as with uvicorn's single socket). Exits as uvicorn does on a bind error."""
    host, port = config.host, config.port
    if port:
        busy = _in_use(host, port)
        if busy is not None:
            logger.error(busy)
            sys.exit(STARTUP_FAILURE)
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # port 0: the others join the port the kernel gave the first
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        logger.error(exc)
        sys.exit(STARTUP_FAILURE)
    shown = f"[{host}]" if ":" in host else host
    logger.info("Uvicorn running on %s://%s:%d, one socket per worker (Press CTRL+C to quit)",
                "https" if config.is_ssl else "http", shown, port)
    return sockets


class SocketPerWorker(Multiprocess):
    """uvicorn's supervisor (signals, health checks, a hung or dead worker replaced, a worker that fails at start
    stopping the parent), with worker i always given socket i."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self.processes_num = len(sockets)

    def _start(self, index: int) -> Process:
        process = Process(self.config, [self.sockets[index]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(i) for i in range(len(self.sockets))]

    def keep_subprocess_alive(self) -> None:
        for idx, process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung or dead
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app, TLS or database is broken: every restart would fail too
                logger.error(f"Child process [{process.pid}] failed to start, stopping the parent process.")
                self.should_exit.set()
                return
            logger.info(f"Child process [{process.pid}] died")
            self.processes[idx] = self._start(idx)

    def restart_all(self) -> None:
        """SIGHUP: each worker replaced in turn, the new one serving its socket before the old one is stopped."""
        for idx, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(idx)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    logger.error(f"New child process [{new.pid}] was not ready in time; keeping worker "
                                 f"[{old.pid}] and aborting the restart.")
                return
            old.terminate()
            old.join()
            self.processes[idx] = new

    def handle_ttin(self) -> None:
        logger.info("Received SIGTTIN: the number of workers is fixed at start with one socket per worker.")

    def handle_ttou(self) -> None:
        logger.info("Received SIGTTOU: the number of workers is fixed at start with one socket per worker.")


def run(config: Config) -> None:
    """Serve with `config.workers` processes, one socket each."""
    SocketPerWorker(config, bind_sockets(config, config.workers)).run()
