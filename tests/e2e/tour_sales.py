"""Tour helpers for the sales screens: the Ventas window (list, filters, detail, Cancelar, Imprimir,
Sincronizar), the ticket preview, "Datos sincronizados", and reading the ERP's database to check what arrived."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e import header, pairing, selling
from tests.e2e.harness import Browser, ErpProcess, erp_execute, erp_rows  # noqa: F401 - the tours' ts.erp_rows


# ---------- set-up ----------
def sellable(erp: ErpProcess, n: int, skip: int = 0) -> list[dict]:
    items = erp.api("/api/catalog?since=0&after=0&limit=400")["items"]
    good = [p for p in items if p["sellable"] and p["unit"] == "pieza" and p["barcodes"]
            and float(p["stock"]) >= 20]
    assert len(good) >= skip + n
    return good[skip:skip + n]


def factura_customer(erp: ErpProcess) -> dict:
    items = erp.api("/api/customers?since=0&after=0&limit=200")["items"]
    return next(c for c in items if c["rfc"] and c["regimen_fiscal"] and c["codigo_postal"] and c["uso_cfdi"])


def pair_and_load(browser: Browser, erp: ErpProcess) -> Any:
    page = browser.open()
    page = pairing.open_pos(page, erp.url)
    pairing.pair(page, erp.pairing_code())
    pairing.wait_catalog_loaded(page)
    selling.wait_ready(page)
    header.wait_wifi(page, "online")
    header.wait_pending(page, 0)
    return page


def offline_with_second_tab(browser: Browser, erp: ErpProcess, tab1: Any) -> Any:
    """Cut the network for the whole profile, then open a second POS tab (offline too); returns it."""
    browser.context.set_offline(True)
    header.wait_wifi(tab1, "offline")
    tab2 = browser.context.new_page()
    tab2 = pairing.open_pos(tab2, erp.url)
    selling.wait_ready(tab2)
    header.wait_wifi(tab2, "offline")
    return tab2


def stock_shown(page: Any, product: dict) -> str:
    """The stock the selling screen shows for `product` (searched by SKU)."""
    page.fill("#search", product["sku"])
    meta = page.locator("#results .result", has_text=product["name"]).first.locator(".meta")
    text = meta.inner_text()
    page.fill("#search", "")
    return text.rsplit(":", 1)[1].strip()


# ---------- Ventas window ----------
def open_sales(page: Any) -> None:
    page.click("#menu-button")
    page.click("button[data-action=menu-sales]")
    page.wait_for_selector("#sales-list, #sales-empty")


def rows(page: Any) -> dict[str, str]:
    """{local number: state text} of the list as shown (with the current filter)."""
    out = {}
    locator = page.locator("#sales-list tr.sale-row")
    for i in range(locator.count()):
        row = locator.nth(i)
        out[row.get_attribute("data-number")] = row.locator("td.state").inner_text()
    return out


def set_filter(page: Any, which: str) -> None:
    page.click(f"button[data-action=sales-filter][data-filter={which}]")
    page.wait_for_selector(f"button[data-filter={which}][aria-pressed=true]")


def open_sale(page: Any, number: str) -> None:
    page.click(f"#sales-list tr.sale-row[data-number='{number}']")
    page.wait_for_selector("#sale-detail")
    page.wait_for_function("n => document.querySelector('#menu-panel h2').textContent.includes(n)", arg=number)


def back_to_list(page: Any) -> None:
    page.click("#sale-back")
    page.wait_for_selector("#sales-list, #sales-empty")


def cancel_sale(page: Any, confirm: bool = True) -> str:
    """Cancelar → the confirmation → "Sí, cancelar la venta" (or "No, volver"); returns the warning text it showed."""
    page.click("#sale-cancel")
    page.wait_for_selector("#confirm-cancel")
    warning = page.inner_text("#confirm-cancel")
    if confirm:
        page.click("#confirm-yes")
        page.wait_for_selector("#sales-list, #sales-empty")
    else:
        page.click("#confirm-no")
        page.wait_for_selector("#sale-detail")
    return warning


def sync_this_sale(page: Any) -> str:
    page.click("#sale-sync")
    page.wait_for_function("() => (document.getElementById('sale-result') || {}).textContent")
    return page.inner_text("#sale-result")


def close(page: Any) -> None:
    page.click("button[data-action=menu-close]")
    page.wait_for_selector("#overlay", state="hidden")


# ---------- ticket ----------
def open_ticket(page: Any) -> str:
    page.click("#sale-print")
    page.wait_for_selector("#ticket .tl")
    return page.inner_text("#ticket")


def save_ticket(page: Any) -> str:
    with page.expect_download() as info:
        page.click("#ticket-save")
    download = info.value
    return Path(download.path()).read_text(encoding="utf-8")


# ---------- Datos sincronizados ----------
def sync_panel(page: Any, option: str = "sync-sales") -> str:
    page.click("#sync-icon")
    page.click(f"button[data-action={option}]")
    page.wait_for_function("() => document.getElementById('sync-result').textContent.length > 0")
    text = page.inner_text("#sync-result")
    page.click("button[data-action=menu-close]")
    return text


# ---------- the back office (what the shop's office sees) ----------
def backoffice_page(browser: Browser, erp: ErpProcess) -> Any:
    """A new tab logged in to /erp/ as a fresh admin (created with `caja create-admin`)."""
    import secrets

    username, password = f"admin{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    erp.caja("create-admin", "--username", username, "--password-stdin", stdin=password + "\n")
    page = browser.context.new_page()
    page.goto(f"{erp.url}/erp/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/erp/ventas/remisiones**")
    return page


def backoffice_numbers(page: Any, path: str) -> dict[str, str]:
    """{local number: folio} of a back-office sales tab (`/erp/ventas/remisiones`, `/erp/ventas/facturas`)."""
    page.goto(page.url.split("/erp/")[0] + path)
    out = {}
    for row in page.locator("table tbody tr").all():
        cells = row.locator("td")
        if cells.count() >= 4:
            out[cells.nth(3).inner_text().strip()] = cells.nth(0).inner_text().strip()
    return out


def press_escape(page: Any) -> None:
    page.keyboard.press("Escape")
