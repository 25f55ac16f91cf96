"""The Spanish (es-MX) and English texts for every reason code and UI label poscore emits, and for every refusal
the ERP answers (its API's rejections and its back office's refusals to cancel or undo).

``t(code, lang="es", **params)`` is how both sides turn a code into words. A refusal travels as a code and its
parameters, never words: the ERP answers ``{"error": code, "params": {...}, "message": render(code, lang,
params)}`` and the POS and the back office show ``render(code, lang, params)`` in their reader's language.
poscore's refusals are ``CodedError``s: they carry the code and its parameters, and the edge that shows one renders
it with ``exc.text(lang)`` (the English till says "Not enough stock", not the Spanish text). An unknown code comes
back unchanged (a missing text must never crash a sale); an unknown language falls back to Spanish. Every code
has a Spanish and an English text naming the same parameters (tests/core/test_messages.py, and
tests/server/test_error_codes.py for the codes the ERP emits).

Must not: hold business rules, or texts that only one side uses for its own pages (those live in
web/ or server/ templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

LANGS = ("es", "en")

ES: dict[str, str] = {
    # cart refusals
    "product_not_found": "Producto no encontrado",
    "product_inactive": "Producto inactivo: no se puede vender",
    "no_price": "El producto no tiene precio en esta lista",
    "out_of_stock": "Sin existencia",
    "insufficient_stock": "Existencia insuficiente: quedan {available}",
    "not_sellable": "El producto no se puede vender",
    "invalid_quantity": "Cantidad no válida",
    "invalid_discount": "Descuento no válido (0 a 100 %)",
    "line_not_found": "Esa línea ya no está en la venta",
    "empty_cart": "La venta no tiene productos",
    # payments
    "unpaid": "Falta por pagar {missing}",
    "overpaid_non_cash": "Con tarjeta o transferencia no se puede pagar de más",
    "invalid_amount": "Importe no válido",
    "unknown_payment_method": "Forma de pago desconocida",
    # customers
    "invalid_rfc": "RFC no válido",
    "rfc_generic": "El RFC genérico no sirve para factura",
    "invalid_regimen_fiscal": "Régimen fiscal no válido",
    "invalid_codigo_postal": "Código postal no válido (5 dígitos)",
    "invalid_uso_cfdi": "Uso de CFDI no válido",
    "uso_cfdi_regimen": "El uso de CFDI no corresponde al régimen fiscal del cliente (catálogo c_UsoCFDI del SAT)",
    "customer_name_required": "Falta el nombre del cliente",
    "factura_customer_incomplete": "Para facturar, el cliente necesita RFC, régimen fiscal, código postal y uso de CFDI",
    # sale checks (the ERP answers these codes)
    "malformed": "Venta mal formada",
    "unsupported_version": "Versión de venta no soportada",
    "invalid_price": "Precio no válido",
    "invalid_sale_type": "Tipo de venta no válido",
    "invalid_tax": "Esquema de impuestos no válido",
    "number_mismatch": "El número de venta no corresponde a la terminal y secuencia",
    "totals_mismatch": "Los totales no cuadran con las líneas",
    "return_exceeds": "Se devuelve más de lo vendido menos lo ya devuelto",
    "return_stale": "Otra devolución de esta venta llegó antes; vuelva a calcular la devolución",
    "return_no_reason": "La devolución necesita un motivo",
    "return_sale_unknown": "La venta que se devuelve no existe",
    "return_line_unknown": "La línea devuelta no existe en la venta",
    "return_empty": "La devolución no tiene líneas",
    "unknown_refund_method": "Forma de reembolso desconocida",
    "payments_mismatch": "Los pagos o el cambio no cuadran",
    "invalid_transition": "Cambio de estado no permitido",
    # codes only the ERP can decide (it checks against its database); the POS shows them on rejected records
    "price_mismatch": "El precio no corresponde a la lista de precios de la terminal",
    "price_list_mismatch": "La lista de precios no es la de la terminal",
    "tax_mismatch": "Los impuestos no corresponden a los del producto",
    "unit_mismatch": "La unidad no corresponde a la del producto",
    "terminal_mismatch": "El registro es de otra terminal",
    "customer_not_found": "Cliente no encontrado",
    "uuid_conflict": "Ya existe otro registro con este identificador; se conserva el original",
    "batch_too_large": "Demasiados registros en un envío: máximo {max}",
    "unauthorized": "Terminal no autorizada: vuelva a vincularla",
    "pairing_code_invalid": "Código de vinculación no válido, ya usado o vencido",
    "too_many_attempts": "Demasiados intentos fallidos; espere un minuto",
    "sale_cancelled": "La venta fue cancelada en el ERP; no se puede devolver",
    "unknown_cashier": "El cajero no existe o no es de esta tienda",
    "not_supervisor": "Quien autorizó no es supervisor",
    "shift_mismatch": "El turno es de otra terminal",
    "retry_later": "Conflicto al guardar; reintente más tarde",
    # the API's answers to a request it cannot take at all
    "malformed_json": "El cuerpo no es JSON válido",
    "invalid_request": "Datos inválidos",
    "bad_request": "Solicitud inválida",
    "forbidden": "Acceso denegado",
    "not_found": "No encontrado",
    "method_not_allowed": "Método no permitido",
    "body_too_large": "La solicitud es demasiado grande",
    "http_error": "Error HTTP {http_status}",
    "internal_error": "Error interno del servidor; intente más tarde",
    # what a rejection adds in parentheses (render): where, and why in more words
    "at_line": "línea {line}: {product}",
    "at_price": "precio {price}",
    "detail_nul": "carácter nulo en el texto",
    "detail_not_utf8": "texto que no es UTF-8 válido",
    "detail_too_large": "demasiado grande",
    "detail_too_nested": "demasiado anidado",
    "detail_out_of_range": "fuera de rango",
    "detail_id_out_of_range": "id fuera de rango",
    "detail_four_decimals": "más de 4 decimales",
    "detail_old_format": "formato antiguo",
    "detail_includes_tax": "la venta no indica si los precios incluyen impuestos como su lista",
    "detail_not_terminal_or_customer": "ni de la terminal ni del cliente",
    "detail_other_terminal_sale": "la venta cancelada es de otra terminal",
    # the back office's refusals to cancel a sale or undo a return
    "cancel_reason_required": "Escriba el motivo de la cancelación",
    "sale_not_found": "La venta no existe",
    "sale_already_cancelled": "La venta ya está cancelada",
    "sale_has_returns": "La venta tiene devoluciones: deshágalas antes de cancelarla",
    "sat_motive_required": "Elija el motivo de cancelación del SAT (01–04)",
    "undo_reason_required": "Escriba el motivo",
    "return_not_found": "La devolución no existe",
    "return_already_undone": "La devolución ya se deshizo",
    "egreso_motive_required": "Elija el motivo de cancelación del SAT (01–04) para el CFDI de egreso",
    "cfdi_cancel_failed": "No se pudo cancelar el CFDI",
    # sale types and local states
    "remision": "Remisión",
    "factura": "Factura",
    "pending": "Pendiente",
    "syncing": "Enviando",
    "synced": "Sincronizada",
    "rejected": "Rechazada",
    "cancelled": "Cancelada",
    # payment methods
    "efectivo": "Efectivo",
    "transferencia": "Transferencia",
    "tarjeta_credito": "Tarjeta de crédito",
    "tarjeta_debito": "Tarjeta de débito",
    # ticket labels
    "ticket_rfc": "RFC",
    "ticket_regimen": "Régimen",
    "ticket_number": "Venta",
    "ticket_folio": "Folio",
    "ticket_date": "Fecha",
    "ticket_cashier": "Cajero",
    "ticket_customer": "Cliente",
    "ticket_discount": "Descuento",
    "ticket_subtotal": "Subtotal",
    "ticket_total": "TOTAL",
    "ticket_paid": "Pagado",
    "ticket_change": "Cambio",
    "ticket_exento": "exento",
    "ticket_items": "Artículos",
    "ticket_footer": "¡Gracias por su compra!",
    "ticket_not_fiscal": "Este ticket no es un comprobante fiscal",
    "ticket_autofactura": "Facture su compra en:",
    "ticket_code": "Código",
    "ticket_uuid": "Folio fiscal (UUID)",
    "ticket_cfdi_pending": "Factura en proceso de timbrado",
    "ticket_pending_folio": "Folio pendiente de sincronizar",
    "ticket_return": "DEVOLUCIÓN",
    "ticket_return_of": "Devolución de la venta",
    "ticket_return_reason": "Motivo",
    "ticket_return_refund": "Reembolso",
    "ticket_return_authorized": "Autorizó",
    "ticket_return_footer": "Conserve este comprobante de su devolución",
    "corte_x": "Corte X",
    "corte_z": "Corte Z",
    "corte_terminal": "Terminal",
    "corte_opened": "Apertura",
    "corte_at": "Corte",
    "corte_float": "Fondo",
    "corte_entradas": "Entradas",
    "corte_salidas": "Salidas",
    "corte_refunds": "Devoluciones en efectivo",
    "corte_expected": "Esperado",
    "corte_counted": "Contado",
    "corte_difference": "Diferencia",
    "corte_x_note": "Lectura: el turno sigue abierto",
    "invalid_count": "Conteo de efectivo no válido",
    "count_mismatch": "El conteo por denominación no suma el efectivo contado",
    "pin_format": "El PIN debe tener de 4 a 8 dígitos",
    "pin_trivial": "PIN demasiado fácil: evite repetir o seguir dígitos",
    # units
    "pieza": "pieza",
    "kg": "kg",
}

EN: dict[str, str] = {
    "product_not_found": "Product not found",
    "product_inactive": "Inactive product: cannot be sold",
    "no_price": "The product has no price in this price list",
    "out_of_stock": "Out of stock",
    "insufficient_stock": "Not enough stock: {available} left",
    "not_sellable": "The product cannot be sold",
    "invalid_quantity": "Invalid quantity",
    "invalid_discount": "Invalid discount (0 to 100 %)",
    "line_not_found": "That line is no longer in the sale",
    "empty_cart": "The sale has no products",
    "unpaid": "Still to pay: {missing}",
    "overpaid_non_cash": "Card or transfer payments cannot exceed the total",
    "invalid_amount": "Invalid amount",
    "unknown_payment_method": "Unknown payment method",
    "invalid_rfc": "Invalid RFC",
    "rfc_generic": "The generic RFC cannot be used for an invoice",
    "invalid_regimen_fiscal": "Invalid tax regime",
    "invalid_codigo_postal": "Invalid postal code (5 digits)",
    "invalid_uso_cfdi": "Invalid CFDI use",
    "uso_cfdi_regimen": "The CFDI use does not match the customer's tax regime (SAT catalogue c_UsoCFDI)",
    "customer_name_required": "The customer's name is missing",
    "factura_customer_incomplete": "To invoice, the customer needs RFC, tax regime, postal code and CFDI use",
    "malformed": "Malformed sale",
    "unsupported_version": "Unsupported sale version",
    "invalid_price": "Invalid price",
    "invalid_sale_type": "Invalid sale type",
    "invalid_tax": "Invalid tax scheme",
    "number_mismatch": "The sale number does not match the terminal and sequence",
    "totals_mismatch": "The totals do not match the lines",
    "return_exceeds": "Returning more than was sold minus what was already returned",
    "return_stale": "Another return of this sale arrived first; compute the return again",
    "return_no_reason": "A return needs a reason",
    "return_sale_unknown": "The sale being returned does not exist",
    "return_line_unknown": "The returned line is not in the sale",
    "return_empty": "The return has no lines",
    "unknown_refund_method": "Unknown refund method",
    "payments_mismatch": "Payments or change do not add up",
    "invalid_transition": "State change not allowed",
    "price_mismatch": "The price is not in the terminal's price list",
    "price_list_mismatch": "The price list is not the terminal's",
    "tax_mismatch": "The taxes do not match the product's",
    "unit_mismatch": "The unit does not match the product's",
    "terminal_mismatch": "The record belongs to another terminal",
    "customer_not_found": "Customer not found",
    "uuid_conflict": "Another record already has this id; the original is kept",
    "batch_too_large": "Too many records in one batch: at most {max}",
    "unauthorized": "Terminal not authorized: pair it again",
    "pairing_code_invalid": "Pairing code invalid, already used or expired",
    "too_many_attempts": "Too many failed attempts; wait a minute",
    "sale_cancelled": "The sale was cancelled in the ERP; it cannot be returned",
    "unknown_cashier": "The cashier does not exist or is not of this shop",
    "not_supervisor": "Whoever authorized is not a supervisor",
    "shift_mismatch": "The shift belongs to another terminal",
    "retry_later": "Conflict while saving; try again later",
    "malformed_json": "The body is not valid JSON",
    "invalid_request": "Invalid data",
    "bad_request": "Bad request",
    "forbidden": "Access denied",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "body_too_large": "The request is too large",
    "http_error": "HTTP error {http_status}",
    "internal_error": "Internal server error; try again later",
    "at_line": "line {line}: {product}",
    "at_price": "price {price}",
    "detail_nul": "null character in the text",
    "detail_not_utf8": "text that is not valid UTF-8",
    "detail_too_large": "too large",
    "detail_too_nested": "nested too deep",
    "detail_out_of_range": "out of range",
    "detail_id_out_of_range": "id out of range",
    "detail_four_decimals": "more than 4 decimals",
    "detail_old_format": "old format",
    "detail_includes_tax": "the sale does not say whether prices include tax as its list does",
    "detail_not_terminal_or_customer": "neither the terminal's nor the customer's",
    "detail_other_terminal_sale": "the cancelled sale belongs to another terminal",
    "cancel_reason_required": "Write the reason for the cancellation",
    "sale_not_found": "The sale does not exist",
    "sale_already_cancelled": "The sale is already cancelled",
    "sale_has_returns": "The sale has returns: undo them before cancelling it",
    "sat_motive_required": "Choose the SAT cancellation reason (01–04)",
    "undo_reason_required": "Write the reason",
    "return_not_found": "The return does not exist",
    "return_already_undone": "The return was already undone",
    "egreso_motive_required": "Choose the SAT cancellation reason (01–04) for the egreso CFDI",
    "cfdi_cancel_failed": "The CFDI could not be cancelled",
    "remision": "Delivery note",
    "factura": "Invoice",
    "pending": "Pending",
    "syncing": "Sending",
    "synced": "Synced",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
    "efectivo": "Cash",
    "transferencia": "Transfer",
    "tarjeta_credito": "Credit card",
    "tarjeta_debito": "Debit card",
    "ticket_rfc": "RFC",
    "ticket_regimen": "Regime",
    "ticket_number": "Sale",
    "ticket_folio": "Folio",
    "ticket_date": "Date",
    "ticket_cashier": "Cashier",
    "ticket_customer": "Customer",
    "ticket_discount": "Discount",
    "ticket_subtotal": "Subtotal",
    "ticket_total": "TOTAL",
    "ticket_paid": "Paid",
    "ticket_change": "Change",
    "ticket_exento": "exempt",
    "ticket_items": "Items",
    "ticket_footer": "Thank you for your purchase!",
    "ticket_not_fiscal": "This ticket is not a tax receipt",
    "ticket_autofactura": "Get your invoice at:",
    "ticket_code": "Code",
    "ticket_uuid": "Tax folio (UUID)",
    "ticket_cfdi_pending": "Invoice being stamped",
    "ticket_pending_folio": "Folio pending sync",
    "ticket_return": "RETURN",
    "ticket_return_of": "Return of sale",
    "ticket_return_reason": "Reason",
    "ticket_return_refund": "Refund",
    "ticket_return_authorized": "Authorized by",
    "ticket_return_footer": "Keep this receipt of your return",
    "corte_x": "X report",
    "corte_z": "Z report",
    "corte_terminal": "Terminal",
    "corte_opened": "Opened",
    "corte_at": "Report",
    "corte_float": "Float",
    "corte_entradas": "Cash in",
    "corte_salidas": "Cash out",
    "corte_refunds": "Cash refunds",
    "corte_expected": "Expected",
    "corte_counted": "Counted",
    "corte_difference": "Difference",
    "corte_x_note": "Reading: the shift stays open",
    "invalid_count": "Invalid cash count",
    "count_mismatch": "The count by denomination does not add up to the cash counted",
    "pin_format": "The PIN must have 4 to 8 digits",
    "pin_trivial": "PIN too easy: avoid repeated or consecutive digits",
    "pieza": "piece",
    "kg": "kg",
}

_TABLES = {"es": ES, "en": EN}


def known(code: str) -> bool:
    """True when the catalogue has a text for ``code`` (the rest is shown as the ERP wrote it)."""
    return code in ES


def t(code: str, lang: str = "es", /, **params: object) -> str:
    """The text for ``code`` in ``lang`` ("es" or "en"), with ``{name}`` placeholders filled.

    Unknown codes return the code itself; a placeholder without its parameter is left as written.
    """
    table = _TABLES.get(lang, ES)
    text = table.get(code)
    if text is None:
        text = ES.get(code, code)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


# Parameters a code's text does not name but that a rejection may carry; ``render`` adds them in parentheses after
# the text, in this order: where in the record (``line`` and ``product``, ``price``) and ``detail`` (a code of this
# catalogue rendered in the reader's language, or a record field's name, shown as written in every language).
SUFFIX_PARAMS = ("line", "product", "price", "detail")


def render(code: str, lang: str = "es", params: Mapping[str, object] | None = None) -> str:
    """The text of a refusal sent as ``{"error": code, "params": params}``: ``t(code, lang, **params)`` and, in
    parentheses, what the suffix parameters (``SUFFIX_PARAMS``) say. The ERP's ``message`` and the POS and the
    back office all read a refusal through this one function."""
    params = dict(params or {})
    text = t(code, lang, **params)
    extra = []
    if "line" in params:
        extra.append(t("at_line", lang, line=params["line"], product=params.get("product", "")))
    if "price" in params:
        extra.append(t("at_price", lang, price=params["price"]))
    detail = params.get("detail")
    if detail is not None and detail != "":
        extra.append(t(str(detail), lang) if known(str(detail)) else str(detail))
    return f"{text} ({', '.join(extra)})" if extra else text


def answer_text(answer: Mapping[str, object], lang: str = "es") -> str:
    """The words of one of the ERP's rejections (``{"error", "params", "message"}``) in ``lang``: its code and
    parameters rendered when the catalogue knows the code. An answer without parameters (an ERP from before they
    were sent) keeps its Spanish message in Spanish, and is rendered in another language only when the code's
    text needs no parameter; a code the catalogue does not know shows the ERP's message."""
    code = str(answer.get("error") or "")
    message = answer.get("message")
    params = answer.get("params")
    if code and known(code):
        if isinstance(params, Mapping):
            return render(code, lang, params)
        if "{" not in t(code) and (lang != "es" or not message):
            return t(code, lang)
    return str(message) if message else t(code or "rejected", lang)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` parameters a catalogue text uses."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


class CodedError(ValueError):
    """A refusal as a ``code`` (a key of the tables above) and its parameters; ``text(lang)`` renders it.

    ``message`` is the Spanish text (the ERP's default answer and the logs); a ``detail`` given instead names what
    the catalogue cannot (a field of a malformed record) and is shown as written in every language.
    """

    def __init__(self, code: str, detail: str | None = None, **params: object) -> None:
        self.code = code
        self.params = params
        self.detail = detail
        self.message = detail if detail is not None else t(code, **params)
        super().__init__(f"{code}: {self.message}")

    def text(self, lang: str = "es") -> str:
        return self.detail if self.detail is not None else t(self.code, lang, **self.params)
