"""poscore: the pure-Python sales domain shared by the POS (Pyodide) and the ERP (CPython).

Every business rule of caja lives here once: money and quantities, taxes (IVA, IEPS), the cart,
payments, the sale and its JSON, local numbering, the catalog search index, customers, the ticket
layout and the texts shown for every reason code. ``web/`` and ``server/`` both call these modules,
so a sale computed in the browser and recomputed by the ERP agree to the cent.

Like Flask's ``sansio`` package, this code **cannot do any I/O**: no files, no network, no
database, no DOM, no clock and no randomness. Time and ids are passed in by the caller. Only the
Python standard library may be imported (a test in ``tests/core`` walks every module's AST and
fails otherwise), and no platform checks (``sys.platform == "emscripten"``) belong here.
"""

__all__ = [
    "autofactura",
    "cart",
    "catalog",
    "check",
    "corte_ticket",
    "customer",
    "lifecycle",
    "messages",
    "money",
    "numbering",
    "payment",
    "pin",
    "qr",
    "sale",
    "shift",
    "shift_records",
    "tax",
    "text",
    "ticket",
]
