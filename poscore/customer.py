"""Customers: the contract CUSTOMER record, RFC validation, "ready to invoice", offline search.

A factura (CFDI) needs the customer's RFC, régimen fiscal, código postal and uso de CFDI. RFC
format: 3 letters (persona moral, 12 chars) or 4 letters (persona física, 13 chars), a YYMMDD
date, and a 3-character homoclave. The generic RFCs XAXX010101000 (público en general) and
XEXX010101000 (extranjero) are well-formed but cannot receive a factura of their own.

Must not: talk to the SAT, or store anything (web/ and server/ keep customers).
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

from .text import normalize, words
from .uso_cfdi import uso_cfdi_problem

GENERIC_RFCS = ("XAXX010101000", "XEXX010101000")
_RFC_RE = re.compile(r"^([A-ZÑ&]{3,4})([0-9]{2})([0-9]{2})([0-9]{2})([A-Z0-9]{2}[A0-9])$")
_CP_RE = re.compile(r"^[0-9]{5}$")

# SAT catálogo c_RegimenFiscal (CFDI 4.0).
REGIMENES_FISCALES = frozenset({
    "601", "603", "605", "606", "607", "608", "610", "611", "612", "614", "615", "616",
    "620", "621", "622", "623", "624", "625", "626",
})
# SAT catálogo c_UsoCFDI (CFDI 4.0).
USOS_CFDI = frozenset({
    "G01", "G02", "G03", "I01", "I02", "I03", "I04", "I05", "I06", "I07", "I08",
    "D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D09", "D10", "S01", "CP01", "CN01",
})


class InvalidCustomer(ValueError):
    """A CUSTOMER dict with a missing or wrongly typed field."""


def normalize_rfc(rfc: str) -> str:
    """Upper-case and strip spaces and dashes, as people type RFCs in many ways."""
    return re.sub(r"[\s-]+", "", rfc).upper()


def validate_rfc(rfc: str | None) -> str | None:
    """Check an RFC's format (after ``normalize_rfc``). Returns ``None`` if valid, else ``"invalid_rfc"``.

    Generic RFCs are valid here; ``factura_ready`` refuses them for invoicing.
    """
    if not isinstance(rfc, str):
        return "invalid_rfc"
    m = _RFC_RE.match(normalize_rfc(rfc))
    if not m:
        return "invalid_rfc"
    month, day = int(m.group(3)), int(m.group(4))
    # The year has two digits, so 29 Feb is accepted for any year divisible by 4 (00 included).
    days = (31, 29 if int(m.group(2)) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if not 1 <= month <= 12 or not 1 <= day <= days[month - 1]:
        return "invalid_rfc"
    return None


def is_persona_moral(rfc: str) -> bool:
    """True for a 12-character (company) RFC."""
    return len(normalize_rfc(rfc)) == 12


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as the ERP sends it (contract CUSTOMER) or as created offline (``id`` None)."""

    name: str
    id: int | None = None
    uuid: str | None = None
    rfc: str | None = None
    regimen_fiscal: str | None = None
    codigo_postal: str | None = None
    uso_cfdi: str | None = None
    email: str | None = None
    price_list_id: int | None = None
    active: bool = True
    version: int = 0
    # IEPS broken out on this buyer's tickets and CFDIs (LIEPS art. 19 fr. II: only when the buyer asks);
    # otherwise it is folded into the prices (``tax.fold_ieps``).
    ieps_breakdown: bool = False

    @classmethod
    def from_json(cls, data: dict) -> Customer:
        """Read a contract CUSTOMER (or the customer embedded in a SALE). Raises ``ValueError``."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise ValueError(f"malformed customer: {data!r}")  # noqa: TRY004 - callers catch ValueError

        def opt_str(key: str) -> str | None:
            value = data.get(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise InvalidCustomer(f"malformed customer field {key}: {value!r}")
            return value

        def opt_int(key: str) -> int | None:
            value = data.get(key)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidCustomer(f"malformed customer field {key}: {value!r}")
            return value

        rfc = opt_str("rfc")
        return cls(
            name=data["name"],
            id=opt_int("id"),
            uuid=opt_str("uuid"),
            rfc=normalize_rfc(rfc) if rfc else None,
            regimen_fiscal=opt_str("regimen_fiscal"),
            codigo_postal=opt_str("codigo_postal"),
            uso_cfdi=opt_str("uso_cfdi"),
            email=opt_str("email"),
            price_list_id=opt_int("price_list_id"),
            active=bool(data.get("active", True)),
            version=opt_int("version") or 0,
            ieps_breakdown=data.get("ieps_breakdown") is True,
        )

    def to_json(self) -> dict:
        """The full contract CUSTOMER."""
        return {"id": self.id, "uuid": self.uuid, "name": self.name, "rfc": self.rfc,
                "regimen_fiscal": self.regimen_fiscal, "codigo_postal": self.codigo_postal,
                "uso_cfdi": self.uso_cfdi, "email": self.email, "price_list_id": self.price_list_id,
                "active": self.active, "version": self.version, **self._breakdown_json()}

    def to_sale_json(self) -> dict:
        """The customer as it travels inside a SALE (contract: id, uuid and fiscal data)."""
        return {"id": self.id, "uuid": self.uuid, "name": self.name, "rfc": self.rfc,
                "regimen_fiscal": self.regimen_fiscal, "codigo_postal": self.codigo_postal,
                "uso_cfdi": self.uso_cfdi, "email": self.email, **self._breakdown_json()}

    def _breakdown_json(self) -> dict:
        # Only when asked for, so customers and sales from before the setting keep their exact shape.
        return {"ieps_breakdown": True} if self.ieps_breakdown else {}


def customer_problems(customer: Customer) -> list[str]:
    """Format problems in whatever fiscal data a customer has (empty fields are fine here), and a UsoCFDI
    that c_UsoCFDI forbids for the customer's régimen (``uso_cfdi_regimen``)."""
    problems = []
    if not customer.name.strip():
        problems.append("customer_name_required")
    if customer.rfc is not None and validate_rfc(customer.rfc):
        problems.append("invalid_rfc")
    if customer.regimen_fiscal is not None and customer.regimen_fiscal not in REGIMENES_FISCALES:
        problems.append("invalid_regimen_fiscal")
    if customer.codigo_postal is not None and not _CP_RE.match(customer.codigo_postal):
        problems.append("invalid_codigo_postal")
    if customer.uso_cfdi is not None and customer.uso_cfdi not in USOS_CFDI:
        problems.append("invalid_uso_cfdi")
    if not problems and (mismatch := uso_cfdi_problem(customer.rfc, customer.regimen_fiscal,
                                                      customer.uso_cfdi)) is not None:
        problems.append(mismatch)
    return problems


