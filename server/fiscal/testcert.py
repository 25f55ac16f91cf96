"""CSD-shaped certificates made on the spot, for the tests, the demo and the benchmark. Never for production.

What it is for: `make_csd(rfc, name)` → (.cer DER, .key encrypted PKCS#8 DER, password) shaped like a SAT CSD
(RSA 2048, serial number = the hex of 20 ASCII digits, RFC in the subject's x500UniqueIdentifier, keyUsage
digitalSignature + nonRepudiation); `fiel=True` adds what an e.firma carries (extendedKeyUsage, encipherment).
What it must not do: pretend to be the SAT: the issuer says it is a caja test authority, and no PAC accepts it.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_UNIQUE_ID = x509.ObjectIdentifier("2.5.4.45")
_KEYS: dict[int, rsa.RSAPrivateKey] = {}


def _key(slot: int) -> rsa.RSAPrivateKey:
    # RSA 2048 generation takes a noticeable time: a test run reuses a few keys.
    if slot not in _KEYS:
        _KEYS[slot] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[slot]


def make_csd(rfc: str, name: str, *, number: str = "30001000000500003416", password: str = "12345678a",
             not_before: datetime | None = None, days: int = 4 * 365, fiel: bool = False,
             key_slot: int = 0, cert_slot: int | None = None, unit: str | None = None) -> tuple[bytes, bytes, str]:
    """(cer DER, key DER encrypted with password, password). ``cert_slot`` ≠ ``key_slot`` makes a pair
    whose key does not match the certificate; ``unit`` is the subject's OU (a PAC's says "PAC<its RFC>")."""
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    key = _key(key_slot)
    cert_key = _key(key_slot if cert_slot is None else cert_slot)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(_UNIQUE_ID, f"{rfc} / XAXX010101000"),
        *([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)] if unit else []),
    ])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "caja test CA (not the SAT)")])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(cert_key.public_key()).serial_number(int(number.encode().hex(), 16))
               .not_valid_before(start).not_valid_after(start + timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=fiel, data_encipherment=fiel, key_agreement=fiel,
                                            key_cert_sign=False, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True))
    if fiel:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                               ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    cert = builder.sign(cert_key, hashes.SHA256())
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(password.encode()))
    return cert.public_bytes(serialization.Encoding.DER), key_der, password
