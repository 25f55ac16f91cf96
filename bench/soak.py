"""A till that sells all day: one POS page sells N sales (2,000) without a reload, with a customer picked every 10th
sale and, every 100 sales, the Ventas window opened (a sale's detail and its ticket preview) and the language
switched. Every 200 sales it reads the JS heap (after a forced GC), the WebAssembly memory (Pyodide's heap), the
listener proxies the POS holds alive (platform.py counts them on globalThis.cajaBoot.live_proxies) and the
"Cobrar" time (click on "Confirmar cobro" → "Venta guardada", as bench/selling.py times it) of that block.

What it is for: proving that screens and dialogs give back what they took (goal: after the first 200 sales, growth
under 5 MB for the rest and a flat proxy count; Cobrar p95 of the last block within 10 % of the first).

Two wasm figures, because the WebAssembly memory is a high-water mark: it never shrinks, and it grows in
Emscripten's geometric steps (a fifth of the heap at a time) whenever the allocator needs one byte more than it
has. A page that ends its boot with its heap full (the catalog's product dicts and indexes are most of it) takes
one such step the first time selling needs a little more than boot left free: a few hundred kB of bounded growth
(the built-product cache filling, this device's stock decrements) or a passing allocation. That step says nothing
about whether selling all day leaks; so each reading also gives the allocator's live bytes (`wasm_in_use_mb`:
mallinfo's bytes handed out and not freed, Python objects and the interpreter's own, since Pyodide has no
pymalloc), whose growth after the first reading is the leak figure, beside the high-water mark the device pays.
What it must NOT do: bypass the POS's own screens (every sale is clicked through them, in the page), reload the
page, or sleep (every wait is on a condition of the page).
"""
from __future__ import annotations

from typing import Any

from bench import pospage
from bench.browser import Profile, js_heap, wasm_heap_in_use_bytes, wasm_memory_bytes
from bench.stats import pct, r

EVERY = 200  # sales between two readings
CHORES = 100  # sales between two openings of Ventas + ticket preview and two language switches
PICK = 10  # a customer is picked for every PICK-th sale

# Runs `codes.length` sales in the page through the POS's own screens; returns each sale's Cobrar time (ms).
# Waits poll the page's state with a zero timeout (a condition, never a fixed delay); the timed part is observed with
# a MutationObserver, so the polling does not add to it.
SELL = """async ([codes, first, pick, chores]) => {
  const $ = (s) => document.querySelector(s);
  const click = (s) => { const e = $(s); if (!e) throw new Error(`missing ${s}`); e.click(); };
  const until = async (fn, what) => {
    const t0 = performance.now();
    for (;;) {
      const v = fn();
      if (v) return v;
      if (performance.now() - t0 > 60000) throw new Error(`timeout: ${what}`);
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const closed = () => until(() => $('#overlay').hidden, 'overlay closed');
  const saved = () => new Promise((resolve, reject) => {
    let t0 = null;
    const mo = new MutationObserver(() => {
      if ($('#sale-saved')) { mo.disconnect(); resolve(performance.now() - t0); }
      const err = $('#pay-error');
      if (err && !err.hidden) { mo.disconnect(); reject(new Error(err.textContent)); }
    });
    mo.observe($('#overlay'), { childList: true, subtree: true, attributes: true });
    t0 = performance.now();
    click('#pay-confirm');
  });
  const pickCustomer = async (i) => {
    click('#customer-name');
    const q = await until(() => $('#customer-search'), 'customer picker');
    q.value = 'aeiou'[i % 5];
    q.dispatchEvent(new Event('input', { bubbles: true }));
    (await until(() => $('#customer-results [data-action=pick]'), 'customer hits')).click();
    await closed();
  };
  const ventas = async () => {
    click('#menu-button');
    (await until(() => $('[data-action=menu-sales]'), 'menu')).click();
    (await until(() => $('#sales-list [data-action=sale-open]'), 'Ventas list')).click();
    await until(() => $('#sale-detail'), 'sale detail');
    click('#sale-print');
    await until(() => $('#ticket .tl'), 'ticket preview');
    click('#ticket-back');
    await until(() => $('#sale-detail'), 'back to the detail');
    click('#sale-close');
    await closed();
  };
  const switchLanguage = async () => {
    click('#menu-button');
    (await until(() => $('[data-action=menu-about]'), 'menu')).click();
    await until(() => $('[data-action=lang]'), 'about panel');
    const next = document.documentElement.lang.startsWith('es') ? 'en' : 'es';
    click(`[data-action=lang][data-lang=${next}]`);
    await until(() => document.documentElement.lang.startsWith(next)
      && $(`[data-action=lang][data-lang=${next}][aria-pressed=true]`), 'language switched');
    click('[data-action=menu-close]');
    await closed();
  };
  const times = [];
  for (let k = 0; k < codes.length; k++) {
    const i = first + k;
    if (i % pick === 0) await pickCustomer(i);
    const search = $('#search');
    search.value = codes[k];
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await until(() => !$('#charge').disabled, 'product in the cart');
    click('#charge');
    await until(() => $('#pay-confirm'), 'payment dialog');
    click('#payment [data-action=exact]');
    await until(() => $('#pay-status[data-ok="1"]'), 'exact amount');
    times.push(await saved());
    click('#new-sale');
    await closed();
    if ((i + 1) % chores === 0) {
      await ventas();
      await switchLanguage();
    }
  }
  return times;
}"""


