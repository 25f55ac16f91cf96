"""Tour helpers for the till on a touch screen: selling by tapping (search, add, − / +, the numeric pad, Cobrar),
whether what is shown fits the viewport, and the accessibility check.

axe-core comes from node_modules (a devDependency in package.json, installed by `make setup`'s `npm ci`): the
tests hand it to the page through the DevTools protocol, the POS never serves it. Must not assert anything itself
beyond what a helper's name says; the tests decide.
"""
from __future__ import annotations

from typing import Any

from tests.e2e.harness import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Every visible element whose box leaves the viewport sideways or whose content overflows its own box sideways
# (nothing may scroll sideways), and whether the page scrolls sideways at all; elements scrolled away vertically
# inside a list are fine.
_OUTSIDE = """(sels) => {
  const w = window.innerWidth, h = window.innerHeight, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue;
    if (r.left < -1 || r.right > w + 1) out.push(`${el.tagName}#${el.id}.${el.className} ${r.left}..${r.right}`);
    // Content cut off or scrolling sideways inside its own box (a cart line wider than the cart).
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      out.push(`${el.tagName}#${el.id}.${el.className} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
  }
  for (const s of sels) {
    const el = document.querySelector(s);
    if (!el) { out.push(`${s} missing`); continue; }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1)
      out.push(`${s} at ${r.left},${r.top}..${r.right},${r.bottom} outside ${w}x${h}`);
  }
  const sw = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  if (sw > w) out.push(`scrollWidth ${sw} > innerWidth ${w}`);
  return out;
}"""


def outside(page: Any, *selectors: str) -> list[str]:
    """What does not fit: elements sticking out sideways, `selectors` not wholly inside the viewport, a page
    wider than the window. Empty when everything fits."""
    return list(page.evaluate(_OUTSIDE, list(selectors)))


def small_targets(page: Any, scope: str) -> list[str]:
    """Visible buttons and fields under `scope` smaller than 44 × 44 px (WCAG 2.5.5's target size)."""
    return list(page.evaluate("""(scope) => [...document.querySelectorAll(
        `${scope} button, ${scope} input:not([type=file]), ${scope} [data-action]`)]
      .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && !el.closest('[hidden]')
                        && (r.width < 43.5 || r.height < 43.5); })
      .map((el) => `${el.tagName}#${el.id}[${el.dataset.action || el.className}] ${el.getBoundingClientRect().width}x${el.getBoundingClientRect().height}`)""",
                              scope))


def axe(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now ("rule: first target")."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary})`).join(', ')}`);
    }""")
    return list(found)


def tab_escapes(page: Any, presses: int = 12) -> list[str]:
    """Press Tab, then Shift+Tab, `presses` times each with a dialog open: where the focus went outside it."""
    out = []
    for key in ("Tab", "Shift+Tab"):
        for _ in range(presses):
            page.keyboard.press(key)
            where = page.evaluate("""() => { const a = document.activeElement;
              return document.getElementById('overlay').contains(a) ? '' : a.tagName + '#' + a.id; }""")
            if where:
                out.append(f"{key}: {where}")
    return out


def narrow(page: Any) -> bool:
    """The selling screen shows one view at a time (its switch bar is shown)."""
    return bool(page.is_visible("#show-cart"))


def show_cart(page: Any) -> None:
    if narrow(page):
        page.tap("#show-cart")
        page.wait_for_selector("section.sell[data-view=cart]")


def show_products(page: Any) -> None:
    if narrow(page):
        page.tap("#show-products")
        page.wait_for_selector("section.sell[data-view=products]")


def tap_search_and_add(page: Any, words: str, name: str) -> None:
    """Tap the search box, type (the on-screen keyboard), tap the product."""
    show_products(page)
    page.tap("#search")
    page.fill("#search", "")  # the search field's own clear (×)
    page.keyboard.type(words)
    page.locator("#results .result", has_text=name).first.tap()


def qty(page: Any, pid: int) -> str:
    return str(page.input_value(f"#cart input.qty[data-id='{pid}']"))


def tap_plus(page: Any, pid: int, action: str = "inc") -> None:
    before = qty(page, pid)
    page.tap(f"#cart button[data-action={action}][data-id='{pid}']")
    page.wait_for_function("([p, b]) => document.querySelector(`#cart input.qty[data-id='${p}']`).value !== b",
                           arg=[pid, before])


def pad_type(page: Any, keys: str) -> None:
    """On the open numeric pad: tap each key, then Aceptar."""
    page.wait_for_selector("#numpad")
    for k in keys:
        page.tap(f"#numpad button[data-action=key][data-key='{k}']")
    page.wait_for_function("t => document.getElementById('numpad-value').textContent === t", arg=keys)
    page.tap("#numpad-ok")
    page.wait_for_selector("#numpad", state="detached")


def tap_qty_pad(page: Any, pid: int, keys: str) -> None:
    page.tap(f"#cart input.qty[data-id='{pid}']")
    pad_type(page, keys)
    page.wait_for_function("([p, k]) => document.querySelector(`#cart input.qty[data-id='${p}']`).value === k",
                           arg=[pid, keys])


def tap_discount_pad(page: Any, pid: int, keys: str) -> None:
    page.tap(f"#cart input.disc[data-id='{pid}']")
    pad_type(page, keys)
    page.wait_for_function("([p, k]) => document.querySelector(`#cart input.disc[data-id='${p}']`).value === k",
                           arg=[pid, keys])


def tap_charge_open(page: Any) -> None:
    show_cart(page)
    page.tap("#charge")
    page.wait_for_selector("#payment")


def tap_cash_on_pad(page: Any, quick_label: str) -> None:
    """Tap the cash received, then a quick-cash button of the pad (e.g. "Exacto", "$100.00")."""
    page.tap("#pay-efectivo")
    page.wait_for_selector("#numpad-quick")
    page.locator("#numpad-quick button", has_text=quick_label).first.tap()
    page.wait_for_selector("#numpad", state="detached")
    page.wait_for_selector("#pay-status[data-ok='1']")


def tap_confirm(page: Any) -> str:
    page.tap("#pay-confirm")
    page.wait_for_selector("#sale-saved")
    number = str(page.inner_text("#sale-number"))
    page.tap("#new-sale")
    page.wait_for_selector("#overlay", state="hidden")
    return number
