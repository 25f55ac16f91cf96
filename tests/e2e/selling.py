"""Tour helpers for the selling screen: scan/search, cart, customer, sale type."""
from __future__ import annotations

from typing import Any


def wait_ready(page: Any) -> None:
    page.wait_for_selector("#search")
    page.wait_for_function("() => document.documentElement.dataset.pyReady === '1'")


def scan(page: Any, code: str) -> None:
    """A barcode scanner: fast keystrokes ending with Enter."""
    page.click("#search")
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def search_and_add(page: Any, words: str, name: str) -> None:
    page.fill("#search", words)
    page.locator("#results .result", has_text=name).first.click()


def cart_names(page: Any) -> list[str]:
    return page.locator("#cart tr.line td.name > div:first-child").all_inner_texts()


def wait_cart_lines(page: Any, n: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#cart tr.line').length === n", arg=n)


def cart_total(page: Any) -> str:
    return page.inner_text("#cart-total .num")


def set_type(page: Any, sale_type: str) -> None:
    page.click(f"button[data-action=type][data-type={sale_type}]")
    page.wait_for_selector(f"button[data-type={sale_type}][aria-pressed=true]")


def pick_customer(page: Any, query: str, name: str) -> None:
    page.click("#customer-name")
    page.fill("#customer-search", query)
    page.locator("#customer-results .result", has_text=name).first.click()
    page.wait_for_function("n => document.getElementById('customer-name').textContent === n", arg=name)


def create_customer(page: Any, **fields: str) -> None:
    """Nuevo cliente, offline-capable: fields name, rfc, regimen_fiscal, codigo_postal, uso_cfdi, email."""
    page.click("#customer-name")
    page.click("#new-customer")
    for key, value in fields.items():
        page.fill(f"#cust-{key}", value)
    page.click("#save-customer")
    page.wait_for_function("n => document.getElementById('customer-name').textContent === n", arg=fields["name"])


def scan_here(page: Any, code: str) -> None:
    """A scanner burst with the focus wherever it is now (the body, a button): no click on the search box.

    Real key events through the DevTools protocol, each stamped 5 ms after the one before, as a scanner types:
    `keyboard.type(delay=5)` would stamp them when they arrive, and on a loaded machine Playwright's round trips
    put more than a person's gap between them, so the page would rightly take them for typing.
    """
    import time

    cdp = page.context.new_cdp_session(page)
    start = time.time()
    keys = [(ch, ch, f"Digit{ch}" if ch.isdigit() else f"Key{ch.upper()}", ord(ch.upper())) for ch in code]
    keys.append(("Enter", "\r", "Enter", 13))
    try:
        for i, (key, text, key_code, vk) in enumerate(keys):
            stamp = start + i * 0.005
            common = {"key": key, "code": key_code, "windowsVirtualKeyCode": vk, "timestamp": stamp}
            cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": text, **common})
            cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **common})
    finally:
        cdp.detach()


def focused(page: Any) -> str:
    """The tag (and id) of the element with the focus, e.g. "BODY" or "BUTTON#customer-name"."""
    return page.evaluate("() => { const a = document.activeElement; return a.tagName + (a.id ? '#' + a.id : ''); }")


def message(page: Any) -> str:
    """The selling screen's message line (refusals, an unknown code), "" when hidden."""
    return "" if page.is_hidden("#message") else page.inner_text("#message")


def result_names(page: Any) -> list[str]:
    return page.locator("#results .result .name").all_inner_texts()


def search(page: Any, words: str) -> None:
    page.fill("#search", words)
    page.wait_for_function("() => document.querySelectorAll('#results li').length > 0")
