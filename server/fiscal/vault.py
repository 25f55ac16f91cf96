"""The CSD private key at rest: AES-256-GCM under a key derived from the server secret (CAJA_SECRET_KEY).

What it is for: `seal_key(secret, der)` → bytes to store; `open_key(secret, blob)` → the DER back. A copy of the
database alone does not give away the shop's CSD; the server secret is needed too.
What it must not do: log, return to a page or export the key; keep the CSD's password (the key is stored
decrypted from the SAT's .key and re-encrypted here, so the password is not needed again).
"""
from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_INFO = b"caja csd private key v1"


def _aes(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return AESGCM(key)


def seal_key(secret: str, der: bytes) -> bytes:
    nonce = os.urandom(12)
    return _VERSION + nonce + _aes(secret).encrypt(nonce, der, _INFO)


def open_key(secret: str, blob: bytes) -> bytes:
    """Raises ``cryptography.exceptions.InvalidTag`` when the server secret changed since the upload."""
    if blob[:1] != _VERSION:
        raise ValueError("unknown key format")
    return _aes(secret).decrypt(blob[1:13], blob[13:], _INFO)