def factura_ready(customer: Customer | None) -> list[str]:
    """Reason codes why this customer cannot receive a factura; empty when ready.

    ``factura_customer_incomplete`` when a required field is missing, ``rfc_generic`` for the
    público-en-general RFCs, plus any format problem from ``customer_problems``.
    """
    if customer is None:
        return ["factura_customer_incomplete"]
    problems = []
    if not (customer.rfc and customer.regimen_fiscal and customer.codigo_postal and customer.uso_cfdi):
        problems.append("factura_customer_incomplete")
    if customer.rfc in GENERIC_RFCS:
        problems.append("rfc_generic")
    problems.extend(customer_problems(customer))
    return problems


class CustomerIndex:
    """Offline customer search by name or RFC (accent- and case-insensitive), small and simple.

    Customers are few compared with products, so a linear scan over normalized strings is enough.
    ``add`` takes contract CUSTOMER dicts (or ``Customer``) page by page; later ones replace earlier
    ones with the same id (or uuid for customers created offline); inactive ones drop out.
    """

    def __init__(self) -> None:
        self._items: dict[object, tuple[Customer, str]] = {}

    def add(self, customers: list) -> None:
        for item in customers:
            c = item if isinstance(item, Customer) else Customer.from_json(item)
            key = c.id if c.id is not None else c.uuid
            if not c.active:
                self._items.pop(key, None)
                continue
            haystack = normalize(c.name) + " " + (c.rfc or "").lower()
            self._items[key] = (c, haystack)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: int | str) -> Customer | None:
        """By ERP id or, for offline customers, by uuid."""
        found = self._items.get(key)
        return found[0] if found else None

    def search(self, query: str, limit: int = 20) -> list[Customer]:
        """Customers whose name or RFC contains every word of ``query``; name prefixes first."""
        ws = words(query)
        if not ws:
            return []
        q = normalize(query)
        rfc = q.replace(" ", "")
        hits = ((0 if hay.startswith(q) or (c.rfc or "").lower() == rfc else 1, hay, c)
                for c, hay in self._items.values() if all(w in hay for w in ws))
        # The best `limit` without a list of every hit: one letter matches most customers, and that list (a tuple
        # per customer) was a passing allocation as large as the picker's whole redraw. Same order as sorting all.
        return [c for _, _, c in heapq.nsmallest(limit, hits, key=lambda h: (h[0], h[1]))]
