"""Download the pinned wheels that Pyodide needs to run tests/core, from PyPI, into var/wheels/.

Reads scripts/pyodide/wheels.txt (``NAME==VERSION`` lines, ``#`` comments) and runs, for each wheel that is
not already in the folder, ``pip download --only-binary=:all: --python-version 3.14 --platform any --no-deps``:
pure wheels for Pyodide's Python, never a build from source and never a dependency that is not pinned here
(pinning the Python version matters: a bare name lets the host pip pick e.g. micropip 0.7.2 for 3.11).
Idempotent: a wheel already present is not fetched again; wheels no longer listed are removed.

It must NOT install anything into the host environment, nor fetch from anywhere but the configured package
index, nor touch web/vendor (build_runtime.mjs copies what the page needs from here).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST = Path(__file__).with_name("wheels.txt")
DEST = ROOT / "var" / "wheels"
PYTHON_VERSION = "3.14"  # Pyodide 314.x runs CPython 3.14

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)$")


def read_pins(path: Path = LIST) -> list[tuple[str, str]]:
    """Return the (name, version) pairs of wheels.txt; a line that is not NAME==VERSION is an error."""
    pins = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if not match:
            raise SystemExit(f"{path}:{lineno}: expected NAME==VERSION, got {raw!r}")
        pins.append((match[1], match[2]))
    return pins


def _normalize(name: str) -> str:
    # Wheel file names use the normalized project name with "_" (PEP 427/503).
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_for(name: str, version: str, dest: Path = DEST) -> Path | None:
    """The wheel already downloaded for this pin, if any."""
    prefix = f"{_normalize(name)}-{version}-"
    for path in dest.glob("*.whl"):
        if path.name.lower().startswith(prefix):
            return path
    return None


def download(name: str, version: str, dest: Path = DEST) -> Path:
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--only-binary=:all:", "--python-version", PYTHON_VERSION, "--platform", "any",
        "--no-deps", "--dest", str(dest), f"{name}=={version}",
    ]
    subprocess.run(cmd, check=True)
    found = wheel_for(name, version, dest)
    if found is None:
        raise SystemExit(f"pip reported success but no wheel for {name}=={version} is in {dest}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEST)
    args = parser.parse_args(argv)
    dest: Path = args.dest
    dest.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for name, version in read_pins():
        have = wheel_for(name, version, dest)
        if have is None:
            have = download(name, version, dest)
            print(f"downloaded {have.name}")
        wanted.add(have.name)
    for stale in dest.glob("*.whl"):
        if stale.name not in wanted:
            stale.unlink()
            print(f"removed {stale.name} (no longer pinned)")
    print(f"{len(wanted)} wheels in {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
