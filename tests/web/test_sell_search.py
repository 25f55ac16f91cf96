"""The selling screen's search right after a big catalog is indexed, while its names wait for the background
prepare. Must not depend on timing beyond the screen's own polling interval."""
from __future__ import annotations

import asyncio

from tests.web import fakedom
from tests.web.products import product
from tests.web.test_views import _App, doc  # noqa: F401 - `doc` is the fixture this test uses


def test_a_search_while_names_wait_finds_codes_at_once_and_names_once_prepared(doc: fakedom.Document) -> None:  # noqa: F811 - the imported fixture
    # Right after a big catalog is indexed its names wait for the background prepare: a keystroke must not
    # normalize them all in one task. A code is found at once; the name results follow when the names are ready.
    from caja_pos.screens import sell
    from caja_pos.screens.sell import SellScreen

    app = _App()
    app.till.catalog.add([product(pid) for pid in range(1, sell.NAMES_AT_ONCE + 2002)])

    async def scenario() -> None:
        screen = SellScreen(app.till, app.storage, app.commit)
        search = doc.getElementById("search")

        def names() -> list[str]:
            return [n.textContent for n in doc.getElementById("results").walk() if n.className == "name"]

        search.value = "7500000000042"  # product 42's barcode
        search.dispatch("input")
        assert names() == ["Producto 42"] and app.till.catalog.names_waiting() > sell.NAMES_AT_ONCE
        search.value = "Producto 4321"
        search.dispatch("input")
        assert names() == [] and app.till.catalog.names_waiting() > sell.NAMES_AT_ONCE  # no name normalized here
        for _ in app.till.catalog.prepare():
            await asyncio.sleep(0)
        for _ in range(100):
            if names():
                break
            await asyncio.sleep(sell.NAMES_POLL_S / 5)
        assert names()[0] == "Producto 4321"
        screen.destroy()

    asyncio.run(scenario())
