"""Tour helpers for the payment screen and the "Venta guardada" confirmation."""
from __future__ import annotations

from typing import Any


def pay_cash_exact(page: Any) -> str:
    """Cobrar → Exacto → Confirmar; returns the local sale number shown (e.g. T01-000003)."""
    page.click("#charge")
    page.click("button[data-action=exact]")
    page.wait_for_selector("#pay-status[data-ok='1']")
    return confirm(page)


def pay(page: Any, amounts: dict[str, str], reference: str | None = None) -> str:
    """Cobrar with amounts per method (efectivo, tarjeta_credito, tarjeta_debito, transferencia)."""
    page.click("#charge")
    for method, amount in amounts.items():
        page.fill(f"#pay-{method}", amount)
    if reference:
        page.fill("#pay-reference", reference)
    page.wait_for_selector("#pay-status[data-ok='1']")
    return confirm(page)


def confirm(page: Any) -> str:
    page.click("#pay-confirm")
    page.wait_for_selector("#sale-saved")
    number = page.inner_text("#sale-number")
    page.click("#new-sale")
    page.wait_for_selector("#overlay", state="hidden")
    return number
