"""The régimen–UsoCFDI matrix (SAT c_UsoCFDI) as the till and the ERP apply it."""

from poscore.customer import Customer, customer_problems, factura_ready
from poscore.uso_cfdi import REGIMENES_BY_USO, uso_cfdi_problem, usos_for

PERSONA = "PEJJ800101AB1"
EMPRESA = "EKU9003173C9"


def test_sin_obligaciones_cannot_take_g01_but_can_take_s01() -> None:
    # The XSD accepts G01 with 616; the PAC answers CFDI40161. The till must refuse first.
    assert uso_cfdi_problem(PERSONA, "616", "G01") == "uso_cfdi_regimen"
    assert uso_cfdi_problem(PERSONA, "616", "G03") == "uso_cfdi_regimen"
    assert uso_cfdi_problem(PERSONA, "616", "S01") is None
    assert uso_cfdi_problem(PERSONA, "616", "G02") is None  # G02 lists 616


def test_worked_rows_of_the_catalogue() -> None:
    assert uso_cfdi_problem(EMPRESA, "601", "G03") is None
    assert uso_cfdi_problem(PERSONA, "626", "G03") is None  # RESICO
    assert uso_cfdi_problem(PERSONA, "605", "G03") == "uso_cfdi_regimen"  # sueldos y salarios
    assert uso_cfdi_problem(PERSONA, "605", "D01") is None
    assert uso_cfdi_problem(PERSONA, "605", "CN01") is None
    assert uso_cfdi_problem(PERSONA, "612", "CN01") == "uso_cfdi_regimen"


def test_personal_deductions_are_for_personas_fisicas_only() -> None:
    # 606 (arrendamiento) may take D01, but a 12-character RFC is a persona moral.
    assert uso_cfdi_problem(PERSONA, "606", "D01") is None
    assert uso_cfdi_problem("ABC010101AB1", "606", "D01") == "uso_cfdi_regimen"


def test_missing_or_unknown_fields_are_left_to_the_format_checks() -> None:
    assert uso_cfdi_problem(None, None, "G03") is None
    assert uso_cfdi_problem(PERSONA, "612", None) is None
    assert uso_cfdi_problem(PERSONA, "612", "ZZZ") is None


def test_every_uso_of_the_catalogue_has_a_row() -> None:
    from poscore.customer import USOS_CFDI
    assert set(REGIMENES_BY_USO) == set(USOS_CFDI)
    assert usos_for("616") == ["G02", "S01", "CP01"]


def test_customer_checks_and_factura_ready_refuse_the_pair() -> None:
    c = Customer("Juan", rfc=PERSONA, regimen_fiscal="616", codigo_postal="06000", uso_cfdi="G01")
    assert "uso_cfdi_regimen" in customer_problems(c)
    assert "uso_cfdi_regimen" in factura_ready(c)
    ok = Customer("Juan", rfc=PERSONA, regimen_fiscal="612", codigo_postal="06000", uso_cfdi="G01")
    assert factura_ready(ok) == []
