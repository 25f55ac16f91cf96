"""Two devices of one shop return the same units of one synced sale while offline: when they sync, the ERP accepts
the first to arrive and rejects the other with `return_exceeds`. The rejected return is never dropped: the till
that made it shows it in Ventas with the ERP's reason and "Datos sincronizados" names it with the reason each time it
opens; it is still there, rejected and not pending, after reloads and another sync. Online again, Devolver on that
device counts the other one's accepted return and offers nothing more.

The second device is a copy of the first one's browser profile taken after the sale synced (the same paired
terminal and the same sales history, as a shop's spare tablet restored from the first), so both find the sale
offline in their own history, as a till does.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from poscore.messages import t
from tests.e2e import header, menu, pairing, payment, selling, tour_returns, tour_sales
from tests.e2e.harness import Browser, ErpProcess


def _reopen(browser: Browser, erp: ErpProcess) -> Any:
    page = pairing.open_pos(browser.open(), erp.url)
    selling.wait_ready(page)
    header.wait_wifi(page, "online")
    header.wait_pending(page, 0)
    return page


def _return_offline(page: Any, number: str, reason: str) -> None:
    tour_sales.open_sales(page)
    tour_returns.find_sale(page, number)
    saved = tour_returns.return_units(page, {0: "2"}, reason)
    assert saved.startswith("Devolución guardada:"), saved
    tour_returns.close_return(page)
    tour_sales.close(page)
    header.wait_pending(page, 1)


def _returns_of(page: Any, number: str) -> tuple[list[str], list[str]]:
    tour_sales.open_sales(page)
    tour_returns.find_sale(page, number)
    listed, states = tour_returns.returns_listed(page), tour_returns.return_states(page)
    tour_sales.close(page)
    return listed, states


def test_two_devices_return_the_same_units_offline_one_is_accepted_one_kept_rejected(
        browser: Browser, erp: ErpProcess, playwright: Any, tmp_path: Path) -> None:
    [product] = tour_sales.sellable(erp, 1, skip=3)
    pos = tour_sales.pair_and_load(browser, erp)
    header.wait_service_worker(pos)
    for _ in range(2):
        selling.scan(pos, product["barcodes"][0])
    selling.wait_cart_lines(pos, 1)
    number = payment.pay_cash_exact(pos)
    assert menu.sync_sales(pos) == "La sincronización se ha realizado correctamente"
    header.wait_pending(pos, 0)

    browser.close()  # the profile is copied whole and quiet
    other = Browser(playwright, tmp_path / "profile-2", erp.url)
    shutil.copytree(browser.profile, other.profile, symlinks=True, ignore=shutil.ignore_patterns("Singleton*"))
    try:
        first, second = _reopen(browser, erp), _reopen(other, erp)
        browser.context.set_offline(True)
        other.context.set_offline(True)
        header.wait_wifi(first, "offline")
        header.wait_wifi(second, "offline")
        _return_offline(first, number, "Primera caja")
        _return_offline(second, number, "Segunda caja")  # the same two units: offline, neither knows the other

        browser.context.set_offline(False)
        header.wait_wifi(first, "online")
        assert menu.sync_sales(first) == "La sincronización se ha realizado correctamente"
        header.wait_pending(first, 0)
        other.context.set_offline(False)
        header.wait_wifi(second, "online")
        menu.sync_sales(second)  # (a background sync may have sent it as the network came back)
        header.wait_pending(second, 0)  # rejected is final: nothing left to send

        rows = tour_sales.erp_rows(erp, "SELECT r.reason FROM returns r JOIN sales s ON s.id = r.sale_id "
                                        "WHERE s.number = ?", number)
        assert rows == [("Primera caja",)]
        listed, states = _returns_of(first, number)
        assert states == ["synced"] and "Sincronizada" in listed[0], listed

        for _ in range(2):  # kept across reloads, and a later sync does not send it again
            listed, states = _returns_of(second, number)
            assert states == ["rejected"], states
            assert "Rechazada" in listed[0] and t("return_exceeds") in listed[0], listed
            kept = menu.kept_rejections(second)
            assert f"{number}-D1: {t('return_exceeds')}" in kept, kept
            second.reload()
            selling.wait_ready(second)
            header.wait_wifi(second, "online")
            header.wait_pending(second, 0)
        assert menu.sync_sales(second) == "La sincronización se ha realizado correctamente"

        # Online, Devolver counts the other device's accepted return (GET /api/returns/of-sale): nothing is left.
        tour_sales.open_sales(second)
        tour_returns.find_sale(second, number)
        second.click("#sale-return")
        second.wait_for_selector("#return-qty-0")
        assert second.is_disabled("#return-qty-0") and second.is_disabled("#return-all-0")
        second.click("#return-back")
        second.wait_for_selector("#sale-detail")
        tour_sales.close(second)
        assert tour_sales.erp_rows(erp, "SELECT COUNT(*) FROM returns r JOIN sales s ON s.id = r.sale_id "
                                        "WHERE s.number = ?", number) == [(1,)]
        assert browser.foreign_requests() == [] and other.foreign_requests() == []
    finally:
        other.close()
