"""Back-office texts in Spanish (default) and English, and the formatting helpers the templates use.

What it is for: `tr(key, lang)` for labels of the back-office pages, and display filters for dates in the
shop's time zone. Money and quantities are shown with poscore.money (format_mxn, format_qty), never here.
What it must not do: hold business messages of the POS/sync (poscore.messages owns those) or compute amounts.
"""
from __future__ import annotations

from datetime import datetime

from server.shop_time import to_shop

from . import fiscal_texts, global_texts, mail_texts, shift_texts

LANGS = ("es", "en")

ES: dict[str, str] = {
    "app": "caja · ERP", "login": "Iniciar sesión", "logout": "Cerrar sesión", "username": "Usuario",
    "password": "Contraseña", "login_failed": "Usuario o contraseña incorrectos.",
    "login_throttled": "Demasiados intentos fallidos. Espere {seconds} s antes de intentar de nuevo.",
    "review": "Revisar", "review_duplicate_number": "Revisar: número local repetido en esta terminal",
    "review_future_time": "Revisar: hora del dispositivo adelantada más de un día",
    "change_password": "Cambiar contraseña", "password_current": "Contraseña actual",
    "password_new": "Contraseña nueva", "password_again": "Repita la contraseña nueva",
    "password_wrong": "La contraseña actual no es correcta.", "password_mismatch": "Las contraseñas nuevas no coinciden.",
    "password_changed": "Contraseña cambiada. Las demás sesiones de este usuario se cerraron.",
    "password_short": "La contraseña debe tener al menos 10 caracteres.",
    "password_long": "La contraseña no puede tener más de 200 caracteres.",
    "password_common": "Esa contraseña es demasiado común o contiene el usuario; elija otra.",
    "read_only": "Su usuario es de solo lectura: puede consultar, pero no cambiar nada.",
    "login_busy": "El servidor está ocupado verificando otras contraseñas. Intente de nuevo en unos segundos.",
    "csrf_failed": "El formulario caducó o no es válido. Vuelva a cargar la página e intente de nuevo.",
    "not_found": "No encontrado.", "sales": "Ventas", "remisiones": "Remisiones", "facturas": "Facturas",
    "voids": "Canceladas sin conexión", "negative_stock": "Existencia negativa", "catalog": "Catálogo",
    "products": "Productos", "customers": "Clientes", "import": "Importar CSV", "terminals": "Terminales",
    "folio": "Folio", "date": "Fecha", "terminal": "Terminal", "local_number": "Número local",
    "customer": "Cliente", "total": "Total", "status": "Estado", "from": "Desde", "to": "Hasta",
    "search": "Buscar", "search_sale": "Folio o número local", "filter": "Filtrar", "clear": "Limpiar",
    "all": "Todas", "export_csv": "Exportar CSV", "count": "Ventas", "subtotal": "Subtotal",
    "discount": "Descuento", "taxes": "Impuestos", "previous": "Anterior", "next": "Siguiente",
    "page": "Página {page} de {pages}", "no_rows": "Sin resultados.", "status_accepted": "Aceptada",
    "sale": "Venta", "lines": "Partidas", "product": "Producto", "qty": "Cantidad", "unit_price": "Precio unitario",
    "taxes_by_rate": "Impuestos por tasa", "tax": "Impuesto", "rate": "Tasa", "base": "Base",
    "amount": "Importe", "payments": "Pagos", "method": "Forma de pago", "reference": "Referencia",
    "fiscal_data": "Datos fiscales del cliente", "rfc": "RFC", "regimen_fiscal": "Régimen fiscal",
    "codigo_postal": "Código postal", "uso_cfdi": "Uso de CFDI", "email": "Correo",
    "device_time": "Hora en la terminal", "times_in": "Horas de {zone}", "received_at": "Recibida en el ERP", "cashier": "Cajero",
    "paid": "Pagado", "change": "Cambio", "cancelled_at": "Cancelada en", "reason": "Motivo",
    "warehouse": "Almacén", "qty_after": "Existencia resultante", "sku": "SKU", "barcodes": "Códigos de barras",
    "barcodes_help": "Separados por espacios o comas", "name": "Nombre", "unit": "Unidad", "iva": "IVA",
    "ieps_cuota": "IEPS por litro ($)", "litres": "Litros por unidad",
    "ieps_cuota_help": "Cuota fija de IEPS por litro (bebidas saborizadas); en lugar de la tasa en %.",
    "litres_help": "Litros que contiene una unidad vendida, por ejemplo 0.6 para 600 ml.",
    "ieps_breakdown": "Desglosar el IEPS en sus facturas",
    "ieps_breakdown_help": "Solo si el cliente lo pide (LIEPS art. 19 fr. II); si no, el IEPS va incluido en el precio.",
    "p_cuota_invalid": "IEPS por litro inválido: un importe en pesos con los litros por unidad",
    "p_litres_invalid": "Litros por unidad inválidos: un número mayor que cero, hasta mililitros, con su cuota",
    "p_ieps_both": "El IEPS es una tasa o una cuota por litro, no ambas",
    "col_ieps_cuota": "Opcional. IEPS por litro en pesos (por ejemplo 3.0818), con litros_por_unidad; vacía = sin cuota.",
    "col_litros": "Opcional. Litros de una unidad (0.6 para 600 ml), junto con ieps_cuota.",
    "ieps": "IEPS (%)", "active": "Activo", "inactive": "Inactivo", "yes": "Sí", "no": "No",
    "new_product": "Nuevo producto", "edit_product": "Editar producto", "save": "Guardar",
    "prices": "Precios por lista", "price_list": "Lista de precios", "stock": "Existencias por almacén",
    "includes_tax": "incluye impuestos", "excludes_tax": "sin impuestos", "saved": "Cambios guardados.",
    "version": "Versión", "search_product": "SKU, código o nombre", "search_customer": "Nombre, RFC o correo",
    "new_customer": "Nuevo cliente", "edit_customer": "Editar cliente", "created_offline": "Creado en terminal",
    "none": "—", "new_terminal": "Nueva terminal", "code": "Código", "branch": "Sucursal",
    "series_remision": "Serie de remisiones", "series_factura": "Serie de facturas",
    "stock_enforced": "No vender sin existencia", "device": "Dispositivo", "paired_at": "Vinculada",
    "last_contact": "Último contacto", "pending": "Pendientes reportadas", "last_sync": "Última sincronización", "last_sale": "Última venta recibida",
    "sync_result": "{accepted} aceptadas, {rejected} rechazadas",
    "app_version": "Versión de la app", "pairing_code": "Código de vinculación", "new_code": "Generar código",
    "revoke": "Revocar token", "revoked": "Token revocado: la terminal debe vincularse de nuevo.",
    "code_once": "Escriba este código en la terminal. Se muestra una sola vez y vence en {minutes} minutos.",
    "not_paired": "Sin vincular", "sales_count": "Ventas recibidas", "file": "Archivo CSV",
    "dry_run": "Revisar (sin cambios)", "apply": "Aplicar importación", "import_ok": "Importación aplicada.",
    "import_errors": "El archivo tiene problemas; no se cambió nada.", "line": "Línea", "problem": "Problema",
    "import_summary": "{new} productos nuevos, {updated} actualizados, {unchanged} sin cambios.",
    "dry_run_ok": "Revisión correcta: nada se ha cambiado todavía.", "columns": "Columnas",
    "created_by_terminal": "Terminal", "resolved": "Resuelto", "language": "English", "lang_code": "en",
    "actions": "Acciones", "edit": "Editar", "view": "Ver", "value": "Valor", "too_many_problems": "y {more} problemas más",
    "pm_efectivo": "Efectivo", "pm_tarjeta_credito": "Tarjeta de crédito", "pm_tarjeta_debito": "Tarjeta de débito",
    "pm_transferencia": "Transferencia",
    "p_sku_required": "Falta el SKU", "p_sku_invalid": "SKU inválido (máximo 40 caracteres, sin espacios)",
    "p_sku_taken": "El SKU ya existe en otro producto", "p_sku_repeated": "SKU repetido en el archivo (línea {other})",
    "p_name_required": "Falta el nombre", "p_name_too_long": "Nombre demasiado largo (máximo 200)",
    "p_unit_invalid": "Unidad inválida: use pieza o kg", "p_iva_invalid": "IVA inválido: use 16, 8, 0 o exento",
    "p_ieps_invalid": "IEPS inválido: un porcentaje o vacío", "p_active_invalid": "Activo inválido: use 1/0 o sí/no",
    "p_barcode_invalid": "Código de barras inválido", "p_barcode_taken": "El código de barras ya es de otro producto",
    "p_barcode_repeated": "Código de barras repetido en el archivo (línea {other})",
    "p_price_invalid": "Precio inválido: escriba un número positivo con a lo más 2 decimales, como 23.50 (o 23,50 en un archivo separado por punto y coma)",
    "p_stock_invalid": "Existencia inválida: escriba un número con a lo más 3 decimales, como 12 o 1.250 (o 1,250 en un archivo separado por punto y coma)",
    "p_number_ambiguous": "Número ambiguo: en un archivo separado por punto y coma la coma es el decimal; escriba los miles sin separador (1234) y los decimales con coma (1,234)",
    "p_rfc_invalid": "RFC inválido", "p_customer_invalid": "Dato fiscal inválido",
    "p_columns": "Faltan columnas obligatorias", "p_column_unknown": "Columna desconocida",
    "p_encoding": "El archivo no está en UTF-8", "p_empty": "El archivo está vacío o no tiene encabezado",
    "p_fields": "Número de campos distinto al del encabezado", "p_too_big": "El archivo es demasiado grande",
    "p_series_invalid": "Serie inválida: letras mayúsculas y dígitos, máximo 10",
    "p_series_same": "Las series de remisión y factura deben ser distintas",
    "p_code_invalid": "Código de terminal inválido: letras mayúsculas y dígitos, máximo 10",
    "p_code_taken": "Ya existe una terminal con ese código", "p_choice": "Elija una opción válida",
    "col_sku": "Obligatoria. Clave única del producto; si ya existe, la fila actualiza ese producto.",
    "col_nombre": "Obligatoria. Nombre que ve el cajero (máximo 200 caracteres).",
    "col_unidad": "Obligatoria. pieza o kg.",
    "col_iva": "Obligatoria. 16, 8, 0 o exento.",
    "col_ieps": "Opcional. Tasa de IEPS en porcentaje (por ejemplo 8); vacía = sin IEPS.",
    "col_activo": "Opcional. 1/0 o sí/no; vacía = activo.",
    "col_codigos": "Opcional. Códigos de barras separados por espacio o |; vacía = no cambian.",
    "col_precio": "Opcional, una por lista: precio:Público, precio:Mayoreo… Pesos con a lo más 2 decimales; vacía = no cambia.",
    "col_existencia": "Opcional, una por almacén: existencia:Almacén Centro… Cantidad con a lo más 3 decimales; vacía = no cambia.",
    "import_intro": "Archivo CSV en UTF-8 (con o sin BOM), separado por comas o por punto y coma, con una fila de encabezado. Separado por comas, los decimales llevan punto (23.50); separado por punto y coma, como lo guarda Excel en español, llevan coma (23,50). Primero se revisa sin cambiar nada; la importación se aplica completa en una sola transacción o no se aplica.",
    "ca_link": "Certificado HTTPS", "ca_title": "Certificado HTTPS para las tabletas",
    "ca_intro": "La caja trabaja sin conexión sólo si el navegador la abre por HTTPS y confía en el certificado del servidor. Instale una vez en cada tableta o PC la autoridad certificadora (CA) local de esta instalación; después abra la caja con la dirección https.",
    "ca_download": "Descargar caja-ca.crt", "ca_fingerprint": "Huella SHA-256 de la CA",
    "ca_urls": "Dirección de descarga (también en el código QR)", "ca_qr_alt": "Código QR con la dirección de descarga de la CA",
    "ca_missing": "Este servidor no sirve HTTPS con una CA propia: inícielo con «caja serve --https» (o CAJA_HTTPS=1). Detrás de un proxy inverso con dominio (docs/deploy-caddy.md) las tabletas no necesitan instalar nada.",
    "ca_public": "La descarga es pública a propósito: la tableta la necesita antes de confiar en el servidor, y el archivo sólo contiene el certificado (la clave privada nunca sale del servidor).",
    "https_col": "HTTPS", "https_no": "sin HTTPS", "https_yes": "sí",
}

