"""Back-office texts of the Cajeros and Turnos pages, Spanish and English; merged into i18n's tables.

Must not: hold rules (PIN policy is poscore.pin's, corte arithmetic poscore.shift's), only labels.
"""
from __future__ import annotations

ES: dict[str, str] = {
    "cashiers": "Cajeros", "new_cashier": "Nuevo cajero", "role": "Rol", "role_cajero": "Cajero",
    "role_supervisor": "Supervisor", "pin": "PIN", "pin_new": "PIN nuevo (4 a 8 dígitos)", "pin_reset": "Cambiar PIN",
    "set_role": "Cambiar rol", "deactivate": "Desactivar", "activate": "Activar", "active": "Activo",
    "inactive_since": "Inactivo desde {date}", "cashier_saved": "Cambios guardados.",
    "pin_format": "El PIN debe tener de 4 a 8 dígitos.", "pin_trivial": "PIN demasiado fácil: evite repetir o seguir dígitos.",
    "invalid_name": "Escriba un nombre de usuario (máximo 100 caracteres).", "name_taken": "Ese usuario ya existe.",
    "invalid_role": "Rol no válido.",
    "shifts": "Turnos", "opened_at": "Apertura", "cashier": "Cajero", "opening_float": "Fondo", "state": "Estado",
    "shift_open": "Abierto", "shift_closed": "Cerrado", "cortes": "Cortes", "expected": "Esperado",
    "counted": "Contado", "difference": "Diferencia", "method": "Forma de pago", "corte_kind": "Corte",
    "movements": "Entradas y salidas", "reason": "Motivo", "authorizations": "Autorizaciones",
    "authorized_by": "Autorizó", "action": "Acción", "subject": "Sobre", "at": "Hora",
    "action_cancel_sale": "Cancelar venta", "action_discount": "Descuento", "action_open_drawer": "Abrir cajón",
    "action_return_sale": "Devolución",
    "review_cashier_inactive": "Revisar: cajero desactivado antes de esta hora",
    "review_second_z": "Revisar: el turno ya tenía un Corte Z", "no_shifts": "Aún no hay turnos.",
    "entrada": "Entrada", "salida": "Salida", "erp_expected": "Esperado según ventas recibidas", "day": "Día",
}

EN: dict[str, str] = {
    "cashiers": "Cashiers", "new_cashier": "New cashier", "role": "Role", "role_cajero": "Cashier",
    "role_supervisor": "Supervisor", "pin": "PIN", "pin_new": "New PIN (4 to 8 digits)", "pin_reset": "Change PIN",
    "set_role": "Change role", "deactivate": "Deactivate", "activate": "Activate", "active": "Active",
    "inactive_since": "Inactive since {date}", "cashier_saved": "Changes saved.",
    "pin_format": "The PIN must have 4 to 8 digits.", "pin_trivial": "PIN too easy: avoid repeated or consecutive digits.",
    "invalid_name": "Type a user name (at most 100 characters).", "name_taken": "That user already exists.",
    "invalid_role": "Invalid role.",
    "shifts": "Shifts", "opened_at": "Opened", "cashier": "Cashier", "opening_float": "Float", "state": "State",
    "shift_open": "Open", "shift_closed": "Closed", "cortes": "Reports", "expected": "Expected",
    "counted": "Counted", "difference": "Difference", "method": "Payment method", "corte_kind": "Report",
    "movements": "Cash in and out", "reason": "Reason", "authorizations": "Authorizations",
    "authorized_by": "Authorized by", "action": "Action", "subject": "About", "at": "Time",
    "action_cancel_sale": "Cancel sale", "action_discount": "Discount", "action_open_drawer": "Open drawer",
    "action_return_sale": "Return",
    "review_cashier_inactive": "Check: cashier deactivated before this time",
    "review_second_z": "Check: the shift already had a Z report", "no_shifts": "No shifts yet.",
    "entrada": "Cash in", "salida": "Cash out", "erp_expected": "Expected from sales received", "day": "Day",
}
