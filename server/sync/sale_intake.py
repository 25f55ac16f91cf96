"""A synced sale read and judged alone, before any database: its uuid, the hash that makes a replay
recognisable, poscore's verdict, and the ranges the database columns can hold; plus the shape of a rejection.

What it is for: `prepare(raw, terminal) -> Item` for each sale of a batch, outside any transaction (so the
write locks are held only for lookups and writes), and `rejected(uuid, code, **params)`, the one shape of a
refused record (contract: `error`, `params`, `message`) that sales, returns and shift records share.
What it must not do: read or write the database, or compute amounts (poscore.check_sale does).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from poscore.check import Problem
from poscore.messages import render, t
from poscore.sale import Sale, verified_sale

from .checks import MAX_ITEM_CHARS, SaleRejected, text_problem

INT32_MAX = 2**31 - 1
INT63_MAX = 2**63 - 1
# A trillion pesos (or kg): beyond any sale, and ×1000 still far inside a 64-bit column.
AMOUNT_LIMIT = Decimal(10) ** 12
PCT_SCALE = Decimal("0.0001")  # sale_lines.discount_pct is Scaled(4)


def hash_or_problem(raw: dict[str, Any]) -> tuple[str, str | None]:
    """(sha256 of the sale's canonical JSON, None), or ("", why the database cannot take its text) exactly
    as checks.text_problem says."""
    digest, problem, _text = digest_and_text(raw)
    return digest, problem


def digest_and_text(raw: dict[str, Any]) -> tuple[str, str | None, str]:
    """hash_or_problem's answer plus the canonical JSON text it hashed (stored as the record's body, so a sale is
    encoded once); the text is "" when there is a problem.

    One json.dumps answers both for an ordinary sale; text_problem's walk of every value cost as much as
    all the sale's SQL, so it runs only when the JSON text leaves a doubt. Why the shortcut is
    exact: the JSON of a value is never shorter than text_problem's count (each string's characters plus
    one per item), it writes a NUL as the escape \\u0000, and only a lone surrogate fails to encode.
    """
    try:
        canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except RecursionError:  # nesting deeper than the encoder goes: no sale looks like that
        return "", text_problem(raw) or "detail_too_nested", ""
    if len(canonical) <= MAX_ITEM_CHARS and "\\u0000" not in canonical:
        try:
            return hashlib.sha256(canonical.encode()).hexdigest(), None, canonical
        except UnicodeEncodeError:
            pass
    problem = text_problem(raw)
    if problem is not None:
        return "", problem, ""
    return hashlib.sha256(canonical.encode()).hexdigest(), None, canonical  # the text "\\u0000" itself, typed


def rejected(uuid: Any, code: str, **params: Any) -> dict[str, Any]:
    """A record's rejection (contract: `error` a code of poscore.messages, `params` what its text names, and
    `message` the Spanish text; server/api/errors.speak renders it in the request's language)."""
    # A uuid with a lone surrogate cannot even be echoed back (the JSON response is UTF-8): answer null.
    ok = isinstance(uuid, str) and text_problem(uuid) is None
    return {"uuid": uuid if ok else None, "status": "rejected", "error": code, "params": params,
            "message": render(code, "es", params)}


def rejection(uuid: Any, exc: SaleRejected) -> dict[str, Any]:
    return rejected(uuid, exc.code, **exc.params)


def problem_params(problem: Problem) -> dict[str, Any]:
    """A poscore.check_sale problem's parameters: what its message adds to the code's text (an expected amount),
    else the field it names."""
    extra = problem.message.removeprefix(t(problem.code)).strip().removeprefix("(").removesuffix(")")
    detail = extra or problem.field
    return {"detail": detail} if detail else {}


@dataclass
class Item:
    """One sale of the batch after the checks that need no database."""
    raw: Any
    uuid: Any
    result: dict[str, Any] | None = None  # answered before any lookup (no usable uuid, unstorable text)
    digest: str = ""
    body: str = ""  # the canonical JSON text that was hashed
    sale: Sale | None = None
    problem: SaleRejected | None = None  # answered unless the uuid is already known

    @property
    def creates_customer(self) -> bool:
        c = self.sale.customer if self.sale is not None else None
        return c is not None and c.id is None and c.uuid is not None


def prepare(raw: Any, terminal: Any) -> Item:
    uuid = raw.get("uuid") if isinstance(raw, dict) else None
    item = Item(raw, uuid)
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 36:
        item.result = rejected(uuid, "malformed", detail="uuid")
        return item
    item.digest, problem, item.body = digest_and_text(raw)
    if problem is not None:
        item.result = rejected(uuid, "malformed", detail=problem)
        return item
    try:
        item.sale = _verified(raw, terminal)
    except SaleRejected as exc:
        item.problem = exc
    return item


def _verified(raw: dict[str, Any], terminal: Any) -> Sale:
    try:
        problems, sale = verified_sale(raw)
    except ArithmeticError:
        # decimal.InvalidOperation from poscore's quantize on an amount like "1e30" (more than 28 digits).
        raise SaleRejected("invalid_amount", detail="detail_out_of_range") from None
    if problems:
        raise SaleRejected(problems[0].code, **problem_params(problems[0]))
    assert sale is not None  # verified_sale gives the sale whenever it finds no problem
    if sale.terminal != terminal.code:
        raise SaleRejected("terminal_mismatch")
    _check_id_ranges(sale)
    _check_amount_ranges(sale)
    return sale


def _check_id_ranges(sale: Sale) -> None:
    """Ids and sequences must fit the database's integer columns (else the driver fails with a 500)."""
    ids = [sale.price_list_id, *(line.product_id for line in sale.lines)]
    if sale.customer is not None and sale.customer.id is not None:
        ids.append(sale.customer.id)
    if not all(0 < i <= INT32_MAX for i in ids) or not 0 < sale.seq <= INT63_MAX:
        raise SaleRejected("malformed", detail="detail_id_out_of_range")


def _check_amount_ranges(sale: Sale) -> None:
    """Amounts and quantities must fit the 64-bit cents/thousandths columns (else a driver error, a 500)."""
    tot = sale.totals
    values = [tot.subtotal, tot.discount, tot.tax_total, tot.total, tot.paid, tot.change,
              *(p.amount for p in sale.payments)]
    for line in sale.lines:
        values += [line.qty, line.unit_price, line.amounts.subtotal, line.amounts.discount, line.amounts.total]
    if any(abs(v) >= AMOUNT_LIMIT for v in values):
        raise SaleRejected("invalid_amount", detail="detail_out_of_range")
    # discount_pct is stored with 4 decimals and the column refuses more (a ValueError, a 500); poscore
    # accepts "1e-400" or "0.00001" because they change no amount.
    if any(line.discount_pct != line.discount_pct.quantize(PCT_SCALE) for line in sale.lines):
        raise SaleRejected("invalid_discount", detail="detail_four_decimals")
