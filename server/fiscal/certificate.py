"""The shop's CSD (Certificado de Sello Digital): check an uploaded .cer/.key/password and describe it.

What it is for: `check_csd(cer, key, password, rfc, now)` refuses, with a message a shop owner understands,
a file that is not a certificate, a FIEL (e.firma) instead of a CSD, a certificate of another RFC, one not
yet valid or expired, a wrong password, or a key that does not pair with the certificate; it returns the
certificate's facts and the private key re-serialised as PKCS#8 DER for `vault` to encrypt.
What it must not do: store or log the key or the password, or accept a FIEL: the SAT forbids sealing CFDIs
with the e.firma (CFF art. 29 fr. II: a CFDI is sealed with a certificado de sello digital).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtensionOID, NameOID

WARN_DAYS = 30
# OID 2.5.4.45: the SAT puts "RFC / RFC del representante" in the subject's x500UniqueIdentifier.
_UNIQUE_ID = x509.ObjectIdentifier("2.5.4.45")


class CsdRefused(ValueError):
    """An upload that cannot be the shop's CSD; ``code`` for tests, ``message`` for the page."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class CsdInfo:
    number: str  # the 20-digit NoCertificado
    rfc: str
    name: str
    not_before: datetime
    not_after: datetime

    def expires_soon(self, now: datetime) -> bool:
        """True within the last 30 days of validity (the shop must renew it in the SAT portal in time)."""
        return self.not_after - now <= timedelta(days=WARN_DAYS)


def certificate_number(cert: x509.Certificate) -> str:
    """NoCertificado: the SAT's serial number is the hex of 20 ASCII digits."""
    raw = cert.serial_number.to_bytes((cert.serial_number.bit_length() + 7) // 8, "big")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        text = ""
    if len(text) != 20 or not text.isdigit():
        raise CsdRefused("not_sat", "El certificado no es del SAT: su número de serie no son 20 dígitos")
    return text


def _is_fiel(cert: x509.Certificate) -> bool:
    # A FIEL (e.firma) is for signing and encrypting and carries an extendedKeyUsage (clientAuth, email);
    # a CSD only signs: keyUsage digitalSignature + nonRepudiation and nothing else.
    try:
        cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
        return True
    except x509.ExtensionNotFound:
        pass
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.key_encipherment or usage.data_encipherment or usage.key_agreement)


def _subject(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    attrs = cert.subject.get_attributes_for_oid(oid)
    value = attrs[0].value if attrs else ""
    return value.decode() if isinstance(value, bytes) else value


def describe(cer: bytes) -> tuple[x509.Certificate, CsdInfo]:
    try:
        cert = x509.load_der_x509_certificate(cer)
    except ValueError:
        try:
            cert = x509.load_pem_x509_certificate(cer)
        except ValueError:
            raise CsdRefused("not_certificate", "El archivo .cer no es un certificado") from None
    number = certificate_number(cert)
    rfc = _subject(cert, _UNIQUE_ID).split("/")[0].strip().upper()
    name = _subject(cert, NameOID.ORGANIZATION_NAME) or _subject(cert, NameOID.COMMON_NAME)
    return cert, CsdInfo(number, rfc, name, cert.not_valid_before_utc, cert.not_valid_after_utc)


def check_csd(cer: bytes, key: bytes, password: str, rfc: str, now: datetime | None = None) -> tuple[CsdInfo, bytes]:
    """Check an upload; returns (facts, private key as unencrypted PKCS#8 DER). Raises ``CsdRefused``."""
    now = now or datetime.now(UTC)
    cert, info = describe(cer)
    if _is_fiel(cert):
        raise CsdRefused("fiel", "Es una e.firma (FIEL), no un CSD: los CFDI se sellan con el Certificado de "
                                 "Sello Digital que se tramita en el portal del SAT (Certifica)")
    if info.rfc != rfc.strip().upper():
        raise CsdRefused("rfc_mismatch", f"El certificado es del RFC {info.rfc or '(ninguno)'}, no del emisor {rfc}")
    if now < info.not_before:
        raise CsdRefused("not_yet_valid", f"El certificado aún no es válido (desde {info.not_before:%Y-%m-%d})")
    if now > info.not_after:
        raise CsdRefused("expired", f"El certificado venció el {info.not_after:%Y-%m-%d}")
    try:
        private = serialization.load_der_private_key(key, password.encode() or None)
    except (ValueError, TypeError):
        raise CsdRefused("bad_key", "La llave privada (.key) no se pudo abrir: revise la contraseña y el archivo") \
            from None
    public = cert.public_key()
    if not isinstance(private, rsa.RSAPrivateKey) or not isinstance(public, rsa.RSAPublicKey) \
            or private.public_key().public_numbers() != public.public_numbers():
        raise CsdRefused("key_mismatch", "La llave privada no corresponde al certificado")
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return info, der
