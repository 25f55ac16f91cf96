"""`caja serve --https`: the install's CA and server certificate (server/tls.py), the public CA download and the
Certificado HTTPS page (server/backoffice/certificate.py), and the "sin HTTPS" heartbeat shown in Terminales.

Certificates are checked with `cryptography` as a client would: the chain, the names, the key usages; files by
their permissions; the download by its bytes (the CA certificate and nothing else, never a private key).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from server import cli
from server.tls import cert_names, ensure_tls, machine_names
from tests.server.backoffice_helpers import signed_in
from tests.server.harness import Erp

NAMES = ["localhost", "127.0.0.1", "caja.test", "192.168.1.20"]


def _leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_use_makes_a_private_ca_and_a_server_certificate_for_the_names(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, NAMES)
    folder = tmp_path / "tls"
    assert _mode(folder) == 0o700
    assert _mode(folder / "ca.key") == 0o600 and _mode(files.keyfile) == 0o600
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    leaf = _leaf(files.certfile)
    leaf.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert ExtendedKeyUsageOID.SERVER_AUTH in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert cert_names(leaf) == set(NAMES)
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "caja.test" in san.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "192.168.1.20"}
    # The served chain is leaf + CA, so a client that trusts the CA builds the path offline.
    assert len(x509.load_pem_x509_certificates(files.certfile.read_bytes())) == 2
    # Apple refuses longer-lived server certificates from a user-installed CA.
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= dt.timedelta(days=825)
    assert b"PRIVATE KEY" not in files.ca_cert.read_bytes() and b"PRIVATE KEY" not in files.certfile.read_bytes()


def test_the_same_names_keep_the_certificate_new_names_make_a_new_one_with_the_same_ca(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, NAMES)
    ca_bytes, leaf_bytes = files.ca_cert.read_bytes(), files.certfile.read_bytes()
    ensure_tls(tmp_path, list(reversed(NAMES)))
    assert files.certfile.read_bytes() == leaf_bytes  # same set of names: nothing made
    ensure_tls(tmp_path, [*NAMES[:3], "192.168.1.21"])  # the router gave the PC another address
    assert files.ca_cert.read_bytes() == ca_bytes  # tablets keep trusting the same CA
    leaf = _leaf(files.certfile)
    assert "192.168.1.21" in cert_names(leaf) and "192.168.1.20" not in cert_names(leaf)
    leaf.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_bytes))


def test_a_certificate_near_expiry_is_made_again(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, NAMES)
    old = _leaf(files.certfile)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=340)
    ensure_tls(tmp_path, NAMES, now=later)
    new = _leaf(files.certfile)
    assert new.serial_number != old.serial_number and new.not_valid_after_utc > old.not_valid_after_utc


def test_a_key_others_can_read_is_not_reused(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, NAMES)
    old_key = files.keyfile.read_bytes()
    files.keyfile.chmod(0o644)
    ensure_tls(tmp_path, NAMES)
    assert files.keyfile.read_bytes() != old_key and _mode(files.keyfile) == 0o600


def test_machine_names_hold_loopback_the_host_and_the_extra_names() -> None:
    names = machine_names(["Caja.Test.", " tienda.lan ", ""])
    assert names[:2] == ["localhost", "127.0.0.1"]
    assert "caja.test" in names and "tienda.lan" in names and "" not in names
    assert len(names) == len(set(names))


@pytest.fixture
def https_erp(erp: Erp, tmp_path: Path) -> Erp:
    """The harness's ERP with its var dir in tmp, where `caja serve --https` would have made the files."""
    erp.app.state.settings = dataclasses.replace(erp.settings, var_dir=tmp_path / "var")
    return erp


