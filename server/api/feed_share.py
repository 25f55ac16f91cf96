"""Feed pages shared by the worker processes of one `caja serve`: a page built by one process is read by the others
from a directory instead of being built again.

What it is for: with `--workers N` each process has its own page cache (feed_cache), so a crowd of tills loading the
catalog after a change made every process build every page: N times the CPU of the server and the database, and
N chains of builds for the tills to wait on. `PageCache.get_or_build` asks this store first and, holding the
key's file lock (one builder per key across the processes), builds only what no process has written yet.
A page is a file named by its key's digest (the key holds the change version, so a file is never rewritten
with other content); the directory belongs to one run of `caja serve` (made empty at its start, removed with
the next start), so a database restored under a stopped server never meets pages of the database before.
What it must NOT do: decide what a page holds or when it is stale (the key does), keep pages read while the
version moved (the cache saves only pages it would keep itself), fail a request (any file error: the process
builds the page itself), or grow past its byte budget (oldest pages are removed first).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "CAJA_FEED_SHARE_DIR"  # how `caja serve` tells its workers (Settings.feed_share_dir)
_HEAD = struct.Struct("<q")  # the next page's `after`, -1 for the last page
_PRUNE_EVERY = 64  # saves between two looks at the directory's size


def key_name(key: tuple[object, ...]) -> str:
    return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


class SharedPages:
    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.dir, self.max_bytes = directory, max_bytes
        self._saves = 0

    def load(self, key: tuple[object, ...]) -> tuple[bytes, int | None] | None:
        """(gzip bytes, next page's `after`) of a page some process saved, or None."""
        try:
            data = (self.dir / f"{key_name(key)}.page").read_bytes()
        except OSError:
            return None
        if len(data) < _HEAD.size:
            return None
        (after,) = _HEAD.unpack_from(data)
        return data[_HEAD.size:], (None if after < 0 else after)

    def save(self, key: tuple[object, ...], gz: bytes, next_after: int | None) -> None:
        name = key_name(key)
        tmp = self.dir / f"{name}.{os.getpid()}.tmp"
        try:
            tmp.write_bytes(_HEAD.pack(-1 if next_after is None else next_after) + gz)
            os.replace(tmp, self.dir / f"{name}.page")  # readers see the whole file or none
        except OSError:
            tmp.unlink(missing_ok=True)
            return
        self._saves += 1
        if self._saves % _PRUNE_EVERY == 0:
            self._prune()

    @contextmanager
    def building(self, key: tuple[object, ...]) -> Iterator[None]:
        """Hold the key's lock across the processes (blocks while another process builds it)."""
        try:
            fd = os.open(self.dir / f"{key_name(key)}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:
            yield  # no lock to take: this process builds on its own, as without sharing
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _prune(self) -> None:
        try:
            pages = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.dir.glob("*.page")]
        except OSError:
            return
        total = sum(size for _, size, _ in pages)
        for _, size, path in sorted(pages, key=lambda x: x[0]):
            if total <= self.max_bytes // 2:
                break
            path.unlink(missing_ok=True)
            path.with_suffix(".lock").unlink(missing_ok=True)
            total -= size


def of_dir(directory: Path | None, max_bytes: int) -> SharedPages | None:
    """The store in `directory` (Settings.feed_share_dir), or None when there is none to share."""
    return SharedPages(directory, max_bytes) if directory is not None and directory.is_dir() else None


def new_run_dir(var_dir: Path) -> Path:
    """An empty directory for this run of `caja serve`, after removing those of runs that ended."""
    root = var_dir / "feed-pages"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        if old.name.isdigit() and not _alive(int(old.name)):
            shutil.rmtree(old, ignore_errors=True)
    mine = root / str(os.getpid())
    shutil.rmtree(mine, ignore_errors=True)
    mine.mkdir()
    return mine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
