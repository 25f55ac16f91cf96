"""A QR code encoder (ISO/IEC 18004) in pure Python: byte mode, versions 1–10, error correction L or M.

What it is for: the self-invoicing QR printed on a remisión's ticket, made at the till with no network and no
dependency (the browser runs this through Pyodide). `qr_matrix(data, ecl)` → rows of booleans (dark = True),
`qr_svg(matrix)` → a small SVG document. The construction follows the standard step by step: data bits (mode
indicator, character count, bytes, terminator, pad codewords 0xEC/0x11), Reed–Solomon over GF(256) with the
polynomial 0x11D per block, interleaving, function patterns (finders, timing, alignment, format and version
information with their BCH codes), the zigzag placement and the mask with the lowest penalty.
What it must not do: read or write anything, or know what the data means.
"""

from __future__ import annotations

# Per version 1..10 (index 0 unused): error-correction codewords per block and number of blocks (ISO/IEC
# 18004 table 9).
_ECC_PER_BLOCK = {"L": (0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18), "M": (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26)}
_BLOCKS = {"L": (0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4), "M": (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5)}
_FORMAT_ECL = {"L": 1, "M": 0}
MAX_VERSION = 10
_MASKS = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)


class QrTooLong(ValueError):
    pass


def _raw_modules(ver: int) -> int:
    """Modules left for data and error correction once the function patterns are drawn."""
    result = (16 * ver + 128) * ver + 64
    if ver >= 2:
        n = ver // 7 + 2
        result -= (25 * n - 10) * n - 55
        if ver >= 7:
            result -= 36
    return result


def _data_codewords(ver: int, ecl: str) -> int:
    return _raw_modules(ver) // 8 - _ECC_PER_BLOCK[ecl][ver] * _BLOCKS[ecl][ver]


