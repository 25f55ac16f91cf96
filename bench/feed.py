"""Catalog feed serve time: every page of GET /api/catalog (since=0) fetched the way a terminal does, one after
another on one connection, gzip on, for the demo catalog (10k or 100k products).

What it is for: seconds for the whole feed, per page, and bytes on the wire, at the POS's page size (read from
web/caja_pos/services/sync.py) and at the contract's maximum (5000); also returns the items, so the sales generator builds valid
sales from what the API serves. What it must NOT do: read the database behind the API's back, or count the
client's JSON parsing as server time (parsing is timed apart, after the last page).
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import median

MAX_LIMIT = 5000


def pos_page_size() -> int:
    """The page size the POS asks for (web/caja_pos/services/sync.py `PAGE = n`), so the floor and this figure match the page."""
    src = (Path(__file__).resolve().parents[1] / "web" / "caja_pos" / "services" / "sync.py").read_text()
    m = re.search(r"^PAGE\s*=\s*(\d+)", src, re.MULTILINE)
    return int(m.group(1)) if m else 2000


def fetch_all(url: str, token: str, kind: str = "catalog", limit: int = MAX_LIMIT) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    raw: list[bytes] = []
    wire = 0
    pages: list[float] = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        after = 0
        t0 = time.perf_counter()
        while True:
            t = time.perf_counter()
            with client.stream("GET", f"/api/{kind}", params={"since": 0, "after": after, "limit": limit}) as resp:
                resp.raise_for_status()
                body = resp.read()
                wire += resp.num_bytes_downloaded
            pages.append(time.perf_counter() - t)
            raw.append(body)
            m = re.search(rb'"next_after"\s*:\s*(null|\d+)', body[-200:]) or re.search(rb'"next_after"\s*:\s*(null|\d+)', body)
            if m is None or m.group(1) == b"null":
                break
            after = int(m.group(1))
        total = time.perf_counter() - t0
    t = time.perf_counter()
    items: list[dict[str, Any]] = []
    for body in raw:
        items.extend(json.loads(body)["items"])
    parse = time.perf_counter() - t
    return {"seconds": total, "pages": len(pages), "page_ms_median": (median(pages) or 0) * 1000,
            "wire_bytes": wire, "json_bytes": sum(len(b) for b in raw), "parse_s": parse, "items": items}


def measure(url: str, token: str, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    for limit in sorted({pos_page_size(), MAX_LIMIT}):
        res = [fetch_all(url, token, "catalog", limit) for _ in range(runs)]
        items = res[-1]["items"]
        out[f"limit_{limit}"] = {
            "runs": runs, "products": len(items), "pages": res[0]["pages"],
            "seconds_median": median([x["seconds"] for x in res]),
            "seconds": [round(x["seconds"], 3) for x in res],
            "page_ms_median": median([x["page_ms_median"] for x in res]),
            "products_per_s": len(items) / (median([x["seconds"] for x in res]) or 1),
            "wire_bytes": res[0]["wire_bytes"], "json_bytes": res[0]["json_bytes"],
            "client_json_parse_s": median([x["parse_s"] for x in res]),
        }
    return {"feed": out, "items": items}
