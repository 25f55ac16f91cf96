"""`caja cashier add|list|deactivate` and the demo shop's cashiers: the console face of server/cashiers.py.

What it is for: an admin without the back office at hand (a first install, a script) adds a till cashier, lists
them or deactivates one. The PIN is read from a prompt (typed twice) or from stdin (`--pin-stdin`), never from
the command line, where process listings and shell history would keep it.
What it must not do: print or store a PIN (only its verifier goes to the database, through server/cashiers.py).
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

# The demo shop's till staff and their PINs, printed by `caja demo` and in the README: a demo, not a secret.
DEMO_CASHIERS = (("Ana", "cajero", "2580"), ("Beto", "supervisor", "4826"))
MESSAGES = {
    "pin_format": "el PIN debe tener de 4 a 8 dígitos",
    "pin_trivial": "el PIN es demasiado fácil (dígitos repetidos o seguidos)",
    "invalid_name": "nombre no válido",
    "invalid_role": "rol no válido (cajero o supervisor)",
    "name_taken": "ya existe un usuario con ese nombre",
    "not_found": "no existe ese cajero",
}


def add_demo_cashiers(conn: Any, now: Any) -> list[tuple[str, str, str]]:
    """The demo shop's cashier and supervisor (shop 1), unless a user of that name exists already."""
    from sqlalchemy import select

    from server.cashiers import create_cashier
    from server.db.schema import users

    added = []
    for name, role, pin in DEMO_CASHIERS:
        if conn.execute(select(users.c.id).where(users.c.username == name)).first() is None:
            create_cashier(conn, name, role, 1, pin, now)
            added.append((name, role, pin))
    return added


def _read_pin(args: argparse.Namespace) -> str | None:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    import getpass

    first = getpass.getpass("PIN: ")
    if getpass.getpass("repita el PIN: ") != first:
        print("error: los PIN no coinciden", file=sys.stderr)
        return None
    return first


def cmd_cashier(engine: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.cashiers import CashierError, create_cashier, list_cashiers, set_active
    from server.db.engine import read_tx, utcnow, write_tx
    from server.db.schema import users

    try:
        if args.action == "list":
            with read_tx(engine) as conn:
                for r in list_cashiers(conn):
                    state = "activo" if r.active else "inactivo"
                    print(f"{r.id}\t{r.username}\t{r.role}\ttienda {r.shop_id}\t{state}")
            return 0
        if args.action == "add":
            pin = _read_pin(args)
            if pin is None:
                return 1
            with write_tx(engine) as conn:
                uid = create_cashier(conn, args.name, args.role, args.shop, pin, utcnow())
            print(f"cajero {args.name} ({args.role}) creado con id {uid}")
            return 0
        with write_tx(engine) as conn:  # deactivate
            found = conn.execute(select(users.c.id).where(users.c.username == args.name)).scalar()
            if found is None:
                raise CashierError("not_found")
            set_active(conn, int(found), False, utcnow())
        print(f"cajero {args.name} desactivado (las cajas lo dejan de aceptar al sincronizar)")
        return 0
    except CashierError as exc:
        print(f"error: {MESSAGES.get(exc.code, exc.code)}", file=sys.stderr)
        return 1


def add_parser(sub: Any, handler: Any) -> None:
    p = sub.add_parser("cashier", help="cajeros de la caja: add, list, deactivate (el PIN se pide, nunca se pasa)")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="crear un cajero o supervisor con su PIN")
    a.add_argument("name")
    a.add_argument("--role", choices=("cajero", "supervisor"), default="cajero")
    a.add_argument("--shop", type=int, default=1)
    a.add_argument("--pin-stdin", action="store_true", help="leer el PIN de la entrada estándar")
    actions.add_parser("list", help="listar los cajeros")
    d = actions.add_parser("deactivate", help="desactivar un cajero")
    d.add_argument("name")
    p.set_defaults(func=handler)
