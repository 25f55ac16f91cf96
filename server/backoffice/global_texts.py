"""Back-office texts of the factura global and autofacturación, Spanish and English; merged into i18n's tables.

Must not: hold SAT rules (server/fiscal owns them), only labels.
"""
from __future__ import annotations

ES: dict[str, str] = {
    "global": "Factura global", "global_periodicidad": "Periodicidad", "global_day": "Un día del periodo",
    "global_preview": "Ver remisiones", "global_issue": "Emitir factura global",
    "global_late": "{count} remisión(es) de periodos anteriores llegaron tarde (caja sin conexión) y van en esta "
                   "factura global.",
    "global_late_one": "llegó tarde: de un periodo anterior",
    "global_returned": "neto de devoluciones por",
    "global_nothing": "No hay remisiones sin CFDI en este periodo.",
    "global_issued_list": "Facturas globales emitidas", "global_period": "Periodo", "global_replaces": "sustituye a",
    "global_exclude": "Folios a dejar fuera (R-12 R-15)", "global_replace": "Sustituir (motivo 01)",
    "global_settings": "Ajustes de la factura global",
    "global_auto": "Emitirla automáticamente al cerrar cada periodo",
    "global_bad_period": "Periodo no válido (la bimestral es solo para el régimen 621).",
    "global_issued": "Factura global de {period} creada: se sellará y timbrará en segundo plano.",
    "global_replaced": "Se emitirá la sustituta; la factura global anterior se cancela con motivo 01 al timbrarla.",
    "global_overdue": "Hay {count} remisión(es) del periodo {period} sin factura global y ya pasaron las 24 horas "
                      "del plazo (regla 2.7.1.21 de la RMF): emítala en Ventas → Factura global.",
    "covered_by": "CFDI", "covered_global": "Global G-{id} ({state})", "covered_autofactura": "Autofactura ({state})",
    "af_url": "Página de autofacturación (dirección pública, https; vacía = los tickets no llevan código)",
    "af_egreso_setting": "Autofacturar también tickets ya incluidos en una factura global timbrada (se emite un "
                         "egreso E/01 contra la global por ese ticket y después la factura del cliente)",
    "af_title": "Factura tu compra", "af_intro": "Escribe el código y el total de tu ticket, y tus datos fiscales "
                                                "como aparecen en tu constancia de situación fiscal.",
    "af_code": "Código del ticket", "af_total": "Total del ticket", "af_name": "Nombre o razón social",
    "af_cp": "Código postal fiscal", "af_regimen": "Régimen fiscal", "af_uso": "Uso del CFDI",
    "af_email": "Correo (opcional)", "af_submit": "Obtener mi factura",
    "af_not_found": "No encontramos una compra con ese código y total. Si es reciente, tu compra aún no llega: "
                    "intenta más tarde.",
    "af_throttled": "Demasiados intentos. Espera unos minutos e intenta de nuevo.",
    "af_bad_cp": "El código postal no existe en el catálogo del SAT",
    "af_too_late": "El plazo para facturar esta compra terminó (se factura dentro del mes de la compra). "
                   "Pide ayuda en la tienda.",
    "af_in_global": "Esta compra ya se incluyó en la factura global de la tienda, así que no se puede facturar "
                    "aquí. Pide tu factura en la tienda con tu ticket.",
    "af_already": "Esta compra ya fue facturada.",
    "af_done": "Tu factura está lista.", "af_waiting": "Estamos generando tu factura; tarda unos segundos.",
    "af_refresh": "Actualizar", "af_rejected": "El SAT rechazó la factura con estos datos:",
    "af_keep_link": "Guarda el enlace de esta página para descargar tu factura después.",
}

EN: dict[str, str] = {
    "global": "Global invoice", "global_periodicidad": "Period", "global_day": "A day in the period",
    "global_preview": "Show tickets", "global_issue": "Issue global invoice",
    "global_late": "{count} ticket(s) from earlier periods arrived late (till offline) and go into this global "
                   "invoice.",
    "global_late_one": "arrived late: from an earlier period",
    "global_returned": "net of returns of",
    "global_nothing": "No tickets without a CFDI in this period.",
    "global_issued_list": "Global invoices issued", "global_period": "Period", "global_replaces": "replaces",
    "global_exclude": "Folios to leave out (R-12 R-15)", "global_replace": "Replace (motive 01)",
    "global_settings": "Global invoice settings",
    "global_auto": "Issue it automatically when each period closes",
    "global_bad_period": "Invalid period (two-month periods are for régimen 621 only).",
    "global_issued": "Global invoice for {period} created: it is sealed and stamped in the background.",
    "global_replaced": "The replacement will be issued; the old global invoice is cancelled with motive 01 once "
                       "it is stamped.",
    "global_overdue": "{count} ticket(s) of {period} have no global invoice and the 24-hour deadline has passed "
                      "(RMF rule 2.7.1.21): issue it under Sales → Global invoice.",
    "covered_by": "CFDI", "covered_global": "Global G-{id} ({state})", "covered_autofactura": "Self-invoiced ({state})",
    "af_url": "Self-invoicing page (public https address; empty = tickets carry no code)",
    "af_egreso_setting": "Also self-invoice tickets already in a stamped global invoice (an E/01 credit note "
                         "against the global for that ticket, then the customer's invoice)",
    "af_title": "Invoice your purchase", "af_intro": "Type your ticket's code and total, and your tax details as "
                                                     "they appear on your SAT tax certificate.",
    "af_code": "Ticket code", "af_total": "Ticket total", "af_name": "Name or legal name",
    "af_cp": "Tax postal code", "af_regimen": "Tax regime", "af_uso": "CFDI use",
    "af_email": "Email (optional)", "af_submit": "Get my invoice",
    "af_not_found": "We found no purchase with that code and total. If it is recent, it has not reached us yet: "
                    "try again later.",
    "af_throttled": "Too many attempts. Wait a few minutes and try again.",
    "af_bad_cp": "That postal code is not in the SAT catalogue",
    "af_too_late": "The time to invoice this purchase is over (within the month of the purchase). Ask in the shop.",
    "af_in_global": "This purchase is already in the shop's global invoice, so it cannot be invoiced here. Ask for "
                    "your invoice in the shop with your ticket.",
    "af_already": "This purchase has already been invoiced.",
    "af_done": "Your invoice is ready.", "af_waiting": "We are making your invoice; it takes a few seconds.",
    "af_refresh": "Refresh", "af_rejected": "The SAT refused the invoice with these details:",
    "af_keep_link": "Keep this page's link to download your invoice later.",
}
