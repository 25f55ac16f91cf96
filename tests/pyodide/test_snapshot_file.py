"""The interpreter snapshot's stored form (web/boot/snapshot_file.mjs, run under Node): sparse packing gives back
the same bytes whatever the zero runs, keeps whether the app was imported ("app" / "bare"), leaves a mostly
empty heap's zeros out, and refuses what it did not pack.

Must NOT build the runtime; without node it fails saying how to get it (tests/suites.py).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.suites import require

SCRIPT = Path(__file__).with_name("snapshot_file_roundtrip.mjs")
NODE = shutil.which("node")

pytestmark = [pytest.mark.pyodide]


def test_packed_snapshot_unpacks_to_the_same_bytes_and_kind() -> None:
    require("pyodide", NODE is not None, "node", "apt-get install -y nodejs npm")
    assert NODE is not None
    proc = subprocess.run([NODE, "--no-warnings", str(SCRIPT)], capture_output=True, text=True, timeout=120,
                          check=True)
    *cases, sparse, refused = json.loads(proc.stdout)
    assert [(c["length"], c["same"], c["kind"]) for c in cases] == [
        (0, True, "app"), (3, True, "bare"), (4096, True, "app"), (1 << 20, True, "app"), ((1 << 20) + 3, True, "bare")]
    assert sparse["same"] and sparse["stored"] < (1 << 16) + 4096  # 4 MiB of which 64 KiB are data
    assert refused == {"refused": True}
