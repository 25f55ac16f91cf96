"""Settings from the environment: defaults under var/, a secret key generated once, overrides honoured."""
from __future__ import annotations

from pathlib import Path

from server.settings import Settings


def test_defaults_create_var_and_a_stable_secret(tmp_path: Path) -> None:
    var = tmp_path / "var"
    s1 = Settings.from_env({"CAJA_VAR_DIR": str(var)})
    assert var.is_dir()
    assert s1.database_url == f"sqlite:///{var / 'caja.db'}"
    assert len(s1.secret_key) >= 32
    assert (var / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    s2 = Settings.from_env({"CAJA_VAR_DIR": str(var)})
    assert s2.secret_key == s1.secret_key
    assert s1.price_grace_days == 7


def test_environment_overrides(tmp_path: Path) -> None:
    s = Settings.from_env({"CAJA_VAR_DIR": str(tmp_path), "CAJA_DATABASE_URL": "postgresql+psycopg://x@h/db",
                           "CAJA_SECRET_KEY": "k" * 40, "CAJA_PRICE_GRACE_DAYS": "3"})
    assert (s.database_url, s.secret_key, s.price_grace_days) == ("postgresql+psycopg://x@h/db", "k" * 40, 3)
    assert not (tmp_path / "secret_key").exists()


def test_plain_postgresql_urls_use_psycopg3() -> None:
    from server.db.engine import make_engine

    for url in ("postgresql://u:p@localhost:5432/caja", "postgres://u@localhost/caja"):
        engine = make_engine(url)
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.url.database == "caja"
        engine.dispose()


def test_pos_dir_serves_the_pos_from_another_directory(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from server.app import create_app

    pos = tmp_path / "pos"
    pos.mkdir()
    (pos / "index.html").write_text("<!doctype html><title>otra copia</title>")
    env = {"CAJA_VAR_DIR": str(tmp_path / "var"), "CAJA_DATABASE_URL": f"sqlite:///{tmp_path / 'caja.db'}"}
    assert Settings.from_env(env).pos_dir is None  # default: web/ of the checkout
    settings = Settings.from_env({**env, "CAJA_POS_DIR": str(pos)})
    assert settings.pos_dir == pos
    app = create_app(settings)
    try:
        page = TestClient(app).get("/pos/")
        assert page.status_code == 200 and "otra copia" in page.text
    finally:
        app.state.engine.dispose()
