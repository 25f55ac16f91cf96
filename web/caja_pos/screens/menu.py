"""Header menus: ☰ (Ventas on this device, Acerca de / Configuración with the persistent-storage answer, boot
figures, versions and the language switch) and the sync icon's "Datos sincronizados" (Ventas, Clientes,
Catálogo). The full Ventas window (cancel, print, per-sale sync) is issue 5's; this is the minimal list.

Must not change sales: syncing goes through App.sync_sales, which goes through sync.py.
"""
from __future__ import annotations

import asyncio
from typing import Any

from caja_pos.text import labels
from caja_pos.text.labels import L, lang
from caja_pos.ui import secure_context
from caja_pos.ui.dom import action_of, by_id, el, on, replace
from caja_pos.ui.page import boot_info, document, set_lang_attr
from poscore.messages import t
from poscore.money import format_mxn, to_decimal
from poscore.numbering import folio_label


class Menu:
    def __init__(self, app: Any) -> None:
        self.app = app
        on(by_id("menu-button"), "click", lambda e: self.open_menu())
        on(by_id("sync-icon"), "click", lambda e: self.open_sync())
        on(by_id("overlay"), "click", self._on_click)
        on(document(), "keydown", self._on_key)

    def _on_key(self, event: Any) -> None:
        """Esc closes only the top-most dialog: it presses the shown dialog's own way back (the element marked
        `data-escape`: a confirmation's "No, volver", the ticket preview's Volver, a window's Cerrar)."""
        if event.key != "Escape":
            return
        overlay = by_id("overlay")
        if overlay is None or overlay.hidden:
            return
        marked = overlay.querySelectorAll("[data-escape]")
        if marked.length:
            event.preventDefault()
            marked.item(marked.length - 1).click()
        elif by_id("menu-panel") is not None:
            self.close()

    # ---------- panels ----------
    def _panel(self, title: str, *children: Any) -> None:
        box = el("div", "card dialog", id="menu-panel", children=[
            el("h2", None, title), *children,
            el("div", "actions", children=[el("button", "secondary", L("close"), type="button",
                                              data_action="menu-close", data_escape=True)]),
        ])
        overlay = by_id("overlay")
        replace(overlay, box)
        overlay.hidden = False

    def close(self) -> None:
        overlay = by_id("overlay")
        overlay.hidden = True
        replace(overlay)

    def open_menu(self) -> None:
        if self.app.till is None:
            asyncio.ensure_future(self.open_about())
            return
        self._panel(L("menu"),
                    el("button", "menu-item", L("sales"), type="button", data_action="menu-sales"),
                    el("button", "menu-item", L("about"), type="button", data_action="menu-about"))

    def open_sync(self) -> None:
        self._panel(L("sync_title"),
                    el("button", "menu-item", L("sync_sales"), id="sync-sales", type="button",
                       data_action="sync-sales"),
                    el("button", "menu-item", L("sync_customers"), type="button", data_action="sync-customers"),
                    el("button", "menu-item", L("sync_catalog"), type="button", data_action="sync-catalog"),
                    el("p", "sync-result", id="sync-result", role="status"))

    async def open_sales(self) -> None:
        rows = [el("tr", None, children=[el("th", None, L("local_number")), el("th", None, L("type")),
                                         el("th", None, L("customer")), el("th", "num", L("total")),
                                         el("th", None, L("state"))])]
        for s in reversed(await self.app.storage.sales()):
            state = t(s.get("state", "pending"), lang())
            if s.get("state") == "synced" and s.get("series") and s.get("folio") is not None:
                state += f" · {L('folio')} {folio_label(s['series'], int(s['folio']))}"
            if s.get("state") == "rejected":
                state += f" · {s.get('message', '')}"
            rows.append(el("tr", f"sale-row state-{s.get('state')}", data_number=s["number"], children=[
                el("td", None, s["number"]), el("td", None, t(s.get("type", "remision"), lang())),
                el("td", None, s.get("customer_name") or L("public")),
                el("td", "num", format_mxn(to_decimal(s["total"]))), el("td", "state", state)]))
        body = el("table", "sales-table", id="sales-list", children=rows) if len(rows) > 1 else \
            el("p", "muted", L("no_sales"))
        self._panel(L("sales"), body)

    async def open_about(self) -> None:
        marks, manifest = boot_info()
        persisted = self.app.persisted
        if persisted is None:
            persisted = await self.app.storage.request_persist()
        estimate = await self.app.storage.estimate()
        items = [
            el("p", None, L("persisted_yes") if persisted else L("persisted_no"), id="persisted",
               data_persisted="1" if persisted else "0"),
        ]
        if estimate.get("quota"):
            items.append(el("p", "muted", f"{estimate['usage'] / 1e6:.1f} MB / {estimate['quota'] / 1e6:.0f} MB"))
        if marks:
            items.append(el("p", "muted", L("boot_figures", py=marks.get("python_ready", "?"),
                                            app=marks.get("app_ready", "?")), id="boot-figures"))
        if manifest:
            items.append(el("p", "muted", L("version", app=manifest.get("app_version"),
                                            rt=manifest.get("runtime_version"))))
        if self.app.till is not None:
            term = self.app.till.terminal
            items.append(el("p", "muted", f"{L('terminal')}: {term.get('code')} · {term.get('name', '')}"))
        items.append(el("div", "actions", children=[
            el("span", None, L("language") + ":"),
            el("button", "toggle", "Español", type="button", data_action="lang", data_lang="es",
               aria_pressed="true" if lang() == "es" else "false"),
            el("button", "toggle", "English", type="button", data_action="lang", data_lang="en",
               aria_pressed="true" if lang() == "en" else "false"),
        ]))
        self._panel(L("about"), *items)

    # ---------- actions ----------
    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "menu-close":
            self.close()
        elif action == "menu-sales":
            from caja_pos.screens.sales import SalesWindow

            asyncio.ensure_future(SalesWindow(self.app).open())
        elif action == "menu-about":
            asyncio.ensure_future(self.open_about())
        elif action in ("sync-sales", "sync-customers", "sync-catalog"):
            from caja_pos.screens import syncpanel

            run = {"sync-sales": syncpanel.sync_sales, "sync-customers": syncpanel.sync_customers,
                   "sync-catalog": syncpanel.sync_catalog}[action]
            asyncio.ensure_future(run(self.app))
        elif action == "lang":
            asyncio.ensure_future(self.set_lang(str(node.dataset.lang)))

    async def sync_sales(self) -> None:
        result = by_id("sync-result")
        report = await self.app.sync_sales()
        if result is None or report is None:
            return
        if report["error"] == "network":
            result.textContent = L("sync_offline")
        elif report["rejected"]:
            reasons = "; ".join(f"{n}: {m}" for n, m in report["rejected"])
            result.textContent = L("sync_failed", n=len(report["rejected"]), reasons=reasons)
        elif report["error"]:
            result.textContent = str(report["error"])
        else:
            result.textContent = L("sync_ok")

    async def sync_catalog(self) -> None:
        ok = await self.app.refresh_feeds(show_progress=False)
        result = by_id("sync-result")
        if result is not None:
            result.textContent = L("sync_ok") if ok else L("sync_offline")

    async def set_lang(self, code: str) -> None:
        labels.set_lang(code)
        secure_context.translate_banner()
        await self.app.storage.put("lang", code)
        set_lang_attr(code)
        if self.app.sell is not None:
            from caja_pos.screens.sell import SellScreen

            self.app.sell = SellScreen(self.app)
        await self.open_about()
