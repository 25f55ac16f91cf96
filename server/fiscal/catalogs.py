"""SAT catalogues shipped in satcfdi's database: is a ClaveProdServ or ClaveUnidad a real SAT key?

What it is for: the product form and the CSV import refuse a key the PAC would refuse (c_ClaveProdServ,
c_ClaveUnidad of CFDI 4.0). What it must not do: download catalogues (satcfdi's wheel carries them) or guess.
"""
from __future__ import annotations

from functools import lru_cache

from satcfdi.catalogs import select


@lru_cache(maxsize=4096)
def clave_prod_serv_ok(code: str) -> bool:
    return len(code) == 8 and code.isdigit() and select("C756_c_ClaveProdServ", code) is not None


@lru_cache(maxsize=1024)
def clave_unidad_ok(code: str) -> bool:
    return 0 < len(code) <= 3 and code.isalnum() and select("C756_c_ClaveUnidad", code) is not None
