"""The snapshot boot: after a boot without one, the interpreter's memory snapshot is made in a Worker and stored
(web/boot/snapshot.mjs); later opens — online, offline, after a browser restart — restore it and sell; a snapshot that
does not restore is dropped, the POS boots without it and a new one is made."""
from __future__ import annotations

from typing import Any

from tests.e2e import header, pairing, payment, selling
from tests.e2e import tour_sales as ts
from tests.e2e.harness import Browser, ErpProcess

SNAPSHOT_MS = 90_000  # made ~5 s after a boot, in a Worker that boots a second interpreter on a busy machine


def _state(page: Any) -> str:
    return str(page.evaluate("() => globalThis.cajaBoot && cajaBoot.snapshot"))


def _kind(page: Any) -> str | None:
    """What the restored snapshot held: "app" (the app imported) or "bare" (only the interpreter); None without."""
    kind = page.evaluate("() => globalThis.cajaBoot && cajaBoot.snapshotKind")
    return None if kind is None else str(kind)


def _wait_stored(page: Any) -> None:
    page.wait_for_function("() => globalThis.cajaBoot && cajaBoot.snapshot === 'stored'", timeout=SNAPSHOT_MS)


def _reopen(page: Any) -> None:
    page.reload()
    selling.wait_ready(page)


def _sell(page: Any, product: dict) -> str:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def test_snapshot_is_made_used_offline_and_after_restart_and_a_bad_one_is_dropped(browser: Browser,
                                                                                  erp: ErpProcess) -> None:
    p1, p2, p3 = ts.sellable(erp, 3, skip=7)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    # The first boot had none: it is being made, or already stored when pairing and loading took longer than making
    # it (a busy machine) — never "used".
    assert _state(page) in ("making", "stored")
    assert _kind(page) is None
    # PyScript's own package came from the app zip's bytecode, not from the sources PyScript writes at every boot
    assert page.evaluate("() => cajaBoot.pyscriptFrom") == "app zip"
    _wait_stored(page)
    assert page.evaluate("async () => (await (await caches.open('caja-snapshot')).keys()).length") == 1

    _reopen(page)
    assert _state(page) == "used"
    # The app's import went into the snapshot: a bare one (its import failed in the Worker) also sells, slower,
    # and nothing else would notice.
    assert _kind(page) == "app"
    # a restore puts the working directory first on sys.path; boot.mjs puts the app zip back in front of it
    assert page.evaluate("() => cajaBoot.pyscriptFrom") == "app zip"
    numbers = [_sell(page, p1)]
    header.wait_pending(page, 0)  # the online sale reached the ERP before the network goes

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    _reopen(page)
    assert _state(page) == "used"  # Cache Storage and the service worker's shell: no network needed
    assert _kind(page) == "app"
    numbers.append(_sell(page, p2))
    browser.close()
    page = browser.open(offline=True)
    page = pairing.open_pos(page, erp.url)
    selling.wait_ready(page)
    assert _state(page) == "used"  # after a browser restart too
    header.wait_pending(page, 1)  # the offline sale is still there

    # A snapshot that does not restore (here: garbage bytes) is dropped; the till boots without it and sells.
    page.evaluate("""async () => {
        const cache = await caches.open('caja-snapshot');
        for (const key of await cache.keys()) await cache.put(key, new Response(new Uint8Array(4096)));
    }""")
    _reopen(page)
    assert _state(page) in ("making", "stored")
    assert _kind(page) is None
    numbers.append(_sell(page, p3))
    _wait_stored(page)
    _reopen(page)
    assert _state(page) == "used"

    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    header.wait_pending(page, 0, timeout=60_000)
    assert len(set(numbers)) == 3
    rows = ts.erp_rows(erp, f"SELECT number FROM sales WHERE number IN ({','.join('?' * 3)})", *numbers)
    assert sorted(r[0] for r in rows) == sorted(numbers)
    assert browser.foreign_requests() == []
