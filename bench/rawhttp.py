"""The least client CPU one HTTP/1.1 request can cost: a kept-alive connection over asyncio streams, the request's
bytes built before the clock starts, the answer read as bytes (status, headers, body) and parsed by the caller
after it stops.

What it is for: the 200-till sales wave, whose tills are 200 devices in a shop but here share the ERP's two
cores with the bench. httpx spent about one core for the wave's 200 requests (its request building, header
models and response decoding), CPU the ERP then did not have; this client spends a fraction of it, so the figure
says more about the ERP and less about the bench.
What it must NOT do: follow redirects, decompress, speak TLS or HTTP/2, or send anywhere but the URL it is given
(a plain http://host:port of this machine).
"""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class Connection:
    """One kept-alive connection to `url` (http://host:port)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"plain http://host:port only: {url!r}")
        self.host, self.port = parts.hostname, parts.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def request_bytes(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        """Send a request built by `request_bytes`; the status and the body (Content-Length or chunked)."""
        assert self.reader is not None and self.writer is not None, "open() first"
        self.writer.write(raw)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked = None, False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:  # the last chunk, then trailers up to an empty line
                    while await self.reader.readuntil(b"\r\n") != b"\r\n":
                        pass
                    return status, bytes(body)
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
        if length is None:
            raise ValueError("an answer without Content-Length or chunked body")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
