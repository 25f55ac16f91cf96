"""Header menus: ☰ (Ventas on this device, Acerca de / Configuración with the persistent-storage answer, boot
figures, versions and the language switch) and the sync icon's "Datos sincronizados" (Ventas, Clientes,
Catálogo). The Ventas window itself (list, cancel, print, per-sale sync) is screens/sales.py.

Must not change sales: syncing goes through the shell's sync_sales (the outbox service).
"""
from __future__ import annotations

from typing import Any, Protocol

from caja_pos.screens import syncpanel
from caja_pos.services.device_store import DeviceInfo
from caja_pos.services.tasks import spawn
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.text.labels import L, lang
from caja_pos.ui import secure_context
from caja_pos.ui.dialogs import DialogView, dialogs
from caja_pos.ui.dom import action_of, by_id, el, on
from caja_pos.ui.page import boot_info, set_lang_attr


class Panel(DialogView):
    """One of the menu's panels, on the dialog stack; its buttons go back to the menu."""

    def __init__(self, menu: Menu, title: str, *children: Any) -> None:
        super().__init__()
        self.box = el("div", "card dialog", id="menu-panel", children=[
            el("h2", None, title), *children,
            el("div", "actions", children=[el("button", "secondary", L("close"), type="button",
                                              data_action="menu-close", data_escape=True)]),
        ])
        self.on(self.box, "click", lambda event: menu.on_panel_click(self, event))


class Shell(Protocol):
    """What the header menus ask of the running app (app.App is one): the till once paired, and the app-wide
    actions a menu item starts."""

    till: Till | None
    persisted: bool | None  # the browser's answer to persistent storage, once asked

    async def sync_sales(self) -> dict | None: ...

    async def refresh_feeds(self, show_progress: bool) -> bool: ...

    def open_sales_window(self) -> None: ...

    def language_changed(self) -> None: ...

    @property
    def cashiers_enabled(self) -> bool: ...  # the shop has cashiers: the menu offers "Turno"

    def open_shift_panel(self) -> None: ...


class Menu:
    """The header's two buttons, for the page's life (their listeners are never removed)."""

    def __init__(self, device: DeviceInfo, shell: Shell) -> None:
        self.device = device
        self.shell = shell
        on(by_id("menu-button"), "click", lambda e: self.open_menu())
        on(by_id("sync-icon"), "click", lambda e: self.open_sync())

    # ---------- panels ----------
    def _panel(self, title: str, *children: Any) -> None:
        """Show a panel in place of any other menu panel on top (a panel leads to another, never stacks)."""
        panel = Panel(self, title, *children)
        if isinstance(dialogs.top, Panel):
            dialogs.replace_top(panel)
        else:
            dialogs.open(panel)

    def open_menu(self) -> None:
        if self.shell.till is None:
            spawn(self.open_about())
            return
        shift = el("button", "menu-item", L("shift"), id="menu-shift", type="button", data_action="menu-shift") \
            if self.shell.cashiers_enabled else None
        self._panel(L("menu"),
                    el("button", "menu-item", L("sales"), type="button", data_action="menu-sales"), shift,
                    el("button", "menu-item", L("about"), type="button", data_action="menu-about"))

    def open_sync(self) -> None:
        self._panel(L("sync_title"),
                    el("button", "menu-item", L("sync_sales"), id="sync-sales", type="button",
                       data_action="sync-sales"),
                    el("button", "menu-item", L("sync_customers"), type="button", data_action="sync-customers"),
                    el("button", "menu-item", L("sync_catalog"), type="button", data_action="sync-catalog"),
                    el("p", "sync-result", id="sync-result", role="status"),
                    el("p", "sync-kept", id="sync-kept"))
        spawn(self.show_kept())

    async def show_kept(self) -> None:
        """The returns the ERP rejected, kept on this device for good, with the reason: the panel says so every
        time it opens, not only in the run that got the answer (a background sync often gets it first)."""
        kept = await self.device.returns()
        box = by_id("sync-kept")
        if box is not None:
            box.textContent = syncpanel.kept_message(kept)

    async def open_about(self) -> None:
        marks, manifest = boot_info()
        persisted = self.shell.persisted
        if persisted is None:
            persisted = await self.device.request_persist()
        estimate = await self.device.estimate()
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
        if self.shell.till is not None:
            term = self.shell.till.terminal
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
    def on_panel_click(self, panel: Panel, event: Any) -> None:
        action, node = action_of(event)
        if action == "menu-close":
            panel.close()
        elif action == "menu-sales":
            panel.close()
            self.shell.open_sales_window()
        elif action == "menu-shift":
            panel.close()
            self.shell.open_shift_panel()
        elif action == "menu-about":
            spawn(self.open_about())
        elif action == "sync-sales":
            spawn(syncpanel.sync_sales(self.shell.sync_sales))
        elif action == "sync-customers":
            spawn(syncpanel.sync_customers(self.shell.sync_sales))
        elif action == "sync-catalog":
            spawn(syncpanel.sync_catalog(lambda: self.shell.refresh_feeds(show_progress=False)))
        elif action == "lang":
            spawn(self.set_lang(str(node.dataset.lang)))

    async def set_lang(self, code: str) -> None:
        labels.set_lang(code)
        secure_context.translate_banner()
        await self.device.put("lang", code)
        set_lang_attr(code)
        self.shell.language_changed()
        await self.open_about()