EN: dict[str, str] = {
    "app": "caja · ERP", "login": "Sign in", "logout": "Sign out", "username": "Username",
    "password": "Password", "login_failed": "Wrong username or password.",
    "login_throttled": "Too many failed attempts. Wait {seconds} s before trying again.",
    "review": "Review", "review_duplicate_number": "Review: local number repeated on this terminal",
    "review_future_time": "Review: device time more than a day ahead",
    "change_password": "Change password", "password_current": "Current password",
    "password_new": "New password", "password_again": "Repeat the new password",
    "password_wrong": "The current password is wrong.", "password_mismatch": "The new passwords differ.",
    "password_changed": "Password changed. This user's other sessions were ended.",
    "password_short": "The password must have at least 10 characters.",
    "password_long": "The password may not have more than 200 characters.",
    "password_common": "That password is too common or contains the username; choose another.",
    "read_only": "Your user is read-only: you can look, but not change anything.",
    "login_busy": "The server is busy checking other passwords. Try again in a few seconds.",
    "csrf_failed": "The form expired or is invalid. Reload the page and try again.",
    "not_found": "Not found.", "sales": "Sales", "remisiones": "Delivery notes", "facturas": "Invoices",
    "voids": "Cancelled offline", "negative_stock": "Negative stock", "catalog": "Catalog",
    "products": "Products", "customers": "Customers", "import": "CSV import", "terminals": "Terminals",
    "folio": "Folio", "date": "Date", "terminal": "Terminal", "local_number": "Local number",
    "customer": "Customer", "total": "Total", "status": "Status", "from": "From", "to": "To",
    "search": "Search", "search_sale": "Folio or local number", "filter": "Filter", "clear": "Clear",
    "all": "All", "export_csv": "Export CSV", "count": "Sales", "subtotal": "Subtotal",
    "discount": "Discount", "taxes": "Taxes", "previous": "Previous", "next": "Next",
    "page": "Page {page} of {pages}", "no_rows": "No results.", "status_accepted": "Accepted",
    "sale": "Sale", "lines": "Lines", "product": "Product", "qty": "Quantity", "unit_price": "Unit price",
    "taxes_by_rate": "Taxes by rate", "tax": "Tax", "rate": "Rate", "base": "Base",
    "amount": "Amount", "payments": "Payments", "method": "Payment method", "reference": "Reference",
    "fiscal_data": "Customer tax data", "rfc": "RFC", "regimen_fiscal": "Tax regime",
    "codigo_postal": "Postal code", "uso_cfdi": "CFDI use", "email": "Email",
    "device_time": "Terminal time", "times_in": "Times in {zone}", "received_at": "Received by the ERP", "cashier": "Cashier",
    "paid": "Paid", "change": "Change", "cancelled_at": "Cancelled at", "reason": "Reason",
    "warehouse": "Warehouse", "qty_after": "Resulting stock", "sku": "SKU", "barcodes": "Barcodes",
    "barcodes_help": "Separated by spaces or commas", "name": "Name", "unit": "Unit", "iva": "VAT",
    "ieps_cuota": "IEPS per litre ($)", "litres": "Litres per unit",
    "ieps_cuota_help": "Fixed IEPS amount per litre (flavoured drinks); instead of the % rate.",
    "litres_help": "Litres in one unit sold, e.g. 0.6 for 600 ml.",
    "ieps_breakdown": "Break out IEPS on their invoices",
    "ieps_breakdown_help": "Only when the customer asks (LIEPS art. 19 fr. II); otherwise IEPS is included in the price.",
    "p_cuota_invalid": "Invalid IEPS per litre: an amount in pesos, with the litres per unit",
    "p_litres_invalid": "Invalid litres per unit: a number above zero, to the millilitre, with its cuota",
    "p_ieps_both": "IEPS is either a rate or an amount per litre, not both",
    "col_ieps_cuota": "Optional. IEPS per litre in pesos (e.g. 3.0818), with litros_por_unidad; empty = none.",
    "col_litros": "Optional. Litres in one unit (0.6 for 600 ml), together with ieps_cuota.",
    "ieps": "IEPS (%)", "active": "Active", "inactive": "Inactive", "yes": "Yes", "no": "No",
    "new_product": "New product", "edit_product": "Edit product", "save": "Save",
    "prices": "Prices per list", "price_list": "Price list", "stock": "Stock per warehouse",
    "includes_tax": "tax included", "excludes_tax": "before tax", "saved": "Changes saved.",
    "version": "Version", "search_product": "SKU, barcode or name", "search_customer": "Name, RFC or email",
    "new_customer": "New customer", "edit_customer": "Edit customer", "created_offline": "Created at terminal",
    "none": "—", "new_terminal": "New terminal", "code": "Code", "branch": "Branch",
    "series_remision": "Delivery note series", "series_factura": "Invoice series",
    "stock_enforced": "Do not sell without stock", "device": "Device", "paired_at": "Paired",
    "last_contact": "Last contact", "pending": "Reported pending", "last_sync": "Last sync", "last_sale": "Last sale received",
    "sync_result": "{accepted} accepted, {rejected} rejected",
    "app_version": "App version", "pairing_code": "Pairing code", "new_code": "New pairing code",
    "revoke": "Revoke token", "revoked": "Token revoked: the terminal must be paired again.",
    "code_once": "Type this code at the terminal. It is shown once and expires in {minutes} minutes.",
    "not_paired": "Not paired", "sales_count": "Sales received", "file": "CSV file",
    "dry_run": "Check (no changes)", "apply": "Apply import", "import_ok": "Import applied.",
    "import_errors": "The file has problems; nothing was changed.", "line": "Line", "problem": "Problem",
    "import_summary": "{new} new products, {updated} updated, {unchanged} unchanged.",
    "dry_run_ok": "Check passed: nothing has been changed yet.", "columns": "Columns",
    "created_by_terminal": "Terminal", "resolved": "Resolved", "language": "Español", "lang_code": "es",
    "actions": "Actions", "edit": "Edit", "view": "View", "value": "Value", "too_many_problems": "and {more} more problems",
    "pm_efectivo": "Cash", "pm_tarjeta_credito": "Credit card", "pm_tarjeta_debito": "Debit card",
    "pm_transferencia": "Bank transfer",
    "p_sku_required": "SKU missing", "p_sku_invalid": "Invalid SKU (at most 40 characters, no spaces)",
    "p_sku_taken": "The SKU belongs to another product", "p_sku_repeated": "SKU repeated in the file (line {other})",
    "p_name_required": "Name missing", "p_name_too_long": "Name too long (at most 200)",
    "p_unit_invalid": "Invalid unit: use pieza or kg", "p_iva_invalid": "Invalid VAT: use 16, 8, 0 or exento",
    "p_ieps_invalid": "Invalid IEPS: a percentage or empty", "p_active_invalid": "Invalid active flag: use 1/0",
    "p_barcode_invalid": "Invalid barcode", "p_barcode_taken": "The barcode belongs to another product",
    "p_barcode_repeated": "Barcode repeated in the file (line {other})",
    "p_price_invalid": "Invalid price: write a positive number with at most 2 decimals, such as 23.50 (or 23,50 in a semicolon-separated file)",
    "p_stock_invalid": "Invalid stock: write a number with at most 3 decimals, such as 12 or 1.250 (or 1,250 in a semicolon-separated file)",
    "p_number_ambiguous": "Ambiguous number: in a semicolon-separated file the comma is the decimal mark; write thousands without a separator (1234) and decimals with a comma (1,234)",
    "p_rfc_invalid": "Invalid RFC", "p_customer_invalid": "Invalid tax data",
    "p_columns": "Required columns missing", "p_column_unknown": "Unknown column",
    "p_encoding": "The file is not UTF-8", "p_empty": "The file is empty or has no header",
    "p_fields": "Number of fields differs from the header", "p_too_big": "The file is too large",
    "p_series_invalid": "Invalid series: upper-case letters and digits, at most 10",
    "p_series_same": "Delivery note and invoice series must differ",
    "p_code_invalid": "Invalid terminal code: upper-case letters and digits, at most 10",
    "p_code_taken": "A terminal with that code exists", "p_choice": "Choose a valid option",
    "col_sku": "Required. Unique product key; an existing SKU updates that product.",
    "col_nombre": "Required. Name the cashier sees (at most 200 characters).",
    "col_unidad": "Required. pieza or kg.",
    "col_iva": "Required. 16, 8, 0 or exento.",
    "col_ieps": "Optional. IEPS rate in percent (e.g. 8); empty = no IEPS.",
    "col_activo": "Optional. 1/0 or sí/no; empty = active.",
    "col_codigos": "Optional. Barcodes separated by space or |; empty = unchanged.",
    "col_precio": "Optional, one per price list: precio:Público, precio:Mayoreo… Pesos, at most 2 decimals; empty = unchanged.",
    "col_existencia": "Optional, one per warehouse: existencia:Almacén Centro… At most 3 decimals; empty = unchanged.",
    "import_intro": "CSV file in UTF-8 (with or without BOM), comma or semicolon separated, with a header row. Comma separated, decimals take a dot (23.50); semicolon separated, as a Spanish Excel saves it, a comma (23,50). It is checked first without changing anything; the import is applied whole in one transaction or not at all.",
    "ca_link": "HTTPS certificate", "ca_title": "HTTPS certificate for the tablets",
    "ca_intro": "The till works offline only when the browser opens it over HTTPS and trusts the server's certificate. Install this install's local certificate authority (CA) once on each tablet or PC, then open the till by its https address.",
    "ca_download": "Download caja-ca.crt", "ca_fingerprint": "CA SHA-256 fingerprint",
    "ca_urls": "Download address (also in the QR code)", "ca_qr_alt": "QR code with the CA download address",
    "ca_missing": "This server does not serve HTTPS with its own CA: start it with \"caja serve --https\" (or CAJA_HTTPS=1). Behind a reverse proxy with a domain (docs/deploy-caddy.md) tablets need nothing installed.",
    "ca_public": "The download is public on purpose: a tablet needs it before it trusts the server, and the file holds only the certificate (the private key never leaves the server).",
    "https_col": "HTTPS", "https_no": "no HTTPS", "https_yes": "yes",
}

ES.update(fiscal_texts.ES)
EN.update(fiscal_texts.EN)
ES.update(global_texts.ES)
EN.update(global_texts.EN)
ES.update(shift_texts.ES)
EN.update(shift_texts.EN)
ES.update(mail_texts.ES)
EN.update(mail_texts.EN)
_TABLES = {"es": ES, "en": EN}


def tr(key: str, lang: str = "es", **params: object) -> str:
    text = _TABLES.get(lang, ES).get(key) or ES.get(key) or key
    return text.format(**params) if params else text


def local_dt(value: datetime | None) -> str:
    """A stored UTC time on the shop's clock: 27/11/2026 16:14 (the zone is named once, in the page header)."""
    shop = to_shop(value)
    return "" if shop is None else shop.strftime("%d/%m/%Y %H:%M")


def device_dt(value: str | None) -> str:
    """A terminal's own ISO time (with the offset its clock had) on the shop's clock, to the second, so it reads
    beside the ERP's times and the ticket; the raw text only if it cannot be read as a time."""
    shop = to_shop(value)
    if shop is None:
        return value or ""
    return shop.strftime("%d/%m/%Y %H:%M:%S")
