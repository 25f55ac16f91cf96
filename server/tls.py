"""HTTPS for a shop PC without a domain: this install's own certificate authority and the server certificate.

What it is for: `caja serve --https` (server/cli.py) calls `ensure_tls` before uvicorn starts. At first use it
creates a local CA (its key 0600 in `<var>/tls/`, never served), then a server certificate signed by it for the
machine's host names and addresses plus localhost/127.0.0.1. The certificate is made again when those names
change (a new IP from the router's DHCP, a renamed PC) or when it nears expiry. Tablets trust the CA once
(Terminales offers `ca.crt` with a QR code) and from then on every certificate this install makes.

What it must not do: serve anything (the back office serves the CA *certificate* from `ca_cert_path` only),
read or write outside its folder, or reuse a key file it did not make with private permissions.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Apple devices refuse a server certificate from a user-installed CA that is valid for more than 825 days;
# a year, renewed at start when fewer than RENEW_BEFORE days remain, stays far inside that.
SERVER_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=30)
CA_DAYS = 3650

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    """What uvicorn needs (`certfile`, `keyfile`) and what the back office offers (`ca_cert`)."""

    certfile: Path
    keyfile: Path
    ca_cert: Path


def tls_dir(var_dir: Path) -> Path:
    return var_dir / "tls"


def ca_cert_path(var_dir: Path) -> Path:
    """The CA certificate (public): the only file of this folder anyone may download."""
    return tls_dir(var_dir) / "ca.crt"


def machine_names(extra: Iterable[str] = ()) -> list[str]:
    """Host names and addresses a tablet may use to reach this machine, plus loopback and `extra`.

    The LAN address is the one the kernel would send from toward a non-local address: a UDP `connect` picks the
    route without sending a packet. `<hostname>.local` is what mDNS (Bonjour/Avahi) resolves on most networks.
    """
    names: list[str] = ["localhost", "127.0.0.1", "::1"]
    host = socket.gethostname()
    if host:
        names += [host, f"{host}.local"]
        fqdn = socket.getfqdn()
        if fqdn and fqdn != host and "." in fqdn:
            names.append(fqdn)
        try:
            names += [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
        except OSError:
            pass
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                names.append(str(s.getsockname()[0]))
        except OSError:
            pass
    names += [n.strip() for n in extra if n.strip()]
    return _normalized(names)


def _normalized(names: Iterable[str]) -> list[str]:
    """Lower-case, de-duplicated, addresses in canonical form, link-local IPv6 (needs a zone) left out."""
    out: list[str] = []
    for raw in names:
        name = raw.strip().lower().rstrip(".")
        ip = _as_ip(name)
        if ip is not None:
            if ip.is_link_local:
                continue
            name = str(ip)
        elif not name or "%" in name:
            continue
        if name not in out:
            out.append(name)
    return out


def _as_ip(name: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return None


def _san(names: Iterable[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        ip = _as_ip(name)
        entries.append(x509.IPAddress(ip) if ip is not None else x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def cert_names(cert: x509.Certificate) -> set[str]:
    """The DNS names and IP addresses a certificate is valid for, as `_normalized` writes them."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {*san.get_values_for_type(x509.DNSName), *(str(ip) for ip in san.get_values_for_type(x509.IPAddress))}


def _write_private(path: Path, data: bytes) -> None:
    """Write a key so that it is never, even for a moment, readable by anyone but this user."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _write_public(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    # A key that others can read is not trusted: it may have been copied; make a new one instead.
    if not path.exists() or path.stat().st_mode & 0o077:
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _load_cert(path: Path) -> x509.Certificate | None:
    if not path.exists():
        return None
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        return None


def _ensure_ca(folder: Path, now: dt.datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key, cert = _load_key(folder / "ca.key"), _load_cert(folder / "ca.crt")
    if (key is not None and cert is not None and cert.public_key() == key.public_key()
            and cert.not_valid_after_utc - now > RENEW_BEFORE):
        return key, cert
    key = ec.generate_private_key(ec.SECP256R1())
    # The install's host and creation date in the name: a tablet's list of trusted CAs tells shops apart.
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "caja"),
                      x509.NameAttribute(NameOID.COMMON_NAME,
                                         f"caja CA local {socket.gethostname()[:30]} {now:%Y-%m-%d}")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(folder / "ca.key", _key_pem(key))
    _write_public(folder / "ca.crt", cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _server_is_current(folder: Path, ca: x509.Certificate, names: list[str], now: dt.datetime) -> bool:
    key, cert = _load_key(folder / "server.key"), _load_cert(folder / "server.crt")
    if key is None or cert is None or cert.public_key() != key.public_key():
        return False
    if cert.issuer != ca.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except Exception:  # noqa: BLE001 - a signature that does not verify, for any reason, means a new one
        return False
    return cert_names(cert) == set(names) and cert.not_valid_after_utc - now > RENEW_BEFORE


def ensure_tls(var_dir: Path, names: Iterable[str], now: dt.datetime | None = None) -> TlsFiles:
    """The CA and a server certificate for exactly `names`, made or made again only when needed."""
    now = now or dt.datetime.now(dt.UTC)
    folder = tls_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    wanted = _normalized(names)
    if not wanted:
        raise ValueError("no host names for the certificate")
    ca_key, ca = _ensure_ca(folder, now)
    files = TlsFiles(folder / "server.crt", folder / "server.key", folder / "ca.crt")
    if _server_is_current(folder, ca, wanted, now):
        return files
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "caja"),
                         x509.NameAttribute(NameOID.COMMON_NAME, wanted[0][:64])])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_san(wanted), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_private(folder / "server.key", _key_pem(key))
    # The chain (leaf + CA) so a client that trusts the CA can build the path without fetching anything.
    _write_public(folder / "server.crt", cert.public_bytes(serialization.Encoding.PEM)
                  + ca.public_bytes(serialization.Encoding.PEM))
    return files


def ca_fingerprint(var_dir: Path) -> str | None:
    """SHA-256 of the CA certificate as colon-separated hex: what install dialogs show, to compare by eye."""
    cert = _load_cert(ca_cert_path(var_dir))
    if cert is None:
        return None
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()
