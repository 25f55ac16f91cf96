"""Tour helpers for the ☰ menu (Ventas, Acerca de) and the sync icon's "Datos sincronizados"."""
from __future__ import annotations

from typing import Any


def local_sales(page: Any) -> dict[str, str]:
    """Menu → Ventas: {local number: state text}."""
    page.click("#menu-button")
    page.click("button[data-action=menu-sales]")
    page.wait_for_selector("#sales-list")  # the Ventas panel itself, not the menu panel it replaces
    rows = page.locator("#sales-list tr.sale-row")
    out = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        out[row.get_attribute("data-number")] = row.locator("td.state").inner_text()
    page.click("button[data-action=menu-close]")
    return out


def sync_sales(page: Any) -> str:
    """Sync icon → Datos sincronizados → Ventas; returns the outcome message."""
    page.click("#sync-icon")
    page.click("#sync-sales")
    page.wait_for_function("() => document.getElementById('sync-result').textContent.length > 0")
    text = page.inner_text("#sync-result")
    page.click("button[data-action=menu-close]")
    return text


def about(page: Any) -> str:
    page.click("#menu-button")
    page.click("button[data-action=menu-about]")
    page.wait_for_selector("#persisted")
    text = page.inner_text("#menu-panel")
    page.click("button[data-action=menu-close]")
    return text


def set_language(page: Any, lang: str) -> None:
    """Acerca de → Español / English (stored on the device)."""
    page.click("#menu-button")
    page.click("button[data-action=menu-about]")
    page.click(f"button[data-action=lang][data-lang={lang}]")
    page.wait_for_selector(f"button[data-lang={lang}][aria-pressed=true]")
    page.click("button[data-action=menu-close]")
