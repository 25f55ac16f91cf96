"""Pairing screen: the first open on a device. The cashier types the one-time code an administrator made (back
office, Terminales); POST /api/pair answers a token and the terminal settings, both persisted in IndexedDB.

Must not store anything but the pairing answer, nor proceed without it.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from caja_pos.services.pairing import PairingFailed
from caja_pos.services.tasks import spawn
from caja_pos.text.labels import L
from caja_pos.ui.dom import by_id, el, replace
from caja_pos.ui.page import set_root_flag
from caja_pos.ui.view import View


async def pair_device(pair: Callable[[str, str], Awaitable[tuple[str, dict]]]) -> tuple[str, dict]:
    """Show the form until `pair(code, device name)` accepts a code (services/pairing.pair_terminal, which stores
    the answer); returns (token, terminal)."""
    done: asyncio.Future = asyncio.get_event_loop().create_future()
    code = el("input", "big-input", id="pair-code", inputmode="numeric", autocomplete="off",
              placeholder=L("pair_code"), aria_label=L("pair_code"))
    device = el("input", None, id="pair-device", value="Caja", aria_label=L("pair_device"))
    error = el("p", "error", id="pair-error", hidden=True)
    form = el("form", "card pairing", id="pairing", children=[
        el("h2", None, L("pair_title")),
        el("p", "muted", L("pair_help")),
        el("label", None, L("pair_code"), children=[code]),
        el("label", None, L("pair_device"), children=[device]),
        error,
        el("button", "primary big", L("pair_button"), type="submit", data_action="pair"),
    ])
    replace(by_id("app"), form)
    by_id("boot").hidden = True
    code.focus()

    async def submit() -> None:
        error.hidden = True
        try:
            paired = await pair(str(code.value), str(device.value) or "Caja")
        except PairingFailed as exc:
            error.textContent = str(exc)
            error.hidden = False
            return
        if not done.done():
            done.set_result(paired)

    def on_submit(event: Any) -> None:
        event.preventDefault()
        spawn(submit())

    view = View()
    view.on(form, "submit", on_submit)
    token, terminal = await done
    view.destroy()
    replace(by_id("app"))
    set_root_flag("paired", "1")
    return token, terminal
