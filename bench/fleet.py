"""A chain for the morning measures: many paired terminals on one database, and `caja serve --workers N`.

What it is for: `add_terminals(db, n)` creates tills T001… (own folio series each, the demo's warehouse and
price list) and `ServeProcess` runs the real `caja serve` (or the floor app, bench/static_pages.py) with several
worker processes on a free loopback port; `pair_all` pairs every till through the real API.
What it must NOT do: listen anywhere but 127.0.0.1, leave a process behind (stop() ends the process group it
started, by its id), or sleep for assumed durations (waits poll a condition with a deadline).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import httpx

from bench.erp import BIN, SECRET, Database, Process, free_port


def add_terminals(db: Database, n: int) -> list[str]:
    """n more tills in the demo's branch, warehouse 1 and price list 1; each has its own series R<k>/F<k>."""
    from server.db.engine import make_engine, write_tx
    from server.terminals import create_terminal

    codes = [f"T{k:03d}" for k in range(1, n + 1)]
    engine = make_engine(db.url)
    try:
        with write_tx(engine) as conn:
            for k, code in enumerate(codes, start=1):
                create_terminal(conn, code=code, name=f"Caja {k}", branch_id=1, warehouse_id=1, price_list_id=1,
                                series_remision=f"R{k}", series_factura=f"F{k}")
    finally:
        engine.dispose()
    return codes


def pair_all(db: Database, url: str, codes: list[str]) -> list[dict[str, Any]]:
    """Pair every till through POST /api/pair; returns the API's answers (token + terminal) in order."""
    from server.db.engine import make_engine, write_tx
    from server.terminals import new_pairing_code, terminal_id_by_code

    engine = make_engine(db.url)
    try:
        with write_tx(engine) as conn:
            pins = [new_pairing_code(conn, SECRET, terminal_id_by_code(conn, c) or 0, 60) for c in codes]
    finally:
        engine.dispose()
    out = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for code, pin in zip(codes, pins, strict=True):
            r = client.post("/api/pair", json={"code": pin, "device": f"bench {code}"})
            r.raise_for_status()
            out.append(dict(r.json()))
    return out


class ServeProcess(Process):
    """`caja serve --workers N` on the database (or, with `floor_pages`, the floor app under uvicorn)."""

    ready_s = 90.0  # N workers each warm the catalog at start

    def __init__(self, db: Database, workers: int, floor_pages: Path | None = None) -> None:
        port = free_port()
        env = dict(db.env)
        if floor_pages is None:
            exe = shutil.which("caja", path=str(BIN))
            cmd = [exe] if exe else [sys.executable, "-m", "server.cli"]
            cmd += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                    "--log-level", "warning"]
        else:
            env["CAJA_BENCH_PAGES"] = str(floor_pages)
            cmd = [sys.executable, "-m", "uvicorn", "bench.static_pages:app", "--host", "127.0.0.1", "--port",
                   str(port), "--workers", str(workers), "--log-level", "warning"]
        super().__init__(cmd, env, db.var_dir / f"serve-{port}.log", port)
