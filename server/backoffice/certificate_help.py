"""The words of the "Certificado HTTPS" page: how to install this install's CA on each kind of device.

What it is for: step-by-step instructions in Spanish (default) and English, rendered by
templates/certificate.html with the download URL and the CA's fingerprint filled in. Menu names are those of
recent Android (Chrome), iPadOS/iOS (Safari), Windows 10/11 and ChromeOS; makers move Android's menus, hence
the "search for" hint. What it must not do: hold any logic or read the certificate.
"""
from __future__ import annotations

Steps = list[tuple[str, list[str]]]

ES: Steps = [
    ("Android (Chrome)", [
        "Escanee el código QR con la cámara de la tableta, o escriba la dirección de descarga en Chrome.",
        ("Chrome avisa «La conexión no es privada» porque todavía no confía en esta CA: toque «Configuración "
        "avanzada» y luego «Continuar». Se descarga el archivo caja-ca.crt."),
        ("Abra Ajustes → Seguridad y privacidad → Más ajustes de seguridad → Cifrado y credenciales → Instalar un "
        "certificado → Certificado de CA (si no lo encuentra, busque «certificado» en Ajustes)."),
        ("Toque «Instalar de todos modos», confirme con el PIN o patrón de la tableta y elija caja-ca.crt en "
        "Descargas."),
        ("Compruebe la huella: Ajustes → … → Credenciales de confianza → Usuario → la CA de caja; su huella "
        "SHA-256 debe ser la que muestra esta página."),
        "Cierre Chrome por completo y abra la caja con la dirección https: ya no debe aparecer ningún aviso.",
    ]),
    ("iPad / iPhone (Safari)", [
        "Escanee el código QR con la app Cámara y ábralo en Safari (otro navegador no puede instalar perfiles).",
        ("Safari avisa «Esta conexión no es privada»: toque «Mostrar detalles», luego «visitar este sitio web» y "
        "confirme."),
        "Safari pregunta si permite descargar un perfil de configuración: toque «Permitir».",
        ("Abra Ajustes → «Perfil descargado» (o General → VPN y gestión de dispositivos) → la CA de caja → "
        "Instalar; escriba el código del iPad y toque Instalar otra vez."),
        ("Imprescindible: Ajustes → General → Información → Ajustes de confianza de certificados → active la CA de "
        "caja. Sin este paso el iPad la instala pero no confía en ella."),
        "Abra la caja en Safari con la dirección https; añádala a la pantalla de inicio si lo desea.",
    ]),
    ("Windows (Chrome o Edge)", [
        "Descargue caja-ca.crt con el enlace de esta página.",
        "Haga doble clic en el archivo → «Instalar certificado…» → Usuario actual → Siguiente.",
        ("Elija «Colocar todos los certificados en el siguiente almacén» → Examinar → «Entidades de certificación "
        "raíz de confianza» → Aceptar → Siguiente → Finalizar."),
        ("Windows muestra una advertencia con la huella (SHA-1); compare antes en la pestaña Detalles del "
        "certificado la huella SHA-256 con la de esta página y conteste «Sí»."),
        "Cierre todas las ventanas de Chrome o Edge y abra la caja con la dirección https.",
    ]),
    ("ChromeOS (Chromebook)", [
        "Descargue caja-ca.crt con el enlace de esta página.",
        ("Abra Configuración → Privacidad y seguridad → Seguridad → Administrar certificados (o escriba "
        "chrome://certificate-manager en la barra de direcciones)."),
        "En «Autoridades» (o «Certificados locales» → «Sus certificados»), toque Importar y elija caja-ca.crt.",
        "Marque «Confiar en este certificado para identificar sitios web» y acepte.",
        "Abra la caja con la dirección https.",
    ]),
]

EN: Steps = [
    ("Android (Chrome)", [
        "Scan the QR code with the tablet's camera, or type the download address into Chrome.",
        ("Chrome warns \"Your connection is not private\" because it does not trust this CA yet: tap \"Advanced\" "
        "then \"Proceed\". The file caja-ca.crt is downloaded."),
        ("Open Settings → Security & privacy → More security settings → Encryption & credentials → Install a "
        "certificate → CA certificate (if the menu differs, search Settings for \"certificate\")."),
        "Tap \"Install anyway\", confirm with the tablet's PIN or pattern and pick caja-ca.crt in Downloads.",
        ("Check the fingerprint: Settings → … → Trusted credentials → User → caja's CA; its SHA-256 fingerprint "
        "must be the one on this page."),
        "Close Chrome completely and open the till by its https address: no warning must appear.",
    ]),
    ("iPad / iPhone (Safari)", [
        "Scan the QR code with the Camera app and open it in Safari (other browsers cannot install profiles).",
        ("Safari warns \"This connection is not private\": tap \"Show details\", then \"visit this website\" and "
        "confirm."),
        "Safari asks whether to allow downloading a configuration profile: tap \"Allow\".",
        ("Open Settings → \"Profile downloaded\" (or General → VPN & Device Management) → caja's CA → Install; "
        "enter the passcode and tap Install again."),
        ("Required: Settings → General → About → Certificate Trust Settings → turn on caja's CA. Without this step "
        "the iPad installs it but does not trust it."),
        "Open the till in Safari by its https address; add it to the home screen if you like.",
    ]),
    ("Windows (Chrome or Edge)", [
        "Download caja-ca.crt with the link on this page.",
        "Double-click the file → \"Install Certificate…\" → Current user → Next.",
        ("Choose \"Place all certificates in the following store\" → Browse → \"Trusted Root Certification "
        "Authorities\" → OK → Next → Finish."),
        ("Windows shows a warning with the (SHA-1) thumbprint; first compare the SHA-256 fingerprint on the "
        "certificate's Details tab with this page's, then answer \"Yes\"."),
        "Close every Chrome or Edge window and open the till by its https address.",
    ]),
    ("ChromeOS (Chromebook)", [
        "Download caja-ca.crt with the link on this page.",
        ("Open Settings → Privacy and security → Security → Manage certificates (or type "
        "chrome://certificate-manager in the address bar)."),
        "Under \"Authorities\" (or \"Local certificates\" → \"Your certificates\"), tap Import and pick caja-ca.crt.",
        "Tick \"Trust this certificate for identifying websites\" and confirm.",
        "Open the till by its https address.",
    ]),
]


def steps(lang: str) -> Steps:
    return EN if lang == "en" else ES
