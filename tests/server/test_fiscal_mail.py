"""Email delivery of CFDIs on SQLite and PostgreSQL, against a local SMTP server speaking real SMTP over a
socket (tests/server/smtp_standin.py): a self-invoice and a factura sale reach their customer once, with the PDF
and the stamped XML attached; a server that refuses is retried with backoff and then delivers; without SMTP
nothing is sent and the page offers the files to download; the back office shows each CFDI's delivery; the
SMTP password is stored sealed and appears in no page and no log line."""
from __future__ import annotations

import logging
import ssl
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from server.db.engine import utcnow, write_tx
from server.fiscal import jobs, smtp
from server.tls import ensure_tls
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import create_user, login, post_form, signed_in
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable
from tests.server.returns_helpers import a_return, post_returns
from tests.server.smtp_standin import SmtpStandIn
from tests.server.test_fiscal_autofactura import _ask, _setup, _ticket

MAIL_PASSWORD = "s3cr3t-contraseña-9137"  # not ASCII: smtplib alone cannot send it
BUYER_EMAIL = "juan.perez@example.mx"
NS = {"cfdi": "http://www.sat.gob.mx/cfd/4", "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital"}


def _configure_smtp(erp: Erp, server: SmtpStandIn) -> None:
    with write_tx(erp.engine) as conn:
        smtp.save(conn, SECRET, "127.0.0.1", server.port, "none", "tienda", MAIL_PASSWORD,
                  "facturas@tienda.example.mx", "Abarrotes La Esperanza")


def _self_invoice(erp: Erp, email: str = BUYER_EMAIL) -> tuple[str, dict[str, Any]]:
    """A synced remisión self-invoiced with an email: the status page's link and the sale."""
    h, shop, items = _setup(erp)
    sale, code = _ticket(items, 1, shop)
    post_sales(erp, h, sale)
    r = _ask(erp, code, sale["totals"]["total"], email=email)
    assert r.status_code == 200, r.text
    link = next(part.split('"')[0] for part in r.text.split('href="') if part.startswith("/erp/autofactura/"))
    return link, sale


def _attachments(received: Any) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in received.message().iter_attachments()}


def _mail_row(erp: Erp) -> Any:
    return erp.sql("SELECT mail_state, mail_to, mail_attempts, mail_error, mail_sent_at FROM cfdis "
                   "WHERE kind = 'autofactura'")[0]


def test_mail_self_invoice_arrives_once_with_pdf_and_stamped_xml(erp: Erp, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD) as server, StandIn() as pac:
        _configure_smtp(erp, server)
        link, sale = _self_invoice(erp)
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)  # seal
        jobs.run_once(erp.engine, SECRET)  # stamp, then mail in the same pass
        assert len(server.messages) == 1
        for _ in range(3):  # later passes, and a later time, never send it again
            jobs.run_once(erp.engine, SECRET, utcnow() + timedelta(hours=2))
        assert len(server.messages) == 1
    [received] = server.messages
    assert received.recipients == [BUYER_EMAIL] and received.sender == "facturas@tienda.example.mx"
    msg = received.message()
    assert msg["To"] == BUYER_EMAIL and "Abarrotes La Esperanza" in msg["From"]
    stamped = erp.client.get(f"{link}/factura.xml").content
    root = etree.fromstring(stamped)
    uuid = root.find("cfdi:Complemento/tfd:TimbreFiscalDigital", NS).get("UUID")
    files = _attachments(received)
    assert sorted(files) == sorted([f"{root.get('Serie')}-{root.get('Folio')}_{uuid}.pdf",
                                    f"{root.get('Serie')}-{root.get('Folio')}_{uuid}.xml"])
    xml = next(v for k, v in files.items() if k.endswith(".xml"))
    pdf = next(v for k, v in files.items() if k.endswith(".pdf"))
    assert xml == stamped  # the stamped CFDI itself
    assert etree.fromstring(xml).get("Total") == sale["totals"]["total"]
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
    body = msg.get_body(("plain",))
    assert body is not None and uuid in body.get_content()
    assert _mail_row(erp)[0] == "enviado" and _mail_row(erp)[4] is not None
    page = erp.client.get(link).text
    assert 'id="af-mailed"' in page and BUYER_EMAIL in page
    client = signed_in(erp)
    listing = client.get("/erp/ventas-cfdi").text
    assert "mail-enviado" in listing and BUYER_EMAIL in listing
    for text in (page, listing, client.get("/erp/fiscal/correo").text, caplog.text):
        assert MAIL_PASSWORD not in text


