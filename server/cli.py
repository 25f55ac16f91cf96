"""The `caja` command: serve, migrate, demo, pairing-code, create-admin, bench-cfdi, factura-global (contract: CLI used by tests).

What it is for: turning the environment (server/settings.py) and arguments into one action each.
What it must not do: hold logic the API also needs (it calls the same services).
`caja pairing-code` prints the code alone on the last line of stdout; `caja serve` prints one for the demo
terminal on start while that terminal is unpaired, so a fresh `make run` can be paired at once.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence

from server.settings import Settings


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from server.db.engine import make_engine

    return make_engine(settings.database_url)


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from server.db.migrate import upgrade

    upgrade(_engine(settings))
    print("migraciones aplicadas")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from server.db.engine import write_tx
    from server.demo.seed import is_empty, seed

    engine = _engine(settings)
    started = time.monotonic()
    with write_tx(engine) as conn:
        if not is_empty(conn):
            if args.if_empty:
                print("la base de datos ya tiene datos; no se siembra la demo")
                return 0
            print("error: la base de datos ya tiene datos", file=sys.stderr)
            return 1
        counts = seed(conn, n_products=args.products, n_customers=args.customers, seed=args.seed)
        from server.backoffice.auth import ensure_demo_admin
        from server.db.engine import utcnow

        password = ensure_demo_admin(conn, utcnow())
        _demo_csd(conn, settings.secret_key)
        from server.cashier_cli import add_demo_cashiers

        staff = [] if args.no_cashiers else add_demo_cashiers(conn, utcnow())
    if engine.dialect.name == "postgresql":
        # Planner statistics now, not when autovacuum next looks (up to a minute on): until then PostgreSQL plans
        # the catalog pages of a fresh 100,000-product database with whole-table scans.
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    print(f"demo sembrada: {counts['products']} productos, {counts['customers']} clientes "
          f"en {time.monotonic() - started:.1f} s")
    if password:
        # Shown once: only the argon2 hash is stored. `caja create-admin` sets a new one.
        print(f"back office /erp/: usuario admin, contraseña {password} (se muestra una sola vez)")
    for name, role, pin in staff:  # a demo's PINs, documented in the README
        print(f"POS: {role} {name}, PIN {pin}")
    # The admin setting up the demo also pairs its till: the code is for them to type on the POS's first screen.
    code = _pairing_code(settings, settings.demo_terminal)
    if code:
        print(f"POS /pos/: código de vinculación de la terminal {settings.demo_terminal} "
              f"(vence en {settings.pairing_ttl_minutes} min; `caja pairing-code` da otro): {code}")
    return 0


def _demo_csd(conn, secret: str) -> None:  # type: ignore[no-untyped-def]
    """The demo shop gets a CSD-shaped test certificate of its own, so its facturas are sealed and wait "sin
    timbrar" at once. The SAT and every PAC refuse it: a real shop uploads its CSD in Datos fiscales."""
    from server.fiscal import store
    from server.fiscal.certificate import check_csd
    from server.fiscal.testcert import make_csd

    shop = store.emisor(conn)
    if shop is None:
        return
    cer, key, password = make_csd(shop.rfc, shop.name.upper())
    info, der = check_csd(cer, key, password, shop.rfc)
    store.save_csd(conn, secret, info, cer, der)
    print("demo: CSD de prueba cargado (el SAT no lo acepta; cargue el suyo en Datos fiscales)")


def _pairing_code(settings: Settings, terminal: str, unless_paired: bool = False) -> str | None:
    from server.db.engine import write_tx
    from server.terminals import is_paired, new_pairing_code, terminal_id_by_code

    with write_tx(_engine(settings)) as conn:
        tid = terminal_id_by_code(conn, terminal)
        if tid is None or (unless_paired and is_paired(conn, tid)):
            return None
        return new_pairing_code(conn, settings.secret_key, tid, settings.pairing_ttl_minutes)


