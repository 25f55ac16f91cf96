"""Cashier PINs: the policy (4–8 digits, not trivially guessable) and the verifier a till checks offline.

The verifier is PBKDF2-HMAC-SHA256 with a per-user random salt and a high iteration count, because that is
the slow salted hash WebCrypto offers (``crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", ...})``):
the till checks a typed PIN without the network, and the ERP and the tests check it with
``hashlib.pbkdf2_hmac`` (or, where a runtime lacks it, the same function written out here). Trade-off: a PIN has at most 10⁸ values, so anyone who copies the
device's storage can still try them all; the iterations only make each try cost (10⁴ four-digit PINs ×
``ITERATIONS`` hashes), and the salt stops one precomputed table serving every user. Long PINs, deactivating a
lost device's cashiers and resetting PINs are the real defence. Text form: ``pbkdf2_sha256$<iter>$<salt b64>$<hash
b64>``.

Must not: make salts (the caller passes random bytes in: poscore has no randomness) or keep PINs anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from dataclasses import dataclass

ALGORITHM = "pbkdf2_sha256"
# OWASP's figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet); a tablet's WebCrypto does it in well
# under a second.
ITERATIONS = 600_000
MIN_ITERATIONS = 1_000  # below this a stored verifier is refused: it would not slow anybody
SALT_BYTES = 16
HASH_BYTES = 32
MIN_LEN, MAX_LEN = 4, 8


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` is not acceptable (a messages code), or None. Refused: not 4–8 ASCII digits, one digit
    repeated ("1111"), a run up or down ("1234", "9876", "0123"), or a short pattern repeated ("1212")."""
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and MIN_LEN <= len(pin) <= MAX_LEN):
        return "pin_format"
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {9}):
        return "pin_trivial"
    for size in (2, 3, 4):
        if len(pin) % size == 0 and len(pin) > size and pin == pin[:size] * (len(pin) // size):
            return "pin_trivial"
    return None


@dataclass(frozen=True, slots=True)
class PinVerifier:
    iterations: int
    salt: bytes
    digest: bytes

    def to_text(self) -> str:
        b64 = base64.b64encode
        return f"{ALGORITHM}${self.iterations}${b64(self.salt).decode()}${b64(self.digest).decode()}"

    def to_json(self) -> dict[str, object]:
        """What the till needs for WebCrypto: algorithm, iterations, salt and hash (base64)."""
        return {"algorithm": "PBKDF2-SHA256", "iterations": self.iterations,
                "salt": base64.b64encode(self.salt).decode(), "hash": base64.b64encode(self.digest).decode()}

    @classmethod
    def from_text(cls, text: str) -> PinVerifier:
        """Raises ``ValueError`` for anything that is not a verifier this module made."""
        parts = text.split("$")
        if len(parts) != 4 or parts[0] != ALGORITHM or not parts[1].isdigit():
            raise ValueError("not a PIN verifier")
        iterations = int(parts[1])
        salt, digest = base64.b64decode(parts[2], validate=True), base64.b64decode(parts[3], validate=True)
        if iterations < MIN_ITERATIONS or len(salt) < 8 or len(digest) != HASH_BYTES:
            raise ValueError("weak or damaged PIN verifier")
        return cls(iterations, salt, digest)


def _pbkdf2_pure(password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) in plain Python, for runtimes whose hashlib lacks ``pbkdf2_hmac``
    (Pyodide without its OpenSSL package). Slow at ``ITERATIONS``: the till verifies through WebCrypto instead;
    this keeps poscore's verifier the same function in every interpreter."""
    inner, outer = hashlib.sha256(), hashlib.sha256()
    key = password if len(password) <= 64 else hashlib.sha256(password).digest()
    key = key.ljust(64, b"\0")
    inner.update(bytes(b ^ 0x36 for b in key))
    outer.update(bytes(b ^ 0x5C for b in key))

    def prf(msg: bytes) -> bytes:
        i, o = inner.copy(), outer.copy()
        i.update(msg)
        o.update(i.digest())
        return o.digest()

    out = b""
    block = 1
    while len(out) < length:
        u = prf(salt + block.to_bytes(4, "big"))
        acc = int.from_bytes(u, "big")
        for _ in range(iterations - 1):
            u = prf(u)
            acc ^= int.from_bytes(u, "big")
        out += acc.to_bytes(32, "big")
        block += 1
    return out[:length]


def pbkdf2_sha256(password: bytes, salt: bytes, iterations: int, length: int = HASH_BYTES) -> bytes:
    """``hashlib.pbkdf2_hmac("sha256", ...)`` where the runtime has it, else the same function in Python."""
    native = getattr(hashlib, "pbkdf2_hmac", None)
    if native is not None:
        return native("sha256", password, salt, iterations, length)  # type: ignore[no-any-return]
    return _pbkdf2_pure(password, salt, iterations, length)


def make_verifier(pin: str, salt: bytes, iterations: int = ITERATIONS) -> PinVerifier:
    """The verifier of an acceptable ``pin`` with ``salt`` (``SALT_BYTES`` random bytes from the caller).
    Raises ``ValueError`` with the ``pin_problem`` code when the PIN breaks the policy."""
    problem = pin_problem(pin)
    if problem is not None:
        raise ValueError(problem)
    if len(salt) < 8 or iterations < MIN_ITERATIONS:
        raise ValueError("weak PIN parameters")
    return PinVerifier(iterations, salt, pbkdf2_sha256(pin.encode(), salt, iterations))


def check_pin(pin: str, verifier: PinVerifier) -> bool:
    """True when ``pin`` matches; compares in constant time."""
    if not isinstance(pin, str) or not pin.isascii():
        return False
    got = pbkdf2_sha256(pin.encode(), verifier.salt, verifier.iterations)
    return hmac.compare_digest(got, verifier.digest)
