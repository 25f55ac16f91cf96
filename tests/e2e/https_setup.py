"""The two HTTPS deployments for the e2e tests, reached by a host name that is not loopback.

- `HttpsErp`: `caja serve` with CAJA_HTTPS=1 (its own CA and certificate, server/tls.py) for `caja.test`.
- `CaddyProxy`: `caja serve` on plain http 127.0.0.1 behind Debian's Caddy (`tls internal`, generated Caddyfile on
  free ports, its data and config under the test's folder so the machine's own Caddy, port 80 and trust store
  are never touched).

Chromium reaches `caja.test` through `--host-resolver-rules` (the name resolves to 127.0.0.1 but the page is not
loopback for the secure-context rules). It trusts caja's own CA the way a device does, from its certificate store
(an NSS database under a test HOME, `nss_home`), and Caddy's certificate by its SPKI hash
(`--ignore-certificate-errors-spki-list`).
Must not sleep: every wait polls a condition with a deadline.
"""
from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.e2e.harness import ROOT, ErpProcess, _free_port

HOST = "caja.test"
CADDY = "/usr/bin/caddy"
CERTUTIL = "/usr/bin/certutil"


def spki_hash(cert_der: bytes) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)): what `--ignore-certificate-errors-spki-list` takes."""
    cert = x509.load_der_x509_certificate(cert_der)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def chromium_args(spki: str) -> tuple[str, ...]:
    return (f"--host-resolver-rules=MAP {HOST} 127.0.0.1", f"--ignore-certificate-errors-spki-list={spki}")


def nss_home(home: Path, ca_file: Path) -> dict[str, str]:
    """An environment whose HOME has an NSS database trusting `ca_file` for web sites (`certutil -t C,,`): how
    Chromium on Linux learns a CA, as a tablet does once the CA is installed. Chromium then checks the whole
    chain, names and key usages itself (the SPKI flag would skip that)."""
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True, exist_ok=True)
    subprocess.run([CERTUTIL, "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([CERTUTIL, "-A", "-d", f"sql:{db}", "-n", "caja CA", "-t", "C,,", "-i", str(ca_file)],
                   check=True, capture_output=True)
    return {**os.environ, "HOME": str(home)}


def peer_certificate(port: int, ca_file: Path, deadline_s: float = 30) -> bytes:
    """The leaf the server on 127.0.0.1:`port` presents for `caja.test`, verified against `ca_file`."""
    ctx = ssl.create_default_context(cafile=str(ca_file))
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, \
                    ctx.wrap_socket(raw, server_hostname=HOST) as tls:
                der = tls.getpeercert(binary_form=True)
                assert der is not None
                return der
        except (OSError, ssl.SSLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a port that is not up yet (a condition, with a deadline)


class HttpsErp(ErpProcess):
    """`caja serve` serving HTTPS itself: the browser opens https://caja.test:<port>."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.var_dir = workdir / "var"
        self.env.update({"CAJA_VAR_DIR": str(self.var_dir), "CAJA_HTTPS": "1", "CAJA_TLS_NAMES": HOST})
        self.url = f"https://{HOST}:{self.port}"
        self.api_origin = f"https://127.0.0.1:{self.port}"  # in the certificate too

    def start(self) -> None:
        # The CA exists only after the first start; trust it as soon as it is written.
        ca = self.var_dir / "tls" / "ca.crt"
        if ca.exists():
            self.ssl_context = ssl.create_default_context(cafile=str(ca))
        else:
            self.ssl_context = ssl._create_unverified_context()
        super().start()
        self.ssl_context = ssl.create_default_context(cafile=str(ca))

    @property
    def ca_file(self) -> Path:
        return self.var_dir / "tls" / "ca.crt"


class CaddyProxy:
    """Caddy in front of a plain-http ERP: https://caja.test:<port> with Caddy's own local CA."""

    def __init__(self, erp: ErpProcess, workdir: Path) -> None:
        self.erp = erp
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"https://{HOST}:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.data = workdir / "caddy-data"

    def caddyfile(self) -> str:
        """docs/Caddyfile.example as the operator would edit it for a closed network (`tls internal`), for
        caja.test on a free port, plus test-only globals: no admin endpoint, no redirect listener on port 80,
        never touch the machine's trust store."""
        text = (ROOT / "docs" / "Caddyfile.example").read_text()
        edits = {"caja.example.mx {": f"{HOST}:{self.port} {{", "# tls internal": "tls internal",
                 "reverse_proxy 127.0.0.1:8000": f"reverse_proxy 127.0.0.1:{self.erp.port}",
                 "{\n": (f"{{\n\tadmin off\n\thttp_port {_free_port()}\n\thttps_port {self.port}\n"
                         "\tskip_install_trust\n\tauto_https disable_redirects\n")}
        for old, new in edits.items():
            assert old in text, f"docs/Caddyfile.example no longer has {old!r}"
            text = text.replace(old, new, 1)
        return text

    def start(self) -> None:
        path = self.workdir / "Caddyfile"
        path.write_text(self.caddyfile())
        env = {**os.environ, "XDG_DATA_HOME": str(self.data), "XDG_CONFIG_HOME": str(self.workdir / "caddy-cfg"),
               "HOME": str(self.workdir)}
        log = open(self.workdir / "caddy.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen([CADDY, "run", "--config", str(path), "--adapter", "caddyfile"], env=env,
                                     cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while not self.root_ca.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.workdir / "caddy.log").read_text())
            time.sleep(0.1)  # Caddy writes its local CA while it provisions the site

    @property
    def root_ca(self) -> Path:
        return self.data / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None
