"""Configure an ERP's fiscal set-up for a test: a suite-made CSD for the demo shop's RFC, and a PAC."""
from __future__ import annotations

from server.db.engine import write_tx
from server.fiscal import store
from server.fiscal.certificate import check_csd
from server.fiscal.testcert import make_csd
from tests.server.harness import SECRET, Erp

SHOP_RFC = "EKU9003173C9"


def configure_csd(erp: Erp) -> None:
    cer, key, password = make_csd(SHOP_RFC, "ABARROTES LA ESPERANZA")
    info, der = check_csd(cer, key, password, SHOP_RFC)
    with write_tx(erp.engine) as conn:
        store.save_csd(conn, SECRET, info, cer, der)


def configure_pac(erp: Erp, url: str, token: str) -> None:
    with write_tx(erp.engine) as conn:
        store.save_pac(conn, SECRET, "swsapien", "", token, False, url)
