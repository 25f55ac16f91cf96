"""The POS app wiring: boot order (pairing → stored catalog → feeds → selling), the header icons and the
commit of a sale. Screens live in screens/; IndexedDB in storage.py and web/idb/; the ERP in net/ and services/;
the catalog's indexing at boot (stored chunks, first-load pages, customers) in app_catalog.py.

Order matters for the cashier: a paired device with a stored catalog is sellable at once, before any network
request; the feeds (`since`) then fetch only what changed, in the background.

Must not hold business rules (poscore does) nor raw IndexedDB or fetch calls (storage.py, sync.py do).
"""
from __future__ import annotations

import asyncio
import gc
from functools import partial

from storage import Storage

from caja_pos import app_catalog, platform
from caja_pos.net.erp import BrowserHttp, NetworkError
from caja_pos.screens.menu import Menu
from caja_pos.screens.pairing import pair_device
from caja_pos.screens.returns import ReturnsDoor
from caja_pos.screens.sales import SalesWindow
from caja_pos.screens.sell import SellScreen
from caja_pos.screens.staff import Staff
from caja_pos.services import tasks
from caja_pos.services.cashiers import Cashiers, derive_in_python
from caja_pos.services.connectivity import Connectivity
from caja_pos.services.outbox import Syncer
from caja_pos.services.pairing import pair_terminal
from caja_pos.services.returns import Returns, sale_returns_at_erp
from caja_pos.services.sales import Sales, Started
from caja_pos.services.shift_store import ShiftStore, derive_pin
from caja_pos.services.shifts import Shifts
from caja_pos.services.sync import load_feed
from caja_pos.services.tasks import spawn
from caja_pos.services.till import Till
from caja_pos.text import labels
from caja_pos.text.labels import L
from caja_pos.ui import secure_context, toast
from caja_pos.ui.dialogs import dialogs
from caja_pos.ui.dom import by_id, on
from caja_pos.ui.header import show_pending
from poscore.lifecycle import SYNCED
from poscore.payment import Payment
from poscore.sale import Sale, SaleError

_mark = platform.mark


