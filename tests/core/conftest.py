"""Shared set-up for the poscore tests, which also run inside Pyodide.

A hypothesis profile without an example database (Pyodide mounts the project read-write and
must not get a ``.hypothesis`` folder written into it), modest example counts and no deadline
(Pyodide is several times slower than CPython, and timings are not what these tests prove).
Nothing here may use subprocess, threads, the network or files outside ``tmp_path``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "poscore",
    database=None,
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # A fixed seed in CI, random locally (tests/conftest.py says why); repeated here for the Pyodide run.
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
)
settings.load_profile("poscore")