def _gf_mul(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_mul(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_mul(root, 0x02)
    return result


def _rs_remainder(data: list[int], divisor: list[int]) -> list[int]:
    result = [0] * len(divisor)
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_mul(coef, factor)
    return result


def _codewords(data: bytes, ver: int, ecl: str) -> list[int]:
    bits: list[int] = []

    def put(value: int, n: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(n)))

    put(0b0100, 4)  # byte mode
    put(len(data), 8 if ver <= 9 else 16)
    for b in data:
        put(b, 8)
    capacity = _data_codewords(ver, ecl) * 8
    put(0, min(4, capacity - len(bits)))  # terminator
    put(0, -len(bits) % 8)
    out = [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(out) < capacity // 8:
        out.append(pad)
        pad ^= 0xEC ^ 0x11
    # Split into blocks (the short ones first), add each block's error correction, interleave.
    nblocks, ecc_len = _BLOCKS[ecl][ver], _ECC_PER_BLOCK[ecl][ver]
    raw = _raw_modules(ver) // 8
    nshort, short_len = nblocks - raw % nblocks, raw // nblocks
    divisor = _rs_divisor(ecc_len)
    blocks, k = [], 0
    for i in range(nblocks):
        dat = out[k:k + short_len - ecc_len + (0 if i < nshort else 1)]
        k += len(dat)
        ecc = _rs_remainder(dat, divisor)
        if i < nshort:
            dat.append(0)
        blocks.append(dat + ecc)
    return [blk[i] for i in range(len(blocks[0])) for j, blk in enumerate(blocks)
            if i != short_len - ecc_len or j >= nshort]


class _Grid:
    def __init__(self, ver: int) -> None:
        self.ver = ver
        self.size = ver * 4 + 17
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]

    def fn(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.fn(6, i, i % 2 == 0)
            self.fn(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        dist = max(abs(dx), abs(dy))
                        self.fn(x, y, dist not in (2, 4))
        positions = self._alignment_positions()
        last = len(positions) - 1
        for i, ax in enumerate(positions):
            for j, ay in enumerate(positions):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue  # those corners are the finders
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.fn(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format(0, "M")  # reserved now, written for real after masking
        if self.ver >= 7:
            rem = self.ver
            for _ in range(12):
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
            bits = self.ver << 12 | rem
            for i in range(18):
                bit = (bits >> i) & 1 == 1
                a, b = size - 11 + i % 3, i // 3
                self.fn(a, b, bit)
                self.fn(b, a, bit)

    def _alignment_positions(self) -> list[int]:
        if self.ver == 1:
            return []
        n = self.ver // 7 + 2
        step = (self.ver * 8 + n * 3 + 5) // (n * 4 - 4) * 2
        return list(reversed([self.size - 7 - i * step for i in range(n - 1)] + [6]))

    def draw_format(self, mask: int, ecl: str) -> None:
        data = _FORMAT_ECL[ecl] << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        size = self.size
        for i in range(6):
            self.fn(8, i, bit(i))
        self.fn(8, 7, bit(6))
        self.fn(8, 8, bit(7))
        self.fn(7, 8, bit(8))
        for i in range(9, 15):
            self.fn(14 - i, 8, bit(i))
        for i in range(8):
            self.fn(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.fn(8, size - 15 + i, bit(i))
        self.fn(8, size - 8, True)  # the dark module

    def place(self, codewords: list[int]) -> None:
        size, i, total = self.size, 0, len(codewords) * 8
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5  # the vertical timing pattern is skipped
            for vert in range(size):
                for j in range(2):
                    x = right - j
                    upward = ((right + 1) & 2) == 0
                    y = size - 1 - vert if upward else vert
                    if not self.function[y][x] and i < total:
                        self.dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        test = _MASKS[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and test(x, y):
                    self.dark[y][x] = not self.dark[y][x]


def _penalty(m: list[list[bool]]) -> int:
    """Rules 1 (runs of five or more), 2 (2×2 blocks) and 4 (dark/light balance) of the standard; rule 3
    (finder-like patterns) is left out: any mask decodes, the penalty only picks a pleasant one."""
    size, score = len(m), 0
    for line in [*m, *zip(*m, strict=True)]:
        run, prev = 0, None
        for v in line:
            if v == prev:
                run += 1
                if run == 5:
                    score += 3
                elif run > 5:
                    score += 1
            else:
                run, prev = 1, v
    for y in range(size - 1):
        for x in range(size - 1):
            if m[y][x] == m[y][x + 1] == m[y + 1][x] == m[y + 1][x + 1]:
                score += 3
    dark = sum(map(sum, m))
    total = size * size
    score += ((abs(dark * 20 - total * 10) + total - 1) // total - 1) * 10
    return score


def qr_matrix(data: str | bytes, ecl: str = "M", mask: int | None = None,
              version: int | None = None) -> list[list[bool]]:
    """The modules of the smallest QR code (byte mode) holding ``data``; raises ``QrTooLong`` past version 10."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    header_bits = 4 + 8
    ver = version or next((v for v in range(1, MAX_VERSION + 1)
                           if header_bits + (8 if v >= 10 else 0) + len(raw) * 8 <= _data_codewords(v, ecl) * 8),
                          0)
    if not ver:
        raise QrTooLong(f"{len(raw)} bytes do not fit a version {MAX_VERSION} QR code")
    codewords = _codewords(raw, ver, ecl)
    best: tuple[int, list[list[bool]]] | None = None
    for m in range(8) if mask is None else (mask,):
        grid = _Grid(ver)
        grid.draw_function_patterns()
        grid.place(codewords)
        grid.apply_mask(m)
        grid.draw_format(m, ecl)
        score = _penalty(grid.dark) if mask is None else 0
        if best is None or score < best[0]:
            best = (score, grid.dark)
    assert best is not None
    return best[1]


def qr_svg(matrix: list[list[bool]], module: int = 4, border: int = 4) -> str:
    """An SVG of the matrix: one path of unit squares, crisp edges, a white quiet zone of ``border`` modules."""
    size = len(matrix) + 2 * border
    path = "".join(f"M{x + border} {y + border}h1v1h-1z" for y, row in enumerate(matrix)
                   for x, dark in enumerate(row) if dark)
    px = size * module
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>')
