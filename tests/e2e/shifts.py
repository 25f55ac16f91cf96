"""Tour helpers for cashiers and shifts: the shift panel (header's cashier button), the PIN dialog, the amount
dialog (float, entradas, salidas), the Corte Z count with the denominations helper, the corte's ticket preview,
and a count of MXN pieces that adds up to an amount."""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

PIECES = (("b1000", "1000"), ("b500", "500"), ("b200", "200"), ("b100", "100"), ("b50", "50"), ("b20", "20"),
          ("m10", "10"), ("m5", "5"), ("m2", "2"), ("m1", "1"), ("m0.50", "0.50"))


ANA, ANA_PIN, BETO, BETO_PIN = "Ana", "2580", "Beto", "4826"


def add_cashiers(erp: Any) -> None:
    """A cajera and a supervisor in the ERP (`caja cashier add`, the PIN on stdin)."""
    erp.caja("cashier", "add", ANA, "--pin-stdin", stdin=ANA_PIN + "\n")
    erp.caja("cashier", "add", BETO, "--role", "supervisor", "--pin-stdin", stdin=BETO_PIN + "\n")


def records_on_device(page: Any) -> list[tuple[str, str]]:
    """(store, uuid) of every shift record the device holds (through the page's own idb.js)."""
    return [tuple(x) for x in page.evaluate("""async () => {
        const idb = await import('/pos/idb/idb.js');
        const out = [];
        for (const store of ["shifts", "cash_movements", "cortes", "authorizations"]) {
            for (const r of JSON.parse(await idb.shiftRecords(store, null))) out.push([store, r.uuid]);
        }
        return out;
    }""")]


def wait_toast(page: Any, text: str) -> None:
    page.wait_for_function("t => document.getElementById('toast').textContent === t", arg=text)


def wait_shift(page: Any, state: str, timeout: int = 20_000) -> None:
    """The header's cashier button says the shift is `abierto`, `cerrado` or `none`."""
    page.wait_for_function("s => document.getElementById('cashier-button').dataset.shift === s", arg=state,
                           timeout=timeout)


def cashier_shown(page: Any) -> str:
    return str(page.inner_text("#cashier-button"))


def open_panel(page: Any) -> None:
    if not page.is_visible("#shift-panel"):
        page.click("#cashier-button")
    page.wait_for_selector("#shift-panel")


def pin(page: Any, name: str, typed: str) -> None:
    """Answer the PIN dialog as `name` (one click on the name, unless it is the only one) with `typed`."""
    page.wait_for_selector("#pin-dialog")
    button = page.locator("#pin-names button", has_text=name)
    if button.count():
        button.first.click()
    page.fill("#pin-input", typed)
    page.click("#pin-ok")
    page.wait_for_selector("#pin-dialog", state="detached")


def amount(page: Any, value: str, reason: str | None = None) -> None:
    page.wait_for_selector("#amount-dialog")
    page.fill("#amount-input", value)
    if reason is not None:
        page.fill("#amount-reason", reason)
    page.click("#amount-ok")
    page.wait_for_selector("#amount-dialog", state="detached")


def open_shift(page: Any, name: str, typed_pin: str, opening_float: str) -> None:
    open_panel(page)
    page.click("#shift-open")
    pin(page, name, typed_pin)
    amount(page, opening_float)
    wait_shift(page, "abierto")


def change_cashier(page: Any, name: str, typed_pin: str) -> None:
    open_panel(page)
    page.click("#shift-cashier")
    pin(page, name, typed_pin)
    page.wait_for_function("n => document.getElementById('cashier-button').textContent.endsWith(n)", arg=name)


def move(page: Any, kind: str, value: str, reason: str) -> None:
    """An entrada (`cash-in`) or salida (`cash-out`) de efectivo."""
    open_panel(page)
    page.click(f"#shift-{kind}")
    amount(page, value, reason)


def corte_x(page: Any) -> str:
    """Corte X → its ticket preview; returns the ticket's text and goes back."""
    open_panel(page)
    page.click("#shift-corte-x")
    return _ticket(page)


def _ticket(page: Any) -> str:
    page.wait_for_selector("#ticket-preview #ticket .tl")
    text = str(page.inner_text("#ticket"))
    page.click("#ticket-back")
    page.wait_for_selector("#ticket-preview", state="detached")
    return text


def count_rows(page: Any) -> dict[str, list[str]]:
    """The count dialog's table: {method or "total": [expected, counted, difference]}."""
    out = {}
    for row in page.locator("#count-table tr[data-method]").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        out[str(row.get_attribute("data-method"))] = cells[1:]
    return out


def mxn(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def pieces_for(target: Decimal) -> dict[str, int]:
    """Bills and coins that add up to `target` (a multiple of 50 centavos), largest first."""
    out, left = {}, target
    for key, value in PIECES:
        n = int(left // Decimal(value))
        if n:
            out[key] = n
            left -= n * Decimal(value)
    assert left == 0, target
    return out


def short_of(expected: Decimal, short: Decimal) -> Decimal:
    """An amount a drawer can hold (50-centavo steps) at least `short` below `expected`."""
    return ((expected - short) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2


def open_count(page: Any) -> dict[str, list[str]]:
    """Corte Z → the count dialog; returns its table before anything is typed (what is expected)."""
    open_panel(page)
    page.click("#shift-corte-z")
    page.wait_for_selector("#count-dialog #count-table tr[data-method]")
    return count_rows(page)


def corte_z(page: Any, cash_pieces: dict[str, int], others: dict[str, str]) -> tuple[dict, str]:
    """Corte Z: type the pieces and the other methods' totals; returns (the table before closing, the ticket)."""
    if not page.is_visible("#count-dialog"):
        open_count(page)
    for key, n in cash_pieces.items():
        page.fill(f"[id='count-{key}']", str(n))
    for method, value in others.items():
        page.fill(f"#count-{method}", value)
    rows = count_rows(page)
    page.click("#count-ok")
    return rows, _ticket(page)


def supervisor_cancel(page: Any, name: str, typed_pin: str) -> None:
    """Ventas → a sale's detail → Cancelar → Sí → the supervisor's PIN; back on the list."""
    page.click("#sale-cancel")
    page.click("#confirm-yes")
    pin(page, name, typed_pin)
    page.wait_for_selector("#sales-list, #sales-empty")