def test_mail_failing_server_is_retried_with_backoff_then_delivers(erp: Erp) -> None:
    with SmtpStandIn(fail=2, user="tienda", password=MAIL_PASSWORD) as server, StandIn() as pac:
        _configure_smtp(erp, server)
        _self_invoice(erp)
        configure_pac(erp, pac.url, TOKEN)
        now = utcnow()
        jobs.run_once(erp.engine, SECRET, now)
        jobs.run_once(erp.engine, SECRET, now)  # stamped; the first email is refused (451)
        state, _, attempts, error, sent = _mail_row(erp)
        assert (state, attempts, sent) == ("error", 1, None) and "451" in error
        listing = signed_in(erp).get("/erp/ventas-cfdi").text
        assert "mail-error" in listing and "451" in listing and "se reintentará" in listing
        jobs.run_once(erp.engine, SECRET, now + timedelta(seconds=10))  # before the backoff: not tried
        assert server.refused == 1 and _mail_row(erp)[2] == 1
        jobs.run_once(erp.engine, SECRET, now + timedelta(seconds=31))  # refused again
        jobs.run_once(erp.engine, SECRET, now + timedelta(seconds=92))  # then accepted
        assert server.refused == 2 and len(server.messages) == 1
        assert _mail_row(erp)[:3] == ("enviado", BUYER_EMAIL, 3)
        jobs.run_once(erp.engine, SECRET, now + timedelta(hours=3))
        assert len(server.messages) == 1


def test_mail_without_smtp_nothing_is_sent_and_the_page_offers_the_files(erp: Erp) -> None:
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD) as server, StandIn() as pac:
        h, shop, items = _setup(erp)
        sale, code = _ticket(items, 1, shop)
        post_sales(erp, h, sale)
        form = erp.client.get(f"/erp/autofactura?c={code}").text
        assert 'id="af-no-mail"' in form  # the form says so before anything is asked
        bad = _ask(erp, code, sale["totals"]["total"], email="juan@@example")
        assert bad.status_code == 400 and "correo no es válido" in bad.text
        r = _ask(erp, code, sale["totals"]["total"], email=BUYER_EMAIL)
        link = next(part.split('"')[0] for part in r.text.split('href="') if part.startswith("/erp/autofactura/"))
        configure_pac(erp, pac.url, TOKEN)
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)
        assert _mail_row(erp)[:2] == ("sin_smtp", BUYER_EMAIL)
        page = erp.client.get(link).text
        assert 'id="af-download-only"' in page and 'id="af-pdf"' in page
        # A mail server configured afterwards does not send old CFDIs by itself.
        _configure_smtp(erp, server)
        jobs.run_once(erp.engine, SECRET, utcnow() + timedelta(hours=1))
        assert server.messages == []
        client = signed_in(erp)
        listing = client.get("/erp/ventas-cfdi").text
        assert "mail-sin_smtp" in listing and "SMTP no configurado" in listing
        # Reenviar, by hand, sends that one once.
        cfdi_id = erp.scalar("SELECT id FROM cfdis WHERE kind = 'autofactura'")
        action = f"/erp/ventas-cfdi/{cfdi_id}/reenviar"
        assert action in listing
        assert post_form(client, action, {}, page_url="/erp/ventas-cfdi").status_code == 200
        for _ in range(2):
            jobs.run_once(erp.engine, SECRET, utcnow() + timedelta(hours=1))
        assert [m.recipients for m in server.messages] == [[BUYER_EMAIL]]
        assert _mail_row(erp)[0] == "enviado"
        assert post_form(client, action, {}, page_url="/erp/ventas-cfdi").status_code == 404  # sent: never again


def test_mail_factura_sale_goes_to_the_customers_address_and_none_without_one(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    customer = {"id": None, "uuid": "7a7a7a7a-1111-4222-8333-444444444444", "name": "Juan Pérez Pérez",
                "rfc": "PEPJ800101AB1", "regimen_fiscal": "612", "codigo_postal": "06000", "uso_cfdi": "G03",
                "email": BUYER_EMAIL}
    other = {**customer, "uuid": "7a7a7a7a-1111-4222-8333-555555555555", "rfc": "PEPJ800101AB2", "email": None}
    res = post_sales(erp, h, make_sale(items[:2], 1, sale_type="factura", customer=customer),
                     make_sale(items[2:4], 2, sale_type="factura", customer=other))
    assert [r["status"] for r in res] == ["accepted", "accepted"]
    configure_csd(erp)
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD) as server, StandIn() as pac:
        _configure_smtp(erp, server)
        configure_pac(erp, pac.url, TOKEN)
        for _ in range(3):
            jobs.run_once(erp.engine, SECRET)
        assert [m.recipients for m in server.messages] == [[BUYER_EMAIL]]
        files = _attachments(server.messages[0])
        assert len(files) == 2 and all(name.startswith("F-") for name in files)
    states = dict(erp.sql("SELECT c.rfc, f.mail_state FROM cfdis f JOIN sales s ON s.id = f.sale_id "
                          "JOIN customers c ON c.id = s.customer_id"))
    assert states == {"PEPJ800101AB1": "enviado", "PEPJ800101AB2": "sin_correo"}
    assert "mail-sin_correo" in signed_in(erp).get("/erp/ventas-cfdi").text


