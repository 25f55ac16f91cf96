"""The CSD upload checks: a CSD is accepted and described; a FIEL, another RFC, an expired or not yet valid
certificate, a wrong password and a key of another certificate are refused with a clear message."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization

from server.fiscal.certificate import CsdRefused, check_csd
from server.fiscal.testcert import make_csd
from server.fiscal.vault import open_key, seal_key

from .fixtures import NAME, RFC

NOW = datetime.now(UTC)


def _refused(cer: bytes, key: bytes, password: str, rfc: str = RFC) -> CsdRefused:
    with pytest.raises(CsdRefused) as err:
        check_csd(cer, key, password, rfc, NOW)
    return err.value


def test_fiscal_csd_is_described_and_warns_30_days_before_expiry() -> None:
    cer, key, password = make_csd(RFC, NAME, number="30001000000500003416")
    info, der = check_csd(cer, key, password, RFC.lower(), NOW)
    assert (info.number, info.rfc, info.name) == ("30001000000500003416", RFC, NAME)
    assert not info.expires_soon(NOW)
    assert info.expires_soon(info.not_after - timedelta(days=29))
    assert serialization.load_der_private_key(der, None).key_size == 2048


def test_fiscal_fiel_is_refused() -> None:
    err = _refused(*make_csd(RFC, NAME, fiel=True))
    assert err.code == "fiel" and "e.firma" in err.message


def test_fiscal_other_rfc_is_refused() -> None:
    err = _refused(*make_csd("AAA010101AAA", "OTRA SA"))
    assert err.code == "rfc_mismatch" and "AAA010101AAA" in err.message


def test_fiscal_expired_and_future_certificates_are_refused() -> None:
    expired = make_csd(RFC, NAME, not_before=NOW - timedelta(days=800), days=365)
    assert _refused(*expired).code == "expired"
    future = make_csd(RFC, NAME, not_before=NOW + timedelta(days=3))
    assert _refused(*future).code == "not_yet_valid"


def test_fiscal_wrong_password_and_key_of_another_certificate_are_refused() -> None:
    cer, key, _ = make_csd(RFC, NAME)
    assert _refused(cer, key, "otra-contraseña").code == "bad_key"
    cer, key, password = make_csd(RFC, NAME, key_slot=0, cert_slot=1)
    assert _refused(cer, key, password).code == "key_mismatch"


def test_fiscal_not_a_certificate_and_not_a_sat_serial_are_refused() -> None:
    assert _refused(b"hola", b"", "").code == "not_certificate"
    assert _refused(*make_csd(RFC, NAME, number="1234")).code == "not_sat"


def test_fiscal_key_at_rest_needs_the_server_secret() -> None:
    blob = seal_key("secret-a", b"private key bytes")
    assert b"private key bytes" not in blob
    assert open_key("secret-a", blob) == b"private key bytes"
    with pytest.raises(InvalidTag):
        open_key("secret-b", blob)
