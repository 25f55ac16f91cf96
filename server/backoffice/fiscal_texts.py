"""Back-office texts of the fiscal pages (Datos fiscales, CFDI), Spanish and English; merged into i18n's tables.

Must not: hold SAT rules (poscore and server/fiscal own them), only labels.
"""
from __future__ import annotations

ES: dict[str, str] = {
    "fiscal": "Datos fiscales", "emisor": "Emisor", "fiscal_rfc": "RFC", "razon_social": "Razón social",
    "lugar_expedicion": "Código postal de expedición",
    "csd": "Certificado de sello digital (CSD)", "csd_none": "No hay CSD cargado.",
    "csd_number": "Número de certificado", "csd_valid": "Vigencia", "csd_upload": "Cargar CSD",
    "csd_cer": "Certificado (.cer)", "csd_key": "Llave privada (.key)", "csd_password": "Contraseña de la llave",
    "csd_key_note": "La llave se guarda cifrada; no se vuelve a mostrar ni a descargar.",
    "csd_expires_soon": "El CSD vence el {date}: tramite uno nuevo en el portal del SAT antes de esa fecha.",
    "csd_expired": "El CSD venció el {date}: no se pueden sellar facturas hasta cargar uno vigente.",
    "csd_saved": "CSD cargado: número {number}, vence el {date}.",
    "pac": "Proveedor de certificación (PAC)", "pac_none": "Ninguno",
    "pac_missing": "Sin PAC configurado: las facturas se sellan y quedan «sin timbrar» (aún no son válidas ante "
                   "el SAT). Se timbrarán en cuanto configure un PAC.",
    "pac_user": "Usuario (vacío si usa token)", "pac_secret": "Contraseña o token (vacío = no cambia)",
    "pac_production": "Producción (sin marcar: ambiente de pruebas)", "pac_url": "Dirección alterna (opcional)",
    "admin_only": "Solo un administrador puede ver y cambiar los datos fiscales.",
    "invalid_emisor": "Revise el RFC, el régimen fiscal y el código postal.",
    "cfdi": "CFDI", "cfdi_state": "Estado CFDI", "uuid": "UUID", "cfdi_error": "Motivo",
    "state_pendiente": "Pendiente", "state_sellada": "Sellada, sin timbrar", "state_timbrada": "Timbrada",
    "state_rechazada": "Rechazada", "state_cancelada": "Cancelada",
    "retry": "Reintentar", "cancel_cfdi": "Cancelar CFDI", "motive": "Motivo SAT",
    "retry_done": "Se volverá a generar con los datos actuales del cliente.",
    "cancel_done": "CFDI cancelado.", "download_xml": "XML", "download_pdf": "PDF",
    "sat_prod_serv": "Clave SAT de producto o servicio",
    "sat_prod_serv_help": "8 dígitos del catálogo c_ClaveProdServ; vacía = 01010101 (evítela si hay una clave).",
    "sat_unidad": "Clave SAT de unidad", "sat_unidad_help": "Catálogo c_ClaveUnidad; vacía = H87 (pieza) o KGM (kg).",
    "p_clave_prod_serv_invalid": "La clave de producto o servicio no existe en el catálogo del SAT",
    "p_clave_unidad_invalid": "La clave de unidad no existe en el catálogo del SAT",
    "col_clave_prod_serv": "Opcional. Clave SAT de producto o servicio (8 dígitos); vacía = no cambia.",
    "col_clave_unidad": "Opcional. Clave SAT de unidad (H87, KGM…); vacía = no cambia.",
}

EN: dict[str, str] = {
    "fiscal": "Tax settings", "emisor": "Issuer", "fiscal_rfc": "RFC", "razon_social": "Legal name",
    "lugar_expedicion": "Postal code of issue",
    "csd": "Digital seal certificate (CSD)", "csd_none": "No CSD loaded.",
    "csd_number": "Certificate number", "csd_valid": "Valid", "csd_upload": "Upload CSD",
    "csd_cer": "Certificate (.cer)", "csd_key": "Private key (.key)", "csd_password": "Key password",
    "csd_key_note": "The key is stored encrypted; it is never shown or downloadable again.",
    "csd_expires_soon": "The CSD expires on {date}: get a new one from the SAT portal before then.",
    "csd_expired": "The CSD expired on {date}: invoices cannot be sealed until a valid one is loaded.",
    "csd_saved": "CSD loaded: number {number}, expires {date}.",
    "pac": "Certification provider (PAC)", "pac_none": "None",
    "pac_missing": "No PAC configured: invoices are sealed and stay \"not stamped\" (not yet valid for the SAT). "
                   "They are stamped as soon as a PAC is configured.",
    "pac_user": "User (empty when using a token)", "pac_secret": "Password or token (empty = unchanged)",
    "pac_production": "Production (unchecked: test environment)", "pac_url": "Alternative address (optional)",
    "admin_only": "Only an administrator can see and change the tax settings.",
    "invalid_emisor": "Check the RFC, tax regime and postal code.",
    "cfdi": "CFDI", "cfdi_state": "CFDI state", "uuid": "UUID", "cfdi_error": "Reason",
    "state_pendiente": "Pending", "state_sellada": "Sealed, not stamped", "state_timbrada": "Stamped",
    "state_rechazada": "Rejected", "state_cancelada": "Cancelled",
    "retry": "Retry", "cancel_cfdi": "Cancel CFDI", "motive": "SAT motive",
    "retry_done": "It will be rebuilt with the customer's current data.",
    "cancel_done": "CFDI cancelled.", "download_xml": "XML", "download_pdf": "PDF",
    "sat_prod_serv": "SAT product or service key",
    "sat_prod_serv_help": "8 digits from c_ClaveProdServ; empty = 01010101 (avoid it when a key exists).",
    "sat_unidad": "SAT unit key", "sat_unidad_help": "Catalogue c_ClaveUnidad; empty = H87 (piece) or KGM (kg).",
    "p_clave_prod_serv_invalid": "The product or service key is not in the SAT catalogue",
    "p_clave_unidad_invalid": "The unit key is not in the SAT catalogue",
    "col_clave_prod_serv": "Optional. SAT product or service key (8 digits); empty = unchanged.",
    "col_clave_unidad": "Optional. SAT unit key (H87, KGM…); empty = unchanged.",
}
