"""Hash primitives, each returning lower-case hex over explicitly encoded bytes."""

from __future__ import annotations

import hashlib
import hmac


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sha256_hex(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def md5_hex(message: bytes) -> str:
    return hashlib.md5(message, usedforsecurity=False).hexdigest()
