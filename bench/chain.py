"""A chain's morning against one ERP (`caja serve --workers 2` on PostgreSQL): many tills loading the whole
catalog at the same moment, then many tills each syncing a batch of sales at the same moment.

What it is for: wall time until the last till has every page, per-till p50/p95, bytes, errors; then a second
wave with the validators the first one got (304s); sales per second with folios gapless per series, every
accepted sale stored once and a replay answered as duplicates. Each figure next to its floor, measured in the
same run by the same client against bench/static_pages.py (same bytes, same workers, no database).
What it must NOT do: send traffic anywhere but 127.0.0.1, run unbounded (fixed counts, a deadline per wave),
decompress every till's pages (the client would take the cores the server needs: each till's bytes are
compared with the reference load's, which is parsed and checked in full), or repair what it finds wrong.
"""
from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench import fleet, rawhttp
from bench.erp import Database
from bench.feed import fetch_all, pos_page_size
from bench.salesgen import make_sales
from bench.stats import median, pct

WAVE_DEADLINE_S = 300


def _run(coro: Any) -> Any:
    """asyncio.run in a thread of its own: the caller may be inside Playwright's sync API, whose event loop
    already runs on this thread."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _reference(url: str, token: str, limit: int) -> dict[str, Any]:
    """One till's load, parsed in full: the page sequence and each page's bytes for the crowd to match."""
    afters, digests, raws = [0], [], []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"},
                      timeout=120) as client:
        while True:
            with client.stream("GET", "/api/catalog", params={"since": 0, "after": afters[-1], "limit": limit}) as r:
                r.raise_for_status()
                raw = b"".join(r.iter_raw())
            digests.append(hashlib.sha256(raw).hexdigest())
            raws.append(raw)
            nxt = json.loads(gzip.decompress(raw))["next_after"]
            if nxt is None:
                break
            afters.append(int(nxt))
    check = fetch_all(url, token, "catalog", limit)  # the same pages through the plain path, parsed
    ids = [p["id"] for p in check["items"]]
    return {"afters": afters, "digests": digests, "raws": raws, "products": len(ids),
            "ids_unique_sorted": ids == sorted(set(ids))}


async def _till_load(url: str, token: str, ref: dict[str, Any], limit: int, tags: list[str] | None,
                     gate: asyncio.Event) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    out: dict[str, Any] = {"bytes": 0, "mismatch": 0, "not_modified": 0, "tags": [], "error": None}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120,
                                 limits=httpx.Limits(max_connections=1)) as client:
        await gate.wait()
        t0 = time.perf_counter()
        try:
            for i, after in enumerate(ref["afters"]):
                extra = {"If-None-Match": tags[i]} if tags else {}
                async with client.stream("GET", "/api/catalog", headers=extra,
                                         params={"since": 0, "after": after, "limit": limit}) as r:
                    raw = b"".join([c async for c in r.aiter_raw()])
                    out["bytes"] += r.num_bytes_downloaded
                if r.status_code == 304:
                    out["not_modified"] += 1
                elif r.status_code != 200 or hashlib.sha256(raw).hexdigest() != ref["digests"][i]:
                    out["mismatch"] += 1
                out["tags"].append(r.headers.get("etag", ""))
        except httpx.HTTPError as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
        out["seconds"] = time.perf_counter() - t0
    return out


async def _crowd(url: str, tokens: list[str], ref: dict[str, Any], limit: int,
                 tags: list[list[str]] | None = None) -> dict[str, Any]:
    gate = asyncio.Event()
    tasks = [asyncio.create_task(_till_load(url, tok, ref, limit, tags[k] if tags else None, gate))
             for k, tok in enumerate(tokens)]
    await asyncio.sleep(0)  # let every till open its client before the start
    t0 = time.perf_counter()
    gate.set()
    done = await asyncio.wait_for(asyncio.gather(*tasks), WAVE_DEADLINE_S)
    wall = time.perf_counter() - t0
    secs = [d["seconds"] for d in done]
    return {"tills": len(tokens), "wall_s": wall, "till_p50_s": median(secs), "till_p95_s": pct(secs, 95),
            "requests": len(tokens) * len(ref["afters"]), "wire_bytes": sum(d["bytes"] for d in done),
            "mismatched_pages": sum(d["mismatch"] for d in done), "not_modified": sum(d["not_modified"] for d in done),
            "errors": [d["error"] for d in done if d["error"]][:3], "failed_tills": sum(1 for d in done if d["error"]),
            "_tags": [d["tags"] for d in done]}


def catalog_morning(db: Database, work: Path, tills: list[dict[str, Any]], workers: int) -> dict[str, Any]:
    limit = pos_page_size()
    tokens = [t["token"] for t in tills]
    with fleet.ServeProcess(db, workers) as srv:
        ref = _reference(srv.url, tokens[0], limit)
    pages = work / "floor-pages"
    pages.mkdir(exist_ok=True)
    for after, raw in zip(ref["afters"], ref["raws"], strict=True):
        (pages / f"{after}.gz").write_bytes(raw)
    # A fresh server: the crowd starts on an empty cache, as after a price change, with no waiting (whatever the
    # ERP builds in the background from its start races the crowd, as it would at 9:00).
    with fleet.ServeProcess(db, workers) as srv:
        cold = _timed_crowd(db, srv, tokens, ref, limit)
        warm = _timed_crowd(db, srv, tokens, ref, limit)
        revalidate = _timed_crowd(db, srv, tokens, ref, limit, tags=cold.pop("_tags"))
        warm.pop("_tags")
        revalidate.pop("_tags")
        # A price change at night, the tills at 9:00: the crowd starts once the ERP has been idle for a while
        # after the change (it built the new version's pages by itself, or did nothing), on pages it never sent.
        _price_change(db)
        # The ERP warms a full load once the version has been still for QUIET_S (and notices within a poll).
        from server.api import feed_warmer
        idle_after = _wait_idle(srv.proc.pid, least_s=feed_warmer.QUIET_S + 2 * feed_warmer.POLL_S + 1)
        changed = _reference(srv.url, tokens[0], limit)
        warmed = _timed_crowd(db, srv, tokens, changed, limit)
        warmed.pop("_tags")
        warmed["idle_after_change_s"] = idle_after
    with fleet.ServeProcess(db, workers, floor_pages=pages) as floor_srv:
        floor = _timed_crowd(db, floor_srv, tokens, ref, limit)
        floor.pop("_tags")
    return {"products": ref["products"], "page_size": limit, "pages": len(ref["afters"]),
            "gzip_bytes_per_till": sum(len(r) for r in ref["raws"]), "reference_ok": ref["ids_unique_sorted"], "workers": workers,
            "cold": cold, "warm": warm, "revalidate": revalidate, "warmed_after_change": warmed, "floor": floor}


def _price_change(db: Database) -> None:
    """What the back office does to one price (server/backoffice/catalog_edit.save_product): a new change version
    carried by the product's row, and the old price kept in price_history, so the tills' sales made at it before
    they catch up are still accepted (the sales morning after this sends some)."""
    from sqlalchemy import select

    from server.db import changes
    from server.db.engine import make_engine, utcnow, write_tx
    from server.db.schema import price_history, prices, products

    engine = make_engine(db.url)
    try:
        with write_tx(engine) as conn:
            now = utcnow()
            v = changes.bump(conn)
            where = (prices.c.product_id == 1, prices.c.price_list_id == 1)
            old = conn.execute(select(prices).where(*where)).one()
            conn.execute(price_history.insert().values(price_list_id=1, product_id=1, price=old.price,
                                                       valid_from=old.valid_from, valid_to=now))
            conn.execute(prices.update().where(*where).values(price=old.price + 1, valid_from=now))
            conn.execute(products.update().where(products.c.id == 1).values(version=v))
    finally:
        engine.dispose()


def _cpu_s(pgid: int, parent: int | None = None) -> float:
    """CPU seconds used so far by the processes of a process group (the server and its workers), or by a process
    and its children (PostgreSQL's postmaster and its backends, ended ones included)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Fields after the name: state, ppid, pgrp, …, utime (11), stime (12), cutime (13), cstime (14).
        if parent is None and int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
        elif parent is not None and int(stat.parent.name) == parent:
            total += sum(int(f) for f in fields[11:15])
        elif parent is not None and int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total / 100  # USER_HZ


def _cpu_by_process(pgid: int) -> dict[int, float]:
    """CPU seconds used so far by each process of a process group (the server's supervisor and its workers)."""
    out: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            out[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / 100
    return out


def _machine_cpu() -> list[int]:
    """The machine's CPU time so far, from /proc/stat's first line: user, nice, system, idle, iowait, irq, softirq,
    steal (in USER_HZ ticks)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def _postmaster(db: Database) -> int | None:
    if db.pg is None:
        return None
    return int((db.pg.server.data / "postmaster.pid").read_text().split()[0])


def _timed_crowd(db: Database, srv: fleet.ServeProcess, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A crowd, with the CPU seconds the server and the database used for it (wall time on a shared machine
    moves with the neighbours' load; the CPU a request costs much less)."""
    pm = _postmaster(db)
    before = _cpu_s(srv.proc.pid), (_cpu_s(0, pm) if pm else 0.0)
    res: dict[str, Any] = _run(_crowd(srv.url, *args, **kwargs))
    res["server_cpu_s"] = round(_cpu_s(srv.proc.pid) - before[0], 2)
    res["database_cpu_s"] = round((_cpu_s(0, pm) if pm else 0.0) - before[1], 2)
    return res


def _wait_idle(pgid: int, quiet_s: float = 2.0, least_s: float = 5.0) -> float:
    """Wait until the server used under 5 % of a core for `quiet_s` in a row, and at least `least_s` (longer than
    the ERP takes to notice a change); returns the seconds waited."""
    t0 = time.perf_counter()
    last, quiet_since = _cpu_s(pgid), time.perf_counter()
    while time.perf_counter() - t0 < WAVE_DEADLINE_S:
        time.sleep(0.5)  # sampling interval of a CPU counter, not a wait for a result
        now = _cpu_s(pgid)
        if now - last > 0.025:
            quiet_since = time.perf_counter()
        last = now
        if time.perf_counter() - quiet_since >= quiet_s and time.perf_counter() - t0 >= least_s:
            break
    return time.perf_counter() - t0


async def _post_crowd(url: str, bodies: list[tuple[str, bytes]]) -> tuple[float, list[Any], float]:
    """Every till POSTs its batch at the same moment, each on a connection opened before the clock starts; the
    wall time from the start to the last answer, the answers (status, parsed JSON or text), and the CPU seconds
    this client spent in that window (bench/rawhttp.py: what the tills' side took of the ERP's cores)."""
    gate, ready = asyncio.Event(), asyncio.Event()
    connected = [0]

    async def one(token: str, body: bytes) -> tuple[int, bytes]:
        conn = rawhttp.Connection(url)
        await conn.open()
        try:
            status, _ = await conn.send(conn.request_bytes("GET", "/api/health", {}))
            if status != 200:
                raise RuntimeError(f"health answered {status}")
            post = conn.request_bytes("POST", "/api/sales", {
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"}, body)
            connected[0] += 1
            if connected[0] == len(bodies):
                ready.set()
            await gate.wait()
            return await conn.send(post)
        finally:
            await conn.close()

    tasks = [asyncio.create_task(one(tok, body)) for tok, body in bodies]
    await asyncio.wait_for(ready.wait(), WAVE_DEADLINE_S)
    cpu0, t0 = time.thread_time(), time.perf_counter()
    gate.set()
    raw = await asyncio.wait_for(asyncio.gather(*tasks), WAVE_DEADLINE_S)
    wall, cpu = time.perf_counter() - t0, time.thread_time() - cpu0
    # Parsed once the clock stopped: the answers' JSON is the bench's work, not the tills'.
    res = [(status, json.loads(body) if status == 200 else body[:300].decode("utf-8", "replace"))
           for status, body in raw]
    return wall, res, cpu


def sales_morning(db: Database, tills: list[dict[str, Any]], items: list[dict[str, Any]], per_till: int,
                  workers: int, work: Path) -> dict[str, Any]:
    bodies: list[tuple[str, bytes]] = []
    by_uuid: set[str] = set()
    for k, t in enumerate(tills):
        sales = make_sales(items, t["terminal"], per_till, int(t["terminal"].get("seq_start") or 1), seed=100 + k)
        by_uuid.update(s["uuid"] for s in sales)
        bodies.append((t["token"], json.dumps({"sales": sales}).encode()))
    # The other floor: the ERP recomputes every sale with poscore (the rule is written once); that alone, on
    # one core of this machine, bounds what `workers` processes can accept however the database is used.
    from poscore.sale import verified_sale

    every = [sale for _tok, body in bodies for sale in json.loads(body)["sales"]]
    t0 = time.perf_counter()
    for sale in every:
        verified_sale(sale)  # what server/sync/sale_intake.py runs; earlier results timed check_sale + Sale.from_json
    verify_s = time.perf_counter() - t0
    with fleet.ServeProcess(db, workers) as srv:
        # The tills sync sales once they are selling, so the ERP has long finished what it builds at its start
        # (each process warms the full catalog and customers loads, seconds of CPU at 100k products): the crowd
        # starts once it is idle, unlike the catalog crowd above, which is the one that meets a fresh start.
        idle_wait = _wait_idle(srv.proc.pid)
        pm = _postmaster(db)
        cpu0 = _cpu_s(srv.proc.pid), (_cpu_s(0, pm) if pm else 0.0)
        per0, mach0 = _cpu_by_process(srv.proc.pid), _machine_cpu()
        wall, res, client_cpu = _run(_post_crowd(srv.url, bodies))
        mach = [b - a for a, b in zip(mach0, _machine_cpu(), strict=True)]
        cpu = _cpu_s(srv.proc.pid) - cpu0[0], (_cpu_s(0, pm) if pm else 0.0) - cpu0[1]
        per = _cpu_by_process(srv.proc.pid)
        # Idempotency: the first till's batch again is answered with the same folios, flagged duplicate.
        again = httpx.post(srv.url + "/api/sales", content=bodies[0][1], timeout=120,
                           headers={"Authorization": f"Bearer {bodies[0][0]}", "Content-Type": "application/json"})
    statuses = [s for s, _ in res]
    results = [x for s, body in res if s == 200 for x in body["results"]]
    accepted = {x["uuid"]: (x["series"], x["folio"]) for x in results if x["status"] == "accepted"}
    first = {x["uuid"]: x["folio"] for s, body in res[:1] if s == 200 for x in body["results"]}
    replay_ok = again.status_code == 200 and all(
        x["duplicate"] and first.get(x["uuid"]) == x["folio"] for x in again.json()["results"])
    integrity = _integrity(db, accepted, len(by_uuid), replay_ok)
    with fleet.ServeProcess(db, workers, floor_pages=work) as floor_srv:
        floor_wall, _, floor_client_cpu = _run(_post_crowd(floor_srv.url, bodies))
    return {"tills": len(tills), "sales_per_till": per_till, "workers": workers, "wall_s": wall,
            "sales_per_s": len(accepted) / wall if wall else 0, "http_errors": sum(1 for s in statuses if s != 200),
            "rejected": sum(1 for x in results if x["status"] != "accepted"),
            "first_problem": next((x for x in results if x["status"] != "accepted"),
                                  next((b for s, b in res if s != 200), None)),
            "integrity": integrity, "floor_wall_s": floor_wall, "idle_wait_s": round(idle_wait, 1),
            "server_cpu_ms_per_sale": round(cpu[0] * 1000 / len(accepted), 3) if accepted else None,
            "database_cpu_ms_per_sale": round(cpu[1] * 1000 / len(accepted), 3) if accepted else None,
            "floor_sales_per_s": len(by_uuid) / floor_wall if floor_wall else 0,
            # The tills' side, on the same cores in this bench (in a shop they are 200 other devices).
            "client_cpu_s": round(client_cpu, 2), "floor_client_cpu_s": round(floor_client_cpu, 2),
            # Where the wave's time went: each process's CPU (a worker keeps the connections it accepted, so an
            # uneven split of the crowd shows here), and how busy the machine's cores were with the server and
            # the database together; `cpu_ceiling_sales_per_s` is what the cores allow at this run's CPU per
            # sale, the figure that tells a slower host from slower code.
            "server_cpu_s_by_process": sorted((round(v - per0.get(k, 0.0), 2) for k, v in per.items()), reverse=True),
            "cores": os.cpu_count() or 1,
            "cores_busy": round((cpu[0] + cpu[1]) / ((os.cpu_count() or 1) * wall), 3) if wall else None,
            # The whole machine over the wave (client included): the share of the cores' time not idle, and the
            # share a virtual machine's host took away (steal): CPU per sale grows with it.
            "machine_busy": round(1 - (mach[3] + mach[4]) / sum(mach), 3) if sum(mach) else None,
            "machine_steal": round(mach[7] / sum(mach), 3) if sum(mach) else None,
            "cpu_ceiling_sales_per_s": round((os.cpu_count() or 1) * len(accepted) / (cpu[0] + cpu[1]))
            if accepted and cpu[0] + cpu[1] > 0 else None,
            "poscore_check_sales_per_s_one_core": len(every) / verify_s if verify_s else 0}


def _integrity(db: Database, accepted: dict[str, tuple[str, int]], sent: int, replay_ok: bool) -> dict[str, Any]:
    rows = db.sql("SELECT uuid, series, folio FROM sales WHERE series LIKE 'R%' AND series <> 'R'")
    stored = {u: (s, int(f)) for u, s, f in rows}
    per_series: dict[str, list[int]] = {}
    for s, f in stored.values():
        per_series.setdefault(s, []).append(f)
    counters = dict(db.sql("SELECT series, last_folio FROM folio_series WHERE series LIKE 'R%' AND series <> 'R'"))
    checks = {
        "none_lost": len(accepted) == sent and all(stored.get(u) == v for u, v in accepted.items()),
        "none_duplicated": len(rows) == len(stored) == len(accepted),
        "gapless_per_series": all(sorted(f) == list(range(1, len(f) + 1)) for f in per_series.values()),
        "counters_match": all(int(counters[s]) == len(f) for s, f in per_series.items()),
        "replay_same_folios": replay_ok,
    }
    return {"ok": all(checks.values()), "sent": sent, "accepted": len(accepted), "stored": len(rows),
            "series": len(per_series), **checks}


def measure(db: Database, work: Path, load_tills: int, sync_tills: int, per_till: int,
            workers: int = 2) -> dict[str, Any]:
    """`db`: a seeded PostgreSQL database of its own (it gets terminals and sales)."""
    codes = fleet.add_terminals(db, max(load_tills, sync_tills))
    with fleet.ServeProcess(db, workers) as srv:
        tills = fleet.pair_all(db, srv.url, codes)
        items = fetch_all(srv.url, tills[0]["token"])["items"]
    out: dict[str, Any] = {"catalog": catalog_morning(db, work, tills[:load_tills], workers)}
    out["sales"] = sales_morning(db, tills[:sync_tills], items, per_till, workers, work / "floor-pages")
    return out
