"""Settings of the ERP process, read once from the environment.

What it is for: one frozen `Settings` object that `create_app`, the CLI and the tests pass around.
What it must not do: open the database or import the app; reading the environment (and creating `var/`
plus the generated secret key) is its only side effect.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from server.peer import parse_proxies

REPO_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_DIR / "var"


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'caja.db'}"


def _secret_key(var_dir: Path) -> str:
    """The key for hashing pairing codes and signing cookies: from the env, else generated once into var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL so two processes starting at once agree on one key (the loser reads the winner's file).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    price_grace_days: int = 7
    pairing_ttl_minutes: int = 60
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch: int = 500
    catalog_max_limit: int = 5000
    demo_terminal: str = "T01"
    # Where the POS page is served from (web/ of the checkout by default): a deployment may serve a POS build made
    # elsewhere, and the fault tests deploy a new app version into a copy without touching the checkout.
    pos_dir: Path | None = None
    # Reverse proxies (addresses or CIDRs) whose X-Forwarded-For is believed (server/peer.py); none by default.
    trusted_proxies: tuple[str, ...] = ()
    # Where generated files live (secret key, default database, server/tls.py's CA and certificate).
    var_dir: Path = VAR_DIR
    # `caja serve` over HTTPS with this install's own CA (server/tls.py), for names found on the machine
    # plus these: a shop PC on the LAN without a domain. Behind a reverse proxy with a domain, leave it off.
    https: bool = False
    tls_names: tuple[str, ...] = ()
    # The CFDI job's background thread (server/fiscal/jobs.py). Off by default so a test's app never stamps
    # behind its back; `from_env` (caja serve) turns it on unless CAJA_FISCAL_WORKER=0.
    fiscal_worker: bool = False
    # Build catalog pages in the background after a change of version and ahead of a load (a thread per
    # process); off by default for the same reason as the fiscal worker, on in `caja serve` unless
    # CAJA_FEED_WARMER=0.
    feed_warmer: bool = False
    # Where the worker processes of one `caja serve` share the feed pages they build (server/api/feed_share.py):
    # set by `caja serve` for its run (CAJA_FEED_SHARE_DIR), none otherwise (each process builds its own).
    feed_share_dir: Path | None = None
    # PostgreSQL connections each process keeps for its requests (server/db/engine.py): as many as its request
    # threads; N processes need N x (this + 5) of the database's max_connections.
    db_pool: int = 40
    # Sales batches each process writes at once (server/api/sales.py); the rest wait their turn in the event
    # loop, holding neither a thread nor a database connection.
    sales_at_once: int = 3
    # A line discount above this percentage needs a supervisor's PIN at the till (GET /api/cashiers says it).
    supervisor_discount_pct: int = 10
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, var_dir: Path | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var = Path(env.get("CAJA_VAR_DIR") or var_dir or VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        return cls(
            database_url=env.get("CAJA_DATABASE_URL") or _default_database_url(var),
            secret_key=env.get("CAJA_SECRET_KEY") or _secret_key(var),
            price_grace_days=int(env.get("CAJA_PRICE_GRACE_DAYS", "7")),
            supervisor_discount_pct=int(env.get("CAJA_SUPERVISOR_DISCOUNT_PCT", "10")),
            pairing_ttl_minutes=int(env.get("CAJA_PAIRING_TTL_MINUTES", "60")),
            max_body_bytes=int(env.get("CAJA_MAX_BODY_BYTES", str(16 * 1024 * 1024))),
            pos_dir=Path(env["CAJA_POS_DIR"]) if env.get("CAJA_POS_DIR") else None,
            trusted_proxies=parse_proxies(env.get("CAJA_TRUSTED_PROXIES", "")),
            var_dir=var,
            https=env.get("CAJA_HTTPS", "").strip().lower() in ("1", "true", "yes", "si", "sí"),
            tls_names=tuple(n.strip() for n in env.get("CAJA_TLS_NAMES", "").split(",") if n.strip()),
            fiscal_worker=env.get("CAJA_FISCAL_WORKER", "1") != "0",
            feed_warmer=env.get("CAJA_FEED_WARMER", "1") != "0",
            feed_share_dir=Path(env["CAJA_FEED_SHARE_DIR"]) if env.get("CAJA_FEED_SHARE_DIR") else None,
            db_pool=int(env.get("CAJA_DB_POOL", "40")),
            sales_at_once=max(1, int(env.get("CAJA_SALES_AT_ONCE", "3"))),
        )
