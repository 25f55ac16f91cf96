"""Pages: the install's CA certificate for tablets — public download, a QR code to it, install instructions.

What it is for: `caja serve --https` (server/tls.py) signs its server certificate with a CA made for this
install; a tablet trusts that CA once and the POS is then a secure context (service worker, offline reload).
- `GET /erp/ca.crt` is public on purpose: a tablet fetches it *before* it trusts the server and before anyone
  signs in on it, and the file is a public certificate (the same public key every TLS client of the server
  sees). It serves that one file and nothing else; the CA's private key stays in the var dir, 0600.
- `GET /erp/certificado` (signed in) shows the download address, its QR code (an SVG made here with
  segno, `GET .../qr.svg`: no external service sees the address), the CA's SHA-256 fingerprint to compare on the
  device, and the steps per device (certificate_help.py).

What it must not do: serve any other file of the TLS folder, or make certificates (server/tls.py does, at start).
"""
from __future__ import annotations

import io
import ipaddress

import segno
from fastapi import Request
from fastapi.responses import Response

from server.tls import ca_cert_path, ca_fingerprint, cert_names, tls_dir

from .certificate_help import steps
from .deps import CurrentUser, NotFound
from .deps import router as make_router
from .render import lang_of, page

router = make_router()
CA_PATH = "/erp/ca.crt"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _server_names(request: Request) -> list[str]:
    from cryptography import x509

    path = tls_dir(request.app.state.settings.var_dir) / "server.crt"
    if not path.exists():
        return []
    return sorted(cert_names(x509.load_pem_x509_certificate(path.read_bytes())))


def download_urls(request: Request) -> list[str]:
    """Addresses a tablet can fetch the CA from, best first: the one this page was opened by (unless loopback,
    which on a tablet would be the tablet itself), then the certificate's IPv4 addresses, then its names."""
    scheme, port = request.url.scheme, request.url.port
    suffix = f":{port}" if port and port != {"http": 80, "https": 443}.get(scheme) else ""
    hosts: list[str] = []
    host = request.url.hostname or ""
    if host and not _is_loopback(host):
        hosts.append(host)
    names = [n for n in _server_names(request) if not _is_loopback(n)]
    ipv4 = [n for n in names if n.replace(".", "").isdigit()]
    hosts += ipv4 + [n for n in names if n not in ipv4 and ":" not in n]
    hosts += [f"[{n}]" for n in names if ":" in n]
    seen: list[str] = []
    for h in hosts:
        if h not in seen:
            seen.append(h)
    return [f"{scheme}://{h}{suffix}{CA_PATH}" for h in seen] or [f"{scheme}://{host}{suffix}{CA_PATH}"]


@router.get("/ca.crt")
def ca_certificate(request: Request) -> Response:
    path = ca_cert_path(request.app.state.settings.var_dir)
    if not path.is_file():
        raise NotFound()
    # application/x-x509-ca-cert makes Safari offer the profile and Android/Windows open their installers.
    return Response(path.read_bytes(), media_type="application/x-x509-ca-cert", headers={
        "Content-Disposition": 'attachment; filename="caja-ca.crt"', "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff"})


@router.get("/certificado")
def certificate_page(request: Request, user: CurrentUser) -> Response:
    settings = request.app.state.settings
    fingerprint = ca_fingerprint(settings.var_dir)
    return page(request, "certificate.html", user, fingerprint=fingerprint, urls=download_urls(request),
                https=request.url.scheme == "https", steps=steps(lang_of(request)))


@router.get("/certificado/qr.svg")
def certificate_qr(request: Request, _user: CurrentUser) -> Response:
    buf = io.BytesIO()
    segno.make(download_urls(request)[0], error="m").save(buf, kind="svg", scale=6, border=2,
                                                          xmldecl=False, svgns=True)
    return Response(buf.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