def test_mail_settings_page_admin_only_password_sealed_and_test_email(erp: Erp,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = signed_in(erp)
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD) as server:
        form = {"host": "127.0.0.1", "port": str(server.port), "security": "none", "user": "tienda",
                "password": MAIL_PASSWORD, "sender": "facturas@tienda.example.mx", "sender_name": "La Esperanza"}
        r = post_form(client, "/erp/fiscal/correo", form)
        assert r.status_code == 200 and MAIL_PASSWORD not in r.text and 'id="mail-password-kept"' in r.text
        stored = erp.sql("SELECT secret FROM mail_settings")[0][0]
        assert MAIL_PASSWORD.encode() not in bytes(stored)  # sealed with the server secret
        # Saving again with the password field empty keeps it.
        assert post_form(client, "/erp/fiscal/correo", {**form, "password": ""}).status_code == 200
        r = post_form(client, "/erp/fiscal/correo/prueba", {"to": "dueno@example.mx"}, page_url="/erp/fiscal/correo")
        assert r.status_code == 200 and "dueno@example.mx" in r.text
        assert [m.recipients for m in server.messages] == [["dueno@example.mx"]]
        # A wrong password: the reason, not the password.
        post_form(client, "/erp/fiscal/correo", {**form, "password": "otra-contraseña-mala"})
        r = post_form(client, "/erp/fiscal/correo/prueba", {"to": "dueno@example.mx"}, page_url="/erp/fiscal/correo")
        assert r.status_code == 502 and "535" in r.text and "otra-contraseña-mala" not in r.text
    # Plain SMTP with a password only to this machine; a bad sender is refused.
    remote = post_form(client, "/erp/fiscal/correo", {**form, "host": "smtp.example.com"})
    assert remote.status_code == 400 and erp.sql("SELECT host FROM mail_settings")[0][0] == "127.0.0.1"
    assert post_form(client, "/erp/fiscal/correo", {**form, "sender": "no es correo"}).status_code == 400
    for text in (client.get("/erp/fiscal/correo").text, caplog.text):
        assert MAIL_PASSWORD not in text and "otra-contraseña-mala" not in text
    # Not an administrator: no page, no change.
    client.cookies.clear()
    create_user(erp, "contador", "contraseña-segura-2", role="contador")
    assert login(client, "contador", "contraseña-segura-2").status_code == 303
    assert client.get("/erp/fiscal/correo").status_code == 403


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_tls_is_verified_for_starttls_and_ssl(security: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files = ensure_tls(tmp_path, ["localhost", "127.0.0.1"])  # a CA of our own and a server certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.certfile, files.keyfile)
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD, tls=context, implicit=security == "ssl") as server:
        config = smtp.SmtpConfig("localhost", server.port, security, "tienda", MAIL_PASSWORD,
                                 "facturas@tienda.example.mx", "")
        # A certificate no trusted authority signed: nothing is sent, the password included.
        with pytest.raises(smtp.SendFailed) as refused:
            smtp.send(config, smtp.test_message(config, "dueno@example.mx"))
        assert "certificate" in refused.value.message.lower() and MAIL_PASSWORD not in refused.value.message
        assert server.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", str(files.ca_cert))  # OpenSSL's default trust store, for this test
        smtp.send(config, smtp.test_message(config, "dueno@example.mx"))
        assert [m.recipients for m in server.messages] == [["dueno@example.mx"]]


def test_mail_a_factura_returns_credit_note_goes_to_the_same_customer(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h), unit="pieza")[:2]
    customer = {"id": None, "uuid": "7a7a7a7a-1111-4222-8333-777777777777", "name": "Juan Pérez Pérez",
                "rfc": "PEPJ800101AB1", "regimen_fiscal": "612", "codigo_postal": "06000", "uso_cfdi": "G03",
                "email": BUYER_EMAIL}
    sale = make_sale(items, 1, qty="2", sale_type="factura", customer=customer)
    assert [r["status"] for r in post_sales(erp, h, sale)] == ["accepted"]
    configure_csd(erp)
    with SmtpStandIn(user="tienda", password=MAIL_PASSWORD) as server, StandIn() as pac:
        _configure_smtp(erp, server)
        configure_pac(erp, pac.url, TOKEN)
        for _ in range(2):
            jobs.run_once(erp.engine, SECRET)  # the factura sealed, stamped and mailed
        assert len(server.messages) == 1 and server.messages[0].message()["Subject"].startswith("Factura F-1 ")
        ret = a_return(sale, {0: "1"})
        assert [r["status"] for r in post_returns(erp, h, ret)] == ["accepted"]
        for _ in range(3):
            jobs.run_once(erp.engine, SECRET)  # the egreso enqueued, sealed, stamped and mailed
        for _ in range(2):
            jobs.run_once(erp.engine, SECRET, utcnow() + timedelta(hours=2))  # and never again
    assert [m.recipients for m in server.messages] == [[BUYER_EMAIL], [BUYER_EMAIL]]
    msg = server.messages[1].message()
    assert msg["Subject"].startswith("Nota de crédito D-1 ")
    body = msg.get_body(("plain",))
    assert body is not None and "nota de crédito" in body.get_content() and "credit note" in body.get_content()
    [xml] = [v for k, v in _attachments(server.messages[1]).items() if k.endswith(".xml")]
    root = etree.fromstring(xml)
    assert (root.get("TipoDeComprobante"), root.get("Total")) == ("E", ret["totals"]["total"])
    assert erp.sql("SELECT mail_state FROM cfdis WHERE return_id IS NOT NULL") == [("enviado",)]
