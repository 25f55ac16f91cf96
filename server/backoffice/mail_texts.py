"""Back-office and self-invoicing texts about email (Correo settings, delivery of CFDIs), Spanish and English;
merged into i18n's tables.

Must not: hold rules about when a CFDI is mailed (server/fiscal/delivery owns them), only labels.
"""
from __future__ import annotations

ES: dict[str, str] = {
    "mail": "Correo", "mail_link": "Correo para enviar facturas",
    "mail_help": "El servidor de correo (SMTP) con el que se envían los CFDI timbrados a los clientes que dieron "
                 "un correo: el PDF y el XML, una sola vez por CFDI.",
    "mail_missing": "Sin servidor de correo: las facturas no se envían; el cliente las descarga de la página.",
    "mail_server": "Servidor de correo (SMTP)", "mail_host": "Servidor", "mail_port": "Puerto",
    "mail_security": "Seguridad", "mail_security_starttls": "STARTTLS (puerto 587)",
    "mail_security_ssl": "SSL/TLS (puerto 465)", "mail_security_none": "Ninguna (solo un relevo local)",
    "mail_user": "Usuario (vacío: sin autenticación)", "mail_password": "Contraseña (vacío = no cambia)",
    "mail_password_kept": "Hay una contraseña guardada (cifrada); no se vuelve a mostrar.",
    "mail_sender": "Correo del remitente", "mail_sender_name": "Nombre del remitente",
    "mail_test": "Enviar un correo de prueba", "mail_test_to": "Para", "mail_test_send": "Enviar prueba",
    "mail_invalid_server": "Revise el servidor, el puerto y la seguridad.",
    "mail_invalid_sender": "El correo del remitente no es válido.",
    "mail_invalid_to": "El correo de destino no es válido.",
    "mail_clear_password": "Con usuario y contraseña use STARTTLS o SSL: sin cifrado la contraseña viajaría legible "
                           "(solo se permite hacia esta misma máquina).",
    "mail_unreadable": "La contraseña de correo se guardó con otra clave del servidor (CAJA_SECRET_KEY cambió): "
                       "escríbala de nuevo.",
    "mail_test_failed": "No se envió el correo de prueba: {reason}",
    "mail_test_sent": "Correo de prueba enviado a {to}.",
    "mail_delivery": "Correo", "mail_state_pendiente": "Por enviar", "mail_state_enviado": "Enviado",
    "mail_state_error": "Error", "mail_state_sin_correo": "Sin correo",
    "mail_state_sin_smtp": "Sin correo: SMTP no configurado", "mail_retrying": "se reintentará",
    "mail_resend": "Reenviar correo", "mail_resend_done": "El correo se enviará en la siguiente pasada.",
    "af_mail_sent": "También te la enviamos por correo a {to}.",
    "af_mail_pending": "Te la enviaremos por correo a {to} en unos minutos.",
    "af_download_only": "Descarga aquí el PDF y el XML: esta tienda no envía las facturas por correo.",
    "af_bad_email": "El correo no es válido (ejemplo: nombre@dominio.mx)",
}

EN: dict[str, str] = {
    "mail": "Email", "mail_link": "Email for sending invoices",
    "mail_help": "The mail server (SMTP) that sends stamped CFDIs to customers who gave an email address: the PDF "
                 "and the XML, once per CFDI.",
    "mail_missing": "No mail server: invoices are not emailed; customers download them from the page.",
    "mail_server": "Mail server (SMTP)", "mail_host": "Server", "mail_port": "Port",
    "mail_security": "Security", "mail_security_starttls": "STARTTLS (port 587)",
    "mail_security_ssl": "SSL/TLS (port 465)", "mail_security_none": "None (a local relay only)",
    "mail_user": "User (empty: no authentication)", "mail_password": "Password (empty = unchanged)",
    "mail_password_kept": "A password is stored (encrypted); it is never shown again.",
    "mail_sender": "Sender address", "mail_sender_name": "Sender name",
    "mail_test": "Send a test email", "mail_test_to": "To", "mail_test_send": "Send test",
    "mail_invalid_server": "Check the server, port and security.",
    "mail_invalid_sender": "The sender address is not valid.",
    "mail_invalid_to": "The recipient address is not valid.",
    "mail_clear_password": "With a user and password use STARTTLS or SSL: unencrypted, the password would travel "
                           "readable (allowed only to this same machine).",
    "mail_unreadable": "The mail password was stored under another server key (CAJA_SECRET_KEY changed): type it "
                       "again.",
    "mail_test_failed": "The test email was not sent: {reason}",
    "mail_test_sent": "Test email sent to {to}.",
    "mail_delivery": "Email", "mail_state_pendiente": "To send", "mail_state_enviado": "Sent",
    "mail_state_error": "Error", "mail_state_sin_correo": "No email",
    "mail_state_sin_smtp": "No email: SMTP not set up", "mail_retrying": "will retry",
    "mail_resend": "Send email again", "mail_resend_done": "The email will be sent on the next pass.",
    "af_mail_sent": "We also emailed it to {to}.",
    "af_mail_pending": "We will email it to {to} in a few minutes.",
    "af_download_only": "Download the PDF and XML here: this shop does not email invoices.",
    "af_bad_email": "The email address is not valid (example: name@domain.mx)",
}