def cmd_pairing_code(settings: Settings, args: argparse.Namespace) -> int:
    code = _pairing_code(settings, args.terminal)
    if code is None:
        print(f"error: no existe la terminal {args.terminal}", file=sys.stderr)
        return 1
    print(f"código de vinculación para {args.terminal} (vence en {settings.pairing_ttl_minutes} min):")
    print(code)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """From stdin (`--password-stdin`, one line) or typed twice at a prompt; never from the command line,
    where other users of the machine, the shell history and process listings would see it."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("contraseña: ")
    if getpass.getpass("repita la contraseña: ") != first:
        print("error: las contraseñas no coinciden", file=sys.stderr)
        return None
    return first


def cmd_create_admin(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.backoffice.auth import hash_password
    from server.backoffice.passwords import message, problem
    from server.backoffice.sessions import end_user_sessions
    from server.db.engine import utcnow, write_tx
    from server.db.schema import users

    password = _read_password(args)
    if password is None:
        return 1
    bad = problem(args.username, password)
    if bad:
        print(f"error: {message(bad)}", file=sys.stderr)
        return 1
    values = {"password_hash": hash_password(password), "is_admin": args.role == "admin", "role": args.role,
              "active": True}
    engine = _engine(settings)
    try:
        with write_tx(engine) as conn:
            existing = conn.execute(select(users.c.id).where(users.c.username == args.username)).scalar()
            if existing is None:
                conn.execute(users.insert().values(username=args.username, created_at=utcnow(), **values))
            else:
                conn.execute(users.update().where(users.c.id == existing).values(**values))
                end_user_sessions(conn, existing)  # a new password ends every session opened with the old one
    finally:
        engine.dispose()
    print(f"usuario {args.username} ({args.role}) listo")
    return 0


def cmd_cashier(settings: Settings, args: argparse.Namespace) -> int:
    from server.cashier_cli import cmd_cashier as run

    engine = _engine(settings)
    try:
        return run(engine, args)
    finally:
        engine.dispose()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server import worker_sockets
    from server.http_guard import GuardedH11Protocol, raise_open_file_limit

    raise_open_file_limit()  # inherited by the workers

    try:
        # Only while the demo terminal is unpaired: a code printed at every start would sit in service logs,
        # live, able to take over the terminal's identity.
        code = _pairing_code(settings, settings.demo_terminal, unless_paired=True)
    except Exception as exc:  # noqa: BLE001 - an unmigrated database must not stop the server from starting
        code = None
        print(f"(sin código de vinculación: {exc.__class__.__name__})", file=sys.stderr)
    if code:
        print(f"código de vinculación para {settings.demo_terminal}: {code}", flush=True)
    tls = _tls_files(settings, args)
    scheme = "https" if tls else "http"
    print(f"caja en {scheme}://{args.host}:{args.port}/  (back office en /erp/)", flush=True)
    # uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the signal through the handler
    # that was installed before it started; with the default handler the process would die "by signal 15".
    # A no-op handler here makes a clean stop exit 0, which is what service managers and the tests expect.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    # Forwarded headers only from the proxies the operator named (uvicorn's default trusts 127.0.0.1).
    proxies = list(settings.trusted_proxies)
    if args.workers > 1:  # the workers build each feed page once for all of them (server/api/feed_share.py)
        from server.api import feed_share

        os.environ[feed_share.ENV] = str(feed_share.new_run_dir(settings.var_dir))
    ssl: dict[str, str] = {"ssl_certfile": str(tls.certfile), "ssl_keyfile": str(tls.keyfile)} if tls else {}
    options = dict(host=args.host, port=args.port, workers=args.workers,
                   log_level=args.log_level, timeout_graceful_shutdown=10,
                   proxy_headers=bool(proxies), forwarded_allow_ips=proxies,
                   http=GuardedH11Protocol,  # a head or body that trickles in is cut (server/http_guard.py)
                   **ssl)
    if args.workers > 1 and worker_sockets.available():
        # One listening socket per worker, so a crowd of tills connecting at once is spread evenly between them
        # (server/worker_sockets.py); uvicorn's own supervisor shares one socket.
        worker_sockets.run(uvicorn.Config("server.asgi:app", **options))  # type: ignore[arg-type]
    else:
        uvicorn.run("server.asgi:app", **options)  # type: ignore[arg-type]
    return 0


def _tls_files(settings: Settings, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """With --https or CAJA_HTTPS: this install's CA and a server certificate for this machine's names."""
    if not (args.https or settings.https):
        return None
    from server.tls import ca_fingerprint, ensure_tls, machine_names

    names = machine_names([*settings.tls_names, *args.tls_name])
    tls = ensure_tls(settings.var_dir, names)
    print(f"HTTPS con la CA local de esta instalación ({tls.ca_cert}); certificado para: {', '.join(names)}",
          flush=True)
    print(f"huella SHA-256 de la CA: {ca_fingerprint(settings.var_dir)}", flush=True)
    print("las tabletas instalan la CA desde el back office: /erp/terminales (código QR)", flush=True)
    return tls


def cmd_bench_cfdi(_settings: Settings, args: argparse.Namespace) -> int:
    from server.fiscal.bench import run

    rate = run(args.count, args.lines)
    print(f"{rate:.0f} CFDI/s sellados y validados contra el XSD ({args.count} CFDI de {args.lines} conceptos, "
          "un proceso)")
    return 0


def cmd_factura_global(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        return _factura_global(engine, settings, args)
    finally:
        engine.dispose()


def _factura_global(engine, settings: Settings, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """For a scheduler (cron, systemd timer): issue the last closed period's global (or the one containing
    --fecha) of each branch, or of --branch alone, each in its branch's time zone and from its CP, and run the
    CFDI job once so they are sealed and, with a PAC, stamped. Exit 0 also when there was nothing to cover, 1
    when the shop's fiscal data is missing, the branch is unknown or a CFDI was rejected."""
    from datetime import date

    from server.db.engine import utcnow
    from server.db.schema import cfdis
    from server.fiscal import global_cfdi, global_schedule, jobs, store
    from server.fiscal.build import zone_of
    from server.fiscal.periods import allowed, period_of

    now = utcnow()
    with engine.connect() as conn:
        emisor = store.emisor(conn)
        kind = args.periodicidad or global_schedule.settings_of(conn).periodicidad
        branches = store.branches(conn)
    if emisor is None:
        print("error: faltan los datos fiscales del emisor (Datos fiscales)", file=sys.stderr)
        return 1
    if not allowed(kind, emisor.regimen_fiscal):
        print(f"error: periodicidad {kind} no permitida para el régimen {emisor.regimen_fiscal}", file=sys.stderr)
        return 1
    if args.branch is not None:
        branches = [b for b in branches if b.id == args.branch]
        if not branches:
            print(f"error: no existe la sucursal {args.branch}", file=sys.stderr)
            return 1
    issued: list[tuple[str, int]] = []
    for branch in branches:
        zone = zone_of(branch.lugar_expedicion)
        period = (period_of(kind, date.fromisoformat(args.fecha)) if args.fecha
                  else global_schedule.last_closed(kind, now, zone))
        label = f"{branch.name}, {period.label()}"
        try:
            issued.append((label, global_cfdi.issue(engine, period, zone, now, branch.id)))
        except global_cfdi.GlobalError as exc:
            print(f"{label}: {exc}")
    if not issued:
        return 0
    jobs.run_once(engine, settings.secret_key, now)
    jobs.run_once(engine, settings.secret_key, now)
    rejected = False
    for label, cfdi_id in issued:
        with engine.connect() as conn:
            row = conn.execute(cfdis.select().where(cfdis.c.id == cfdi_id)).one()
        print(f"{label}: factura global G-{cfdi_id} {row.state}" + (f" UUID {row.uuid}" if row.uuid else "")
              + (f" ({row.error_code}: {row.error_message})" if row.error_code else ""))
        rejected = rejected or row.state == "rechazada"
    return 1 if rejected else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="caja", description="caja: punto de venta y ERP")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="servir ERP + POS")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")
    p.add_argument("--https", action="store_true",
                   help="servir HTTPS con una CA local de esta instalación (también CAJA_HTTPS=1)")
    p.add_argument("--tls-name", action="append", default=[], metavar="NOMBRE",
                   help="otro nombre o dirección para el certificado (repetible; también CAJA_TLS_NAMES)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="aplicar las migraciones de la base de datos")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="sembrar la tienda de demostración")
    p.add_argument("--products", type=int, default=2000)
    p.add_argument("--customers", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--if-empty", action="store_true", help="no hacer nada si ya hay datos")
    p.add_argument("--no-cashiers", action="store_true",
                   help="sin cajeros: la caja vende sin turno ni PIN, como antes de los turnos")
    p.set_defaults(func=cmd_demo)

    from server.cashier_cli import add_parser as add_cashier_parser

    add_cashier_parser(sub, cmd_cashier)

    p = sub.add_parser("pairing-code", help="crear un código de vinculación de un solo uso")
    p.add_argument("--terminal", default="T01")
    p.set_defaults(func=cmd_pairing_code)

    p = sub.add_parser("create-admin", help="crear o actualizar un usuario del back office (pide la contraseña)")
    p.add_argument("--username", required=True)
    p.add_argument("--password-stdin", action="store_true", help="leer la contraseña de la entrada estándar")
    p.add_argument("--role", choices=("admin", "contador"), default="admin",
                   help="contador: consulta todo, no cambia nada")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("bench-cfdi", help="medir CFDI construidos, sellados y validados por segundo")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--lines", type=int, default=5)
    p.set_defaults(func=cmd_bench_cfdi)

    p = sub.add_parser("factura-global", help="emitir la factura global del último periodo cerrado")
    p.add_argument("--periodicidad", choices=("01", "02", "03", "04", "05"),
                   help="01 diaria, 02 semanal, 03 quincenal, 04 mensual, 05 bimestral (por omisión, la de ajustes)")
    p.add_argument("--fecha", help="un día (AAAA-MM-DD) del periodo a emitir; por omisión, el último cerrado")
    p.add_argument("--branch", type=int, metavar="ID",
                   help="solo la sucursal con este id (por omisión, una factura global por sucursal)")
    p.set_defaults(func=cmd_factura_global)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(Settings.from_env(), args))


if __name__ == "__main__":
    sys.exit(main())
