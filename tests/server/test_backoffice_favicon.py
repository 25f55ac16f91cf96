"""The back office has an icon: /favicon.ico (what browsers ask the origin for) and the SVG its pages name."""
from __future__ import annotations

from tests.server.harness import Erp


def test_favicon_is_served_from_our_own_origin(erp: Erp) -> None:
    r = erp.client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header: reserved 0, type 1 (icon)
    login = erp.client.get("/erp/login").text
    assert '<link rel="icon" href="/erp/static/favicon.svg" type="image/svg+xml">' in login
    svg = erp.client.get("/erp/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "http" not in svg.text.replace("http://www.w3.org/2000/svg", "")  # nothing fetched from elsewhere