class App:
    def __init__(self) -> None:
        self.storage = Storage(platform.idb())
        self.conn = Connectivity(by_id("wifi-icon"), lambda ok: L("online") if ok else L("offline"),
                                 on_back=self._on_back)
        self.http = BrowserHttp(self.conn.set)
        version = platform.app_version()
        if version:  # contract: X-Caja-Version, the back office shows which version each till runs
            self.http.extra_headers["X-Caja-Version"] = version
        # contract: X-Caja-Secure-Context; Terminales shows "sin HTTPS" for a till that cannot open offline
        self.http.extra_headers["X-Caja-Secure-Context"] = "1" if secure_context.is_secure() else "0"
        self.token: str | None = None
        self.till: Till | None = None
        self.sell: SellScreen | None = None
        self.persisted: bool | None = None
        self.syncer = Syncer(self.storage, self.http, platform.idb())  # outbox, cross-tab lock, retries (services/outbox.py)
        self.syncer.show_count = show_pending
        self.syncer.reachable = lambda: self.conn.online is not False  # unknown (booting) counts as reachable
        self.syncer.probe = self.conn.check  # answered: the icon turns green and `_on_back` syncs
        self.sales: Sales | None = None  # once paired
        self.returns: Returns | None = None  # once paired
        self.returns_door: ReturnsDoor | None = None  # once paired: Ventas' door to returns (screens/returns.py)
        # Cashiers and shifts (services/cashiers.py, services/shifts.py). The PIN check derives with WebCrypto
        # where the page has it (a secure context), else with poscore.pin's Python (same result, much slower).
        self.shift_store = ShiftStore(platform.idb())
        derive = partial(derive_pin, platform.idb()) if platform.IN_BROWSER and platform.has_webcrypto() \
            else derive_in_python
        self.cashiers = Cashiers(self.shift_store, self.storage, derive)
        self.shifts = Shifts(self.shift_store, self.storage, self.cashiers)
        self.staff = Staff(self.cashiers, self.shifts, self.storage, recorded=self._count_soon,
                           send_soon=self.sync_soon)
        # Another tab of this till opened or closed the shift, or changed the cashier: its records reached the
        # store and its sync run told every tab (BroadcastChannel); read them again so no tab sells into a
        # closed shift.
        self.syncer.listeners.append(self.staff.reload)
        self._preparing = False  # a background CatalogIndex.prepare is running (one at a time)
        # A background task that fails says so to the cashier, not only to the console.
        tasks.report_failures_to(lambda what, exc: toast.show(L("task_failed", error=str(exc) or type(exc).__name__)))

    # ---------- boot ----------
    async def main(self) -> None:
        _mark("main")
        platform.note_pyscript_origin()
        # Loading makes ~10 objects per product and customer, all kept for the page's life and free of cycles:
        # collections during the load found nothing and cost up to 54 ms each at 100k (one was a main-thread
        # task of 74 ms while selling). Off until the load is done; then `_settle` freezes what was loaded.
        gc.disable()
        labels.set_lang(await self.storage.get("lang", "es"))
        _mark("first_idb_read")
        platform.set_lang_attr(labels.lang())
        secure_context.translate_banner()
        self.conn.start(self.http)
        dialogs.start()
        self.menu = Menu(self.storage, self)
        self.token = await self.storage.get("token")
        terminal = await self.storage.get("terminal")
        if not self.token or not terminal:
            self._boot_done()
            self.token, terminal = await pair_device(partial(pair_terminal, self.http, self.storage))
        self.syncer.token = self.token
        self.till = Till(terminal)
        self.sales = Sales(self.storage, self.till)
        self.returns = Returns(self.storage, self.till)
        self.returns.others = lambda sale_uuid: sale_returns_at_erp(self.http, self.token or "", sale_uuid)
        self.returns_door = self.staff.returns_door(self.returns, self._after_return)
        self.sales.stamp = self.shifts.sale_fields
        await self.staff.load(self.till)
        on(by_id("cashier-button"), "click", lambda e: self.staff.open_shift_panel())
        by_id("terminal-name").textContent = f"{terminal.get('code', '')} · {terminal.get('name', '')}"
        stored = await app_catalog.read_stored(self.till, self.storage)
        if stored:
            await self.show_sell()
            spawn(self._after_stored())
        else:
            await self.refresh_feeds(show_progress=True)
            await self.show_sell()
            spawn(self._after_first_load())
        spawn(self._after_boot())

    async def _after_return(self) -> None:
        """A return was stored: its units are on sale again here, the sync icon counts it, and it goes soon."""
        if self.sell is not None:
            self.sell.refresh_results()
        await self.syncer.changed()
        self.sync_soon()

    def _boot_done(self) -> None:
        platform.set_root_flag("pyReady", "1")
        _mark("app_ready")

    async def _after_boot(self) -> None:
        if not self.shifts.can_sell():  # a shop with cashiers: sign in and open (or resume) a shift first
            self.open_shift_panel()
        self.persisted = await self.storage.request_persist()
        self.syncer.start()
        await self.update_badge()
        self.sync_soon()
        # Read the last sale number now, so the first "Confirmar" starts its transaction within the click
        # (Sales.commit reads it itself when this has not happened yet; a number another tab takes meanwhile is
        # refused by the transaction and read again).
        if self.sales is not None:
            await self.sales.read_last_number()

    async def _after_first_load(self) -> None:
        """Background work after a first load: the customers it stored are indexed now, so the till sells as soon
        as the products are in (as on a later open)."""
        assert self.till is not None
        try:
            await app_catalog.read_stored_customers(self.till, self.storage)
        finally:
            await self._settle()

    async def _after_stored(self) -> None:
        """Background work of a later open: customers from the device, then what changed on the ERP."""
        assert self.till is not None
        try:
            await app_catalog.read_stored_customers(self.till, self.storage)
        finally:
            await self._settle()  # the collector back on even if a stored chunk failed to parse
        await self.refresh_feeds(show_progress=False)

    async def _settle(self) -> None:
        """After a load: what was loaded lives as long as the page, so the garbage collector stops looking at it
        (gc.freeze; freed objects still go by reference counting) and is on again for what selling makes; then
        the search structures are built ahead of the first keystroke."""
        gc.freeze()
        gc.enable()
        await self.prepare_search()

    async def prepare_search(self) -> None:
        """Build the catalog's search structures in steps, one per task: at 100k the name order alone is a 70 ms
        sort, which the first keystroke after a load used to pay. Again after a refresh changed the catalog."""
        if self._preparing or self.till is None:
            return
        self._preparing = True
        try:
            while True:  # a change meanwhile makes `prepare` give up: start over until one pass has nothing to do
                steps = 0
                for _ in self.till.catalog.prepare():
                    steps += 1
                    await asyncio.sleep(0)
                if steps == 0:
                    break
        finally:
            self._preparing = False

    # ---------- feeds ----------
    async def refresh_feeds(self, show_progress: bool) -> bool:
        """Fetch catalog and customers changed since the stored `since`; False when the ERP is unreachable."""
        assert self.till is not None and self.token is not None
        till = self.till
        # Decrements of sales the ERP already accepted are in its stock after this refresh: forget them then.
        synced = await self.storage.sale_uuids(SYNCED)
        synced += [r["uuid"] for r in await self.storage.returns() if r.get("state") == SYNCED]
        progress = app_catalog.feed_indexer(till, first_load=show_progress)
        try:
            for kind in ("catalog", "customers"):
                since = int(await self.storage.get(f"{kind}_since", 0))
                await load_feed(self.http, self.storage, self.token, kind, since, progress(kind))
            await self.cashiers.refresh(self.http, self.token)
        except NetworkError:
            if show_progress:
                app_catalog.show_text(L("offline"))
            return False
        await self.storage.stock_forget(synced)
        till.set_deltas(await self.storage.stock_deltas())
        if self.sell is not None:
            self.sell.refresh_results()
        spawn(self.prepare_search())
        return True

    # ---------- selling ----------
    async def show_sell(self) -> None:
        by_id("boot").hidden = True
        self.new_sell_screen()
        self._boot_done()

    def new_sell_screen(self) -> None:
        """The selling screen, built anew (at boot, after a language switch); the old one's listeners go with it."""
        assert self.till is not None
        if self.sell is not None:
            self.sell.destroy()
        self.sell = SellScreen(self.till, self.storage, self.commit, guard=self.staff)
        self.staff.show()  # the header's cashier button in the language just chosen

    def language_changed(self) -> None:
        """The menu switched the language: the selling screen (if shown) is built again in it."""
        if self.sell is not None:
            self.new_sell_screen()

    def open_sales_window(self) -> None:
        assert self.till is not None
        assert self.returns_door is not None
        spawn(SalesWindow(self.storage, self.syncer, self.till, self.stock_changed, self.returns_door,
                          self.staff.authorize, self.shifts.sale_fields).show())

    async def stock_changed(self) -> None:
        """A cancelled sale gave its stock back: the till re-reads the local decrements, the results redraw."""
        if self.till is not None:
            self.till.set_deltas(await self.storage.stock_deltas())
        if self.sell is not None:
            self.sell.refresh_results()

    # ---------- cashiers and shifts (screens/staff.py), for the menu ----------
    @property
    def cashiers_enabled(self) -> bool:
        return self.cashiers.enabled

    def open_shift_panel(self) -> None:
        self.staff.open_shift_panel()

    async def commit(self, payments: list[Payment], started: Started | None = None,
                     stored: Started | None = None) -> Sale:
        """Store the cart as a sale (services/sales.py; raises when nothing was stored), then sync it soon."""
        assert self.sales is not None
        if not self.shifts.can_sell():
            raise SaleError("malformed", L("shift_needed"))
        sale = await self.sales.commit(payments, started, stored)
        spawn(self.update_badge())
        self.sync_soon()
        return sale

    # ---------- sync ----------
    async def update_badge(self) -> int:
        """Sales, voids and offline customers still to send (web/caja_pos/services/outbox.py counts them)."""
        return await self.syncer.update_badge()

    def _on_back(self) -> None:
        """The ERP answers again: send what is pending, then fetch what changed meanwhile."""
        async def run() -> None:
            await self.sync_sales()
            if self.till is not None and self.sell is not None:
                await self.refresh_feeds(show_progress=False)

        spawn(run())

    def _count_soon(self) -> None:
        spawn(self.update_badge())

    def sync_soon(self) -> None:
        """Send what was just stored, unless the ERP is known not to answer (`_on_back` sends it when it does)."""
        self.syncer.soon()

    async def sync_sales(self) -> dict | None:
        """Upload pending sales; a call while a run is in flight waits for that run and gets its report."""
        return await self.syncer.run()


def show_boot_error(exc: Exception) -> None:
    """A boot that failed says so on the progress screen (and to the tests, on <html data-py-error>)."""
    by_id("boot").hidden = False
    by_id("boot-text").textContent = f"Error: {exc}"
    platform.set_root_flag("pyError", str(exc))
