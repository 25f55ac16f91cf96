"""poscore's QR encoder against python-qrcode (a satcfdi dependency, CPython only, so this lives outside
tests/core): the same modules for versions 1–10, levels L and M, every mask, ASCII and UTF-8 data."""
from __future__ import annotations

import pytest
import qrcode
from qrcode.util import MODE_8BIT_BYTE, QRData

from poscore.qr import qr_matrix

LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}


@pytest.mark.parametrize("data", ["x", "caja", "https://tienda.example.mx/autofactura?c=7K3PQ-M9XW2",
                                  "A" * 60, "é" * 40, "Z" * 120, "B" * 200])
@pytest.mark.parametrize("ecl", ["L", "M"])
def test_autofactura_qr_matches_python_qrcode(data: str, ecl: str) -> None:
    for mask in range(8):
        mine = qr_matrix(data, ecl, mask=mask)
        ref = qrcode.QRCode(version=(len(mine) - 17) // 4, error_correction=LEVELS[ecl], border=0,
                            mask_pattern=mask)
        ref.add_data(QRData(data.encode(), mode=MODE_8BIT_BYTE), optimize=0)
        ref.make(fit=False)
        assert [[bool(v) for v in row] for row in ref.modules] == mine