def test_the_ca_certificate_is_public_and_is_the_only_file_served(https_erp: Erp, tmp_path: Path) -> None:
    assert https_erp.client.get("/erp/ca.crt").status_code == 404  # no CA made: nothing to offer
    files = ensure_tls(tmp_path / "var", NAMES)
    r = https_erp.client.get("/erp/ca.crt")  # no session: a tablet downloads it before anything else
    assert r.status_code == 200
    assert r.content == files.ca_cert.read_bytes() and b"PRIVATE KEY" not in r.content
    assert r.headers["content-type"].startswith("application/x-x509-ca-cert")
    for path in ("/erp/ca.key", "/erp/server.key", "/erp/tls/ca.key", "/erp/ca.crt/../ca.key", "/pos/../var/tls/ca.key",
                 "/erp/static/../../var/tls/ca.key", "/erp/ca.crt?file=ca.key"):
        body = https_erp.client.get(path).content
        assert b"PRIVATE KEY" not in body, path


def test_the_certificate_page_shows_qr_fingerprint_and_steps(https_erp: Erp, tmp_path: Path) -> None:
    client = signed_in(https_erp)
    assert "caja serve --https" in client.get("/erp/certificado").text  # not on: says how
    ensure_tls(tmp_path / "var", NAMES)
    assert "/erp/certificado" in client.get("/erp/terminales").text
    page = client.get("/erp/certificado", headers={"Host": "caja.test:8443"}).text
    assert "http://caja.test:8443/erp/ca.crt" in page  # the address the page was opened by comes first
    assert "http://192.168.1.20:8443/erp/ca.crt" in page and "127.0.0.1:8443" not in page
    from server.tls import ca_fingerprint

    assert ca_fingerprint(tmp_path / "var") in page
    for device in ("Android", "iPad", "Windows", "ChromeOS", "Ajustes de confianza de certificados"):
        assert device in page
    qr = client.get("/erp/certificado/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.lstrip().startswith("<svg") and "http" not in qr.text.replace("http://www.w3.org", "")
    anonymous = https_erp.client.__class__(https_erp.app)
    assert anonymous.get("/erp/certificado", follow_redirects=False).status_code == 303
    assert "Certificate Trust Settings" in client.get("/erp/certificado?lang=en").text


def test_a_till_without_https_shows_sin_https_in_terminales(erp: Erp) -> None:
    headers = erp.pair()
    r = erp.client.get("/api/terminal", headers={**headers, "X-Caja-Secure-Context": "0"})
    assert r.status_code == 200
    client = signed_in(erp)
    assert "sin HTTPS" in client.get("/erp/terminales").text
    # Moving the till to https is recorded at once, not at the next once-a-minute contact write.
    erp.client.get("/api/terminal", headers={**headers, "X-Caja-Secure-Context": "1"})
    listing = client.get("/erp/terminales").text
    assert "sin HTTPS" not in listing
    assert erp.scalar("SELECT secure_context FROM terminals WHERE code = 'T01'") in (True, 1)
    erp.client.get("/api/terminal", headers={**headers, "X-Caja-Secure-Context": "maybe"})  # ignored
    assert erp.scalar("SELECT secure_context FROM terminals WHERE code = 'T01'") in (True, 1)


def test_caja_serve_https_hands_uvicorn_the_certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setenv("CAJA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CAJA_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("CAJA_TLS_NAMES", "tienda.lan")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        assert cli.main(["serve", "--port", "8000"]) == 0 and "ssl_certfile" not in seen  # plain http as before
        assert cli.main(["serve", "--https", "--tls-name", "caja.test", "--port", "8443"]) == 0
        assert seen["port"] == 8443 and "ssl_certfile" in seen
        seen.clear()
        monkeypatch.setenv("CAJA_HTTPS", "1")
        assert cli.main(["serve"]) == 0
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
    leaf = _leaf(Path(seen["ssl_certfile"]))
    assert {"tienda.lan", "localhost", "127.0.0.1"} <= cert_names(leaf) and "caja.test" not in cert_names(leaf)
    assert Path(seen["ssl_keyfile"]) == tmp_path / "tls" / "server.key"
