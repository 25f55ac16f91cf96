"""PIN policy and the PBKDF2-SHA256 verifier (what WebCrypto computes on the till)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from poscore.pin import (
    ITERATIONS,
    PinVerifier,
    _pbkdf2_pure,
    check_pin,
    make_verifier,
    pbkdf2_sha256,
    pin_problem,
)

SALT = bytes(range(16))


@pytest.mark.parametrize("pin", ["4821", "90210", "73915284", "1357", "2024"])
def test_acceptable_pins(pin: str) -> None:
    assert pin_problem(pin) is None


@pytest.mark.parametrize(("pin", "code"), [
    ("123", "pin_format"), ("123456789", "pin_format"), ("12a4", "pin_format"), ("١٢٣٤", "pin_format"),
    ("0000", "pin_trivial"), ("1234", "pin_trivial"), ("9876", "pin_trivial"), ("7890", "pin_trivial"),
    ("1212", "pin_trivial"), ("123123", "pin_trivial"), ("45674567", "pin_trivial")])
def test_refused_pins(pin: str, code: str) -> None:
    assert pin_problem(pin) == code


def test_verifier_round_trip_and_check() -> None:
    v = make_verifier("4821", SALT, iterations=1000)
    assert v.digest == pbkdf2_sha256(b"4821", SALT, 1000)
    text = v.to_text()
    assert text.startswith("pbkdf2_sha256$1000$") and "4821" not in text
    back = PinVerifier.from_text(text)
    assert back == v and check_pin("4821", back) and not check_pin("4822", back)
    assert v.to_json()["algorithm"] == "PBKDF2-SHA256" and v.to_json()["iterations"] == 1000
    assert ITERATIONS >= 600_000


def test_known_vectors() -> None:
    # RFC 7914 §11's PBKDF2-HMAC-SHA256 vectors: the same function WebCrypto runs, native and written out.
    for fn in (pbkdf2_sha256, _pbkdf2_pure):
        assert fn(b"passwd", b"salt", 1, 64).hex().startswith("55ac046e56e3089fec1691c22544b605")
        assert fn(b"Password", b"NaCl", 80000, 64).hex().startswith("4ddcd8f60b98be21830cee5ef22701f9")


@given(st.binary(max_size=80), st.binary(min_size=8, max_size=24), st.integers(1, 40), st.integers(1, 70))
def test_pure_matches_native(password: bytes, salt: bytes, iterations: int, length: int) -> None:
    native = getattr(hashlib, "pbkdf2_hmac", None)
    if native is None:  # Pyodide without OpenSSL: nothing to compare against here
        return
    assert _pbkdf2_pure(password, salt, iterations, length) == native("sha256", password, salt, iterations, length)


def test_refusals() -> None:
    with pytest.raises(ValueError, match="pin_trivial"):
        make_verifier("1111", SALT, 1000)
    with pytest.raises(ValueError):
        make_verifier("4821", SALT, 10)
    for bad in ("pbkdf2_sha256$10$AAAAAAAAAAA=$AAAA", "md5$1$a$b", "garbage"):
        with pytest.raises(ValueError):
            PinVerifier.from_text(bad)


@given(st.text("0123456789", min_size=4, max_size=8), st.text("0123456789", min_size=4, max_size=8))
def test_only_the_pin_opens_its_verifier(pin: str, other: str) -> None:
    if pin_problem(pin) is not None:
        with pytest.raises(ValueError):
            make_verifier(pin, SALT, 1000)
        return
    v = PinVerifier.from_text(make_verifier(pin, SALT, 1000).to_text())
    assert check_pin(pin, v) and check_pin(other, v) == (other == pin)