def _codes(items: list[dict[str, Any]], n: int) -> list[str]:
    """n barcodes to scan, each product sold less often than its stock allows (the till refuses past the stock)."""
    stocked = [p for p in items if p["sellable"] and p["active"] and p["unit"] == "pieza" and p["barcodes"]
               and p["price"] is not None and p["stock"] is not None and float(p["stock"]) >= 2]
    codes: list[str] = []
    uses = 1
    while len(codes) < n:
        batch = [p["barcodes"][0] for p in stocked if float(p["stock"]) - 1 >= uses]
        if not batch:
            raise RuntimeError(f"the catalog has stock for only {len(codes)} sales")
        codes.extend(batch)
        uses += 1
    return codes[:n]


def _mb(n: int | None) -> float | None:
    return None if n is None else r(n / 1e6, 2)


def _reading(page: Any, sales: int, times: list[float]) -> dict[str, Any]:
    heap = js_heap(page)
    return {"sales": sales, "js_heap_mb": r(heap["usedSize"] / 1e6, 2),
            "wasm_mb": r(wasm_memory_bytes(page) / 1e6, 2), "wasm_in_use_mb": _mb(wasm_heap_in_use_bytes(page)),
            "live_proxies": page.evaluate("() => (globalThis.cajaBoot || {}).live_proxies ?? null"),
            "cobrar_p50_ms": r(pct(times, 50), 2), "cobrar_p95_ms": r(pct(times, 95), 2)}


def measure(pw: Any, url: str, paired: dict[str, Any], items: list[dict[str, Any]], n: int) -> dict[str, Any]:
    codes = _codes(items, n)
    with Profile(pw) as page:
        pospage.prepair(page, url, paired)
        page.goto(url + "/pos/")
        pospage.wait_sell(page)
        readings = [_reading(page, 0, [0.0])]
        for start in range(0, n, EVERY):
            block = codes[start:start + EVERY]
            times = [float(x) for x in page.evaluate(SELL, [block, start, PICK, CHORES])]
            readings.append(_reading(page, start + len(block), times))
    first, last = readings[1], readings[-1]
    proxies = [x["live_proxies"] for x in readings[1:]]
    return {
        "sales": n, "readings": readings,
        "js_heap_growth_after_first_mb": r(last["js_heap_mb"] - first["js_heap_mb"], 2),
        "wasm_growth_after_first_mb": r(last["wasm_mb"] - first["wasm_mb"], 2),
        "wasm_in_use_growth_after_first_mb": r(last["wasm_in_use_mb"] - first["wasm_in_use_mb"], 2)
        if first["wasm_in_use_mb"] is not None and last["wasm_in_use_mb"] is not None else None,
        "live_proxies_first": proxies[0], "live_proxies_last": proxies[-1],
        "live_proxies_max": max((p for p in proxies if p is not None), default=None),
        "cobrar_p95_first_ms": first["cobrar_p95_ms"], "cobrar_p95_last_ms": last["cobrar_p95_ms"],
        "cobrar_p95_last_to_first": r(last["cobrar_p95_ms"] / first["cobrar_p95_ms"], 3)
        if first["cobrar_p95_ms"] else None,
    }
