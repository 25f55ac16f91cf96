"""Which UsoCFDI a receptor may use: SAT catálogo c_UsoCFDI (CFDI 4.0), columns "Aplica para tipo persona"
and "Régimen Fiscal Receptor".

The SAT's XSD accepts any UsoCFDI with any régimen; the PAC then refuses the pair (Matriz de errores CFDI 4.0:
CFDI40161 "La clave del campo UsoCFDI debe corresponder con el tipo de persona y el régimen correspondiente
conforme al catálogo c_UsoCFDI"). The till checks it here so a cashier learns it before the customer leaves,
and the ERP runs the same check on every synced factura.

Must not: look anything up outside this table (no SAT registry, no network), or know about sales.
"""

from __future__ import annotations

_MERCANCIAS = frozenset({"601", "603", "606", "612", "620", "621", "622", "623", "624", "625", "626"})
_DEDUCCIONES = frozenset({"605", "606", "608", "611", "612", "614", "607", "615", "625"})
_SIN_EFECTOS = frozenset({"601", "603", "605", "606", "608", "610", "611", "612", "614", "616", "620", "621",
                          "622", "623", "624", "607", "615", "625", "626"})

# c_UsoCFDI, column "Régimen Fiscal Receptor" (catálogo vigente desde 2022-01-01).
REGIMENES_BY_USO: dict[str, frozenset[str]] = {
    "G01": _MERCANCIAS,
    "G02": _MERCANCIAS | {"616"},
    "G03": _MERCANCIAS,
    **{f"I0{n}": _MERCANCIAS for n in range(1, 9)},
    **{f"D{n:02d}": _DEDUCCIONES for n in range(1, 11)},
    "S01": _SIN_EFECTOS,
    "CP01": _SIN_EFECTOS,
    "CN01": frozenset({"605"}),
}

# c_UsoCFDI, column "Moral": "No" for personal deductions and nómina (a persona moral has no
# deducciones personales and receives no nómina).
FISICA_ONLY = frozenset({*(f"D{n:02d}" for n in range(1, 11)), "CN01"})


def uso_cfdi_problem(rfc: str | None, regimen_fiscal: str | None, uso_cfdi: str | None) -> str | None:
    """``"uso_cfdi_regimen"`` when c_UsoCFDI forbids this UsoCFDI for the régimen or the kind of person
    (a 12-character RFC is a persona moral); None when allowed or when a field is missing or unknown (the
    format checks report those)."""
    if not regimen_fiscal or not uso_cfdi or uso_cfdi not in REGIMENES_BY_USO:
        return None
    if regimen_fiscal not in REGIMENES_BY_USO[uso_cfdi]:
        return "uso_cfdi_regimen"
    if rfc is not None and len(rfc) == 12 and uso_cfdi in FISICA_ONLY:
        return "uso_cfdi_regimen"
    return None


def usos_for(regimen_fiscal: str) -> list[str]:
    """The UsoCFDI codes a receptor in this régimen may use, in catalogue order (for pickers)."""
    return [uso for uso, regimenes in REGIMENES_BY_USO.items() if regimen_fiscal in regimenes]
