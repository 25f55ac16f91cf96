"""The machine and versions a benchmark ran on, for the results JSON.

Must NOT measure anything or start a browser beyond asking its version.
"""
from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _cmd(*args: str) -> str | None:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20, cwd=REPO, check=False).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _mem_total_mib() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def info(chromium: str | None, postgres: str | None) -> dict[str, Any]:
    try:
        manifest = json.loads((REPO / "web" / "vendor" / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    return {
        "nproc": os.cpu_count(), "cpu_model": _cpu_model(), "mem_total_mib": _mem_total_mib(),
        "os": _cmd("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"), "kernel": platform.release(),
        "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version, "postgresql": postgres,
        "chromium": chromium, "node": _cmd("node", "--version"),
        "pyodide": manifest.get("pyodide"), "pyscript": manifest.get("pyscript"),
        "app_version": manifest.get("app_version"), "runtime_version": manifest.get("runtime_version"),
        "git_commit": _cmd("git", "rev-parse", "--short", "HEAD"),
        "git_dirty_web": bool(_cmd("git", "status", "--porcelain", "--", "web", "server", "poscore")),
        "load_average_start": load_average(),
    }
