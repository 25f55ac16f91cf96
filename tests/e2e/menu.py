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
    return _sync_panel_line(page, "#sync-sales", "sync-result")


def kept_rejections(page: Any) -> str:
    """Sync icon → Datos sincronizados: the line naming the returns the ERP rejected that this device keeps."""
    return _sync_panel_line(page, None, "sync-kept")


def _sync_panel_line(page: Any, button: str | None, line_id: str) -> str:
    """Open the sync icon's panel, press `button` (if any), and read the line `line_id` once it has text."""
    page.click("#sync-icon")
    if button is not None:
        page.click(button)
    page.wait_for_function("i => document.getElementById(i).textContent.length > 0", arg=line_id)
    text = page.inner_text(f"#{line_id}")
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
