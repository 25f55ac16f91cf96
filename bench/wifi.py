"""Shop wi-fi: a till behind a 10 Mbit/s, 40 ms link (CDP network emulation): the first visit (bytes the ERP
sends until the service worker has cached the app, and the pairing screen interactive) and the whole catalog
feed (time and bytes on the wire), each next to its floor: the bytes themselves at the link's rate; and an app
update (a new app version deployed while the till has the previous one: what it downloads to switch).

What it is for: figures for a till on a shop's network, measured in the browser. Bytes are counted by the
server (bench/asgi.py counts every response body it sends), so the service worker's own downloads count too;
the emulation slows only the page's requests (Chromium's emulation is per target, the service worker's
precache runs at loopback speed), which the report says.
What it must NOT do: change the POS, leave the emulation on for other measures (the profile is thrown away),
or send anything beyond 127.0.0.1. The app update is the one exception to the first rule: it deploys a second
app version into web/vendor (a copy of today's app zip under a new name, a manifest naming it) and puts the
original manifest back and deletes the copy when it is done, whatever happens.
"""
from __future__ import annotations

import gzip
import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx

from bench import browser, pospage
from bench.browser import Profile
from bench.feed import pos_page_size
from bench.stats import median

DOWN = 10_000_000 / 8  # bytes per second
UP = 5_000_000 / 8
LATENCY_MS = 40
LINK = (DOWN, UP, LATENCY_MS)


def _sent(url: str) -> int:
    return int(httpx.get(url + "/bench/bytes", timeout=30).text)


def _first_visit(pw: Any, url: str) -> dict[str, Any]:
    before = _sent(url)
    with Profile(pw) as page:
        page.goto(url + "/pos/")
        pospage.wait_any(page)
        figures = pospage.boot_figures(page)
        # The first visit is over when the service worker has cached the shell, the runtime and the app.
        page.evaluate("() => navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
        page_bytes = page.evaluate("""() => performance.getEntriesByType('resource')
            .reduce((s, e) => s + (e.transferSize || 0), 0)""")
    return {"app_ready_ms": figures["app_ready_ms"], "python_ready_ms": figures["python_ready_ms"],
            "server_bytes": _sent(url) - before, "page_transfer_bytes": page_bytes}


VENDOR = Path(__file__).resolve().parent.parent / "web" / "vendor"
_ACTIVE = """(version) => navigator.serviceWorker && navigator.serviceWorker.controller &&
    caches.keys().then((names) => {
        const ours = names.filter((n) => n.startsWith('caja-pos-'));
        return ours.length === 1 && ours[0].startsWith(`caja-pos-${version}-`);
    })"""


def _wait_active(page: Any, version: str, timeout_s: float = 300) -> None:
    """Until the worker of `version` controls the page and its cache is the only one. Polled with `evaluate`, which
    awaits the check's promise: `wait_for_function` took the promise itself as a truthy answer, so the update's
    window closed at once and counted only what the reload itself fetched."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(_ACTIVE, version):
        if time.monotonic() > deadline:
            raise TimeoutError(f"app version {version} never became active")
        page.wait_for_timeout(100)


def _app_update(pw: Any, url: str) -> dict[str, Any]:
    """A till with the current version gets a new app version: bytes the ERP sends until the new one is cached."""
    manifest_file = VENDOR / "manifest.json"
    original = manifest_file.read_bytes()
    manifest = json.loads(original)
    # Another first character than the current version's (a hash: any letter or digit) makes a new version name.
    new_version = ("b" if manifest["app_version"][0] != "b" else "c") + manifest["app_version"][1:]
    new_zip = f"app-{new_version}.zip"
    copies = [VENDOR / (new_zip + ext) for ext in ("", ".br", ".gz")]
    with Profile(pw) as page:
        page.goto(url + "/pos/")
        pospage.wait_any(page)
        _wait_active(page, manifest["app_version"])
        try:
            for ext, copy in zip(("", ".br", ".gz"), copies, strict=True):
                if (VENDOR / (manifest["app_zip"] + ext)).exists():
                    shutil.copyfile(VENDOR / (manifest["app_zip"] + ext), copy)
            manifest_file.write_text(json.dumps({**manifest, "app_version": new_version, "app_zip": new_zip}))
            before = _sent(url)
            page.reload()
            pospage.wait_any(page)
            _wait_active(page, new_version)
            sent = _sent(url) - before
        finally:
            manifest_file.write_bytes(original)
            for copy in copies:
                copy.unlink(missing_ok=True)
    return {"server_bytes": sent, "app_zip_bytes": (VENDOR / (manifest["app_zip"] + ".br")).stat().st_size}


def _feed_in_page(pw: Any, url: str, token: str) -> dict[str, Any]:
    with Profile(pw) as page:
        page.goto(url + "/bench/blank.html")
        return dict(page.evaluate("""async ([token, limit]) => {
            const t0 = performance.now();
            let after = 0, pages = 0;
            for (;;) {
                const r = await fetch(`/api/catalog?since=0&after=${after}&limit=${limit}`,
                                      {headers: {Authorization: 'Bearer ' + token}, cache: 'no-store'});
                const body = await r.json();
                pages += 1;
                if (body.next_after === null) break;
                after = body.next_after;
            }
            const ms = performance.now() - t0;
            const wire = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/catalog'))
                .reduce((s, e) => s + e.transferSize, 0);
            return {ms, pages, wire_bytes: wire};
        }""", [token, pos_page_size()]))


def _gzip_size(url: str, token: str) -> int:
    """The whole feed's JSON gzip'd as one file (level 6): what no page split can undercut much."""
    raw = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as c:
        after: int | None = 0
        while after is not None:
            body = c.get("/api/catalog", params={"since": 0, "after": after, "limit": pos_page_size()}).content
            raw.append(body)
            after = json.loads(body)["next_after"]
    return len(gzip.compress(b"".join(raw), 6))


def measure(pw: Any, url: str, token: str, runs: int) -> dict[str, Any]:
    saved = dict(browser.EMULATION)
    browser.EMULATION.clear()
    browser.EMULATION["net"] = LINK
    try:
        visits = [_first_visit(pw, url) for _ in range(runs)]
        update = _app_update(pw, url)
        feed = [_feed_in_page(pw, url, token) for _ in range(runs)]
    finally:
        browser.EMULATION.clear()
        browser.EMULATION.update(saved)
    gz = _gzip_size(url, token)
    first_bytes = median([v["server_bytes"] for v in visits]) or 0
    return {
        "link": {"down_bytes_s": DOWN, "up_bytes_s": UP, "latency_ms": LATENCY_MS}, "runs": runs,
        "first_visit": {"app_ready_ms": median([v["app_ready_ms"] for v in visits]),
                        "app_ready_ms_runs": [v["app_ready_ms"] for v in visits],
                        "server_bytes": first_bytes, "page_transfer_bytes": visits[-1]["page_transfer_bytes"],
                        "floor_ms": first_bytes / DOWN * 1000},
        "app_update": update,
        "feed": {"ms": median([f["ms"] for f in feed]), "pages": feed[-1]["pages"],
                 "wire_bytes": feed[-1]["wire_bytes"], "gzip_one_file_bytes": gz,
                 "floor_ms": gz / DOWN * 1000 + LATENCY_MS},
    }
