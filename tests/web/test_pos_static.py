"""server/pos_static.py: how the POS files are served (MIME, CSP, caching, service worker scope, no sources)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.pos_static import CSP, mount_pos


def _client(tmp_path: Path) -> TestClient:
    (tmp_path / "vendor" / "pyodide").mkdir(parents=True)
    (tmp_path / "index.html").write_text("<!doctype html><title>Caja</title>")
    (tmp_path / "sw.js").write_text("// sw")
    (tmp_path / "boot.mjs").write_text("export {}")
    (tmp_path / "pos.py").write_text("secret = 1")
    (tmp_path / "vendor" / "pyodide" / "pyodide.asm.wasm").write_bytes(b"\0asm")
    (tmp_path / "vendor" / "app-0123456789ab.zip").write_bytes(b"PK")
    app = FastAPI()

    @app.get("/api/health")
    def health() -> dict:
        return {"ok": True}

    mount_pos(app, tmp_path)
    return TestClient(app)


def test_the_pos_lives_under_pos_with_its_csp(tmp_path: Path) -> None:
    client = _client(tmp_path)
    root = client.get("/", follow_redirects=False)
    assert root.status_code == 307 and root.headers["location"] == "/pos/"
    page = client.get("/pos/")
    assert page.status_code == 200 and "Caja" in page.text
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self' 'wasm-unsafe-eval'" in CSP and "unsafe-eval'" not in CSP.replace("wasm-unsafe-eval'", "")
    assert "connect-src 'self'" in CSP
    assert client.get("/api/health").json() == {"ok": True}  # routes registered before the mount still win


def test_types_and_caching(tmp_path: Path) -> None:
    client = _client(tmp_path)
    wasm = client.get("/pos/vendor/pyodide/pyodide.asm.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.headers["cache-control"] == "no-cache"
    assert client.get("/pos/boot.mjs").headers["content-type"].startswith("text/javascript")
    zipped = client.get("/pos/vendor/app-0123456789ab.zip")
    assert "immutable" in zipped.headers["cache-control"]
    # The worker may take the origin's scope, so `/` opens the POS offline (it answers nothing under /erp or /api).
    assert client.get("/pos/sw.js").headers["service-worker-allowed"] == "/"


def test_python_sources_are_not_served(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert client.get("/pos/pos.py").status_code == 404
    assert client.get("/pos/.hidden").status_code == 404


def test_the_web_app_manifest_is_served_linked_and_opens_the_pos_it_came_from() -> None:
    """The real web/: "Add to home screen" needs the manifest linked from the shell, served as a manifest, with
    start_url and scope relative to it (so the installed app opens /pos/, or wherever the POS was installed from),
    standalone, and PNG icons of 192 and 512 px that exist."""
    import json
    import re

    web = Path(__file__).resolve().parents[2] / "web"
    app = FastAPI()
    mount_pos(app, web)
    client = TestClient(app)
    shell = client.get("/pos/").text
    assert re.search(r'<link rel="manifest" href="manifest.webmanifest">', shell)
    answer = client.get("/pos/manifest.webmanifest")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(answer.text)
    assert manifest["start_url"] == manifest["scope"] == "./" and manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        png = client.get(f"/pos/{icon['src']}")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        width, height = int.from_bytes(png.content[16:20], "big"), int.from_bytes(png.content[20:24], "big")
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes
    # The accessibility checker the e2e tests use lives in node_modules: the POS never serves it.
    assert client.get("/pos/node_modules/axe-core/axe.min.js").status_code == 404
    assert client.get("/pos/../node_modules/axe-core/axe.min.js").status_code == 404


def test_precompressed_variants_by_accept_encoding(tmp_path: Path) -> None:
    import gzip

    import brotli

    client = _client(tmp_path)
    wasm = tmp_path / "vendor" / "pyodide" / "pyodide.asm.wasm"
    body = b"\0asm" + bytes(range(256)) * 64
    wasm.write_bytes(body)
    (tmp_path / "vendor" / "pyodide" / "pyodide.asm.wasm.br").write_bytes(brotli.compress(body))
    (tmp_path / "vendor" / "pyodide" / "pyodide.asm.wasm.gz").write_bytes(gzip.compress(body, 9))
    url = "/pos/vendor/pyodide/pyodide.asm.wasm"
    etags = set()
    for accept, coding in [("gzip, deflate, br", "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip"),
                           ("identity", None)]:
        r = client.get(url, headers={"Accept-Encoding": accept})
        assert r.status_code == 200 and r.content == body  # the client decodes it back to the same bytes
        assert r.headers.get("content-encoding") == coding, accept
        assert r.headers["content-type"] == "application/wasm"
        if coding:  # the plain file's Vary comes from the app's GZipMiddleware (not mounted here)
            assert r.headers["vary"] == "Accept-Encoding"
        assert r.headers["content-security-policy"] == CSP
        etags.add(r.headers["etag"])
        # Revalidating the variant it holds costs no body.
        again = client.get(url, headers={"Accept-Encoding": accept, "If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert "content-encoding" not in again.headers
    assert len(etags) == 3, "each encoding has its own validator"
    assert int(client.get(url, headers={"Accept-Encoding": "br"}).headers["content-length"]) < len(body) / 4
