"""Tour helpers for returns at the till: finding a sale in Ventas by its folio or number, the Devolver dialog (units
per line, reason, refund method), the return's ticket, and the sale's returns as the detail lists them."""
from __future__ import annotations

from typing import Any

from tests.e2e import shifts


def find_sale(page: Any, text: str) -> None:
    """Type (or scan: keystrokes ending with Enter) a folio, local number or ticket code in Ventas' search box."""
    page.fill("#find-sale-text", "")
    page.click("#find-sale-text")
    page.keyboard.type(text, delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#sale-detail")


def return_units(page: Any, units: dict[int, str], reason: str, method: str = "efectivo",
                 supervisor: tuple[str, str] | None = None) -> str:
    """Devolver → the units of each sale line (index from 0) → reason → refund method → Devolver (→ the
    supervisor's name and PIN, in a shop with cashiers); returns the outcome shown ("Devolución guardada: …")."""
    page.click("#sale-return")
    page.wait_for_selector("#return-qty-0")
    for line, qty in units.items():
        page.fill(f"#return-qty-{line}", qty)
    page.fill("#return-reason", reason)
    page.select_option("#return-method", method)
    page.click("#return-confirm")
    if supervisor is not None:
        shifts.pin(page, *supervisor)
    page.wait_for_selector("#return-print")
    return page.inner_text("#return-result")


def return_ticket(page: Any) -> str:
    """From the saved return: Imprimir ticket de devolución → the preview's text; back to the return."""
    page.click("#return-print")
    page.wait_for_selector("#ticket .tl")
    text = page.inner_text("#ticket")
    page.click("#ticket-back")
    page.wait_for_selector("#return-close")
    return text


def close_return(page: Any) -> None:
    page.click("#return-close")
    page.wait_for_selector("#sale-detail")


def returns_listed(page: Any) -> list[str]:
    """The sale's returns in its detail, one text per row (number, refund, method, state)."""
    page.wait_for_selector("#sale-returns")
    return page.locator("#sale-returns tr.return-row").all_inner_texts()


def return_states(page: Any) -> list[str]:
    """The `data-state` of each of the sale's returns in its detail (pending, synced, rejected)."""
    page.wait_for_selector("#sale-returns")
    return [str(s) for s in page.locator("#sale-returns tr.return-row").evaluate_all(
        "rows => rows.map(r => r.dataset.state)")]
