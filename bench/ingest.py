"""ERP ingest: sales per second through POST /api/sales from a load generator, on SQLite and on PostgreSQL,
then the folio integrity of everything that was accepted.

What it is for: valid sales (bench/salesgen.py, poscore) posted in batches the POS's size (web/caja_pos/services/sync.py
SALES_BATCH) by one client, and by several clients at once (several tills syncing together), each run timed
wall-clock from the first request to the last answer; afterwards the database must hold every accepted sale once,
series R folios 1..N without gaps or duplicates, equal to what the answers said, and a replayed batch must get
its original folios back (`duplicate: true`).
What it must NOT do: build sales inside the timed window, count rejected sales as ingested, or repair anything
it finds wrong (a broken invariant is reported as such).
"""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.erp import Database, Server
from bench.salesgen import make_sales
from bench.stats import median


def pos_sales_batch() -> int:
    src = (Path(__file__).resolve().parents[1] / "web" / "caja_pos" / "services" / "sync.py").read_text()
    m = re.search(r"^SALES_BATCH\s*=\s*(\d+)", src, re.MULTILINE)
    return int(m.group(1)) if m else 100


def _post_all(url: str, token: str, sales: list[dict[str, Any]], batch: int, clients: int) -> tuple[float, list]:
    """Post `sales` split among `clients` threads, each sending its share in batches; returns (wall s, results)."""
    shares = [sales[i::clients] for i in range(clients)]
    results: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def run(k: int) -> None:
        try:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as c:
                c.get("/api/health")  # connection up before the clock starts
                start.wait()
                share = shares[k]
                for i in range(0, len(share), batch):
                    r = c.post("/api/sales", json={"sales": share[i:i + batch]})
                    r.raise_for_status()
                    results[k].extend(r.json()["results"])
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return wall, [x for rs in results for x in rs]


def measure(db: Database, items: list[dict[str, Any]], n_sales: int, runs: int, clients: int = 4) -> dict[str, Any]:
    """Fresh copy of `db` expected (it gets written). Returns figures + integrity report."""
    batch = pos_sales_batch()
    modes = [("1 client", 1), (f"{clients} clients", clients)]
    out: dict[str, Any] = {"backend": db.kind, "batch": batch, "sales_per_run": n_sales, "runs": runs, "modes": {}}
    accepted: dict[str, int] = {}
    rejected: list[dict[str, Any]] = []
    with Server(db) as srv:
        paired = srv.pair()
        token, terminal = paired["token"], paired["terminal"]
        seq = int(terminal.get("seq_start") or 1)
        all_sales = make_sales(items, terminal, n_sales * runs * len(modes), seq)
        cursor = 0
        for name, k in modes:
            rates = []
            for _ in range(runs):
                chunk = all_sales[cursor:cursor + n_sales]
                cursor += n_sales
                wall, results = _post_all(srv.url, token, chunk, batch, k)
                ok = [x for x in results if x.get("status") == "accepted"]
                rejected.extend(x for x in results if x.get("status") != "accepted")
                for x in ok:
                    accepted[x["uuid"]] = int(x["folio"])
                rates.append(len(ok) / wall)
            out["modes"][name] = {"clients": k, "sales_per_s_median": median(rates),
                                  "sales_per_s": [round(x) for x in rates]}
        # Idempotency: replay the first batch; same folios, flagged duplicate, nothing new stored.
        replay = all_sales[:batch]
        _, again = _post_all(srv.url, token, replay, batch, 1)
        replay_ok = all(x.get("duplicate") is True and accepted.get(x["uuid"]) == x.get("folio") for x in again)
    out["integrity"] = _integrity(db, accepted, rejected, replay_ok)
    return out


def _integrity(db: Database, accepted: dict[str, int], rejected: list[dict[str, Any]],
               replay_ok: bool) -> dict[str, Any]:
    rows = db.sql("SELECT uuid, folio FROM sales WHERE series = 'R' ORDER BY folio")
    last = db.sql("SELECT last_folio FROM folio_series WHERE series = 'R'")[0][0]
    folios = [int(f) for _, f in rows]
    stored = {u: int(f) for u, f in rows}
    checks = {
        "every_accepted_stored_once": len(rows) == len(stored) and all(stored.get(u) == f for u, f in accepted.items()),
        "no_duplicate_folios": len(set(folios)) == len(folios),
        "no_gaps_1_to_n": folios == list(range(1, len(folios) + 1)),
        "series_counter_matches": int(last) == (folios[-1] if folios else 0),
        "replay_same_folios": replay_ok,
    }
    return {"ok": all(checks.values()), "accepted": len(accepted), "rejected": len(rejected),
            "first_rejection": rejected[0] if rejected else None, "stored": len(rows), **checks}
