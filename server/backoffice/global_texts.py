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
}

EN: dict[str, str] = {
    "global": "Global invoice", "global_periodicidad": "Period", "global_day": "A day in the period",
    "global_preview": "Show tickets", "global_issue": "Issue global invoice",
    "global_late": "{count} ticket(s) from earlier periods arrived late (till offline) and go into this global "
                   "invoice.",
    "global_late_one": "arrived late: from an earlier period",
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
}
