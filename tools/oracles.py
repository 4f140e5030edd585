"""Independent oracles: recompute a signature from a recorded string to sign.

None of these imports `signing`. Each is its own implementation of the
algorithm names in `vectors/schema.json`:
- `openssl`: the `openssl dgst` command line, as the MEXC docs use it;
- `cryptography`: pyca/cryptography's HMAC and hash primitives;
- `node`: Node.js `crypto`, all vectors in one process.
Each returns `(digest, signature)`; digest is None unless the algorithm has one.
A client-fault vector's wrong signature is recomputed from the texts `signing_texts`
reads off its `signed_with`.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

Result = tuple["str | None", str]

ALGORITHMS = ("hmac-sha256", "sha256", "md5", "sha256-with-secret-suffix", "sha256-digest-then-secret")
"""Every algorithm name each oracle computes; tests check it against the registry and `vectors/schema.json`."""


def with_case(hex_text: str, algorithm: Mapping[str, str]) -> str:
    """The signature as written: hex in the declared case, or base64 of the same bytes (`output: base64`)."""
    if algorithm.get("output") == "base64":
        return base64.b64encode(bytes.fromhex(hex_text)).decode("ascii")
    return hex_text.upper() if algorithm.get("hex_case") == "upper" else hex_text


def encode(text: str, algorithm: Mapping[str, str]) -> bytes:
    return text.encode(algorithm.get("text_encoding", "utf-8"))


SWAPPED_HMAC = {"key": "string_to_sign", "message": "secret"}


def signing_texts(secret: str, string_to_sign: str, signed_with: Mapping[str, object]) -> tuple[str, str]:
    """The `(secret, string_to_sign)` an oracle computes a vector's signature from, as a vector's `signed_with`
    (`vectors/schema.json`) says a buggy client did: the secret followed by `secret_suffix`; with `hmac` swapped,
    the string to sign in the key's place and the secret in the message's (HMAC-SHA256 only, `sigvec lint`)."""
    secret += str(signed_with.get("secret_suffix", ""))
    if signed_with.get("hmac") == SWAPPED_HMAC:
        return string_to_sign, secret
    return secret, string_to_sign


# --- openssl ------------------------------------------------------------------------


def openssl_dgst(digest: str, message: bytes, hmac_key: bytes | None = None) -> str:
    command = ["openssl", "dgst", f"-{digest}", "-r"]
    if hmac_key is not None:
        command += ["-mac", "HMAC", "-macopt", f"hexkey:{hmac_key.hex()}"]
    output = subprocess.run(command, input=message, capture_output=True, check=True).stdout
    return output.decode().split()[0]


def openssl_hmac_as_documented(secret: str, message: bytes) -> str:
    """`echo -n MESSAGE | openssl dgst -sha256 -hmac SECRET`, the MEXC docs' own command."""
    output = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret], input=message, capture_output=True, check=True
    ).stdout
    return output.decode().rsplit("= ", 1)[1].strip()


def openssl_oracle(algorithm: Mapping[str, str], secret: str, string_to_sign: str) -> Result:
    message, key = encode(string_to_sign, algorithm), encode(secret, algorithm)
    name = algorithm["name"]
    if name == "hmac-sha256":
        return None, with_case(openssl_dgst("sha256", message, hmac_key=key), algorithm)
    if name == "sha256":
        return None, with_case(openssl_dgst("sha256", message), algorithm)
    if name == "md5":
        return None, with_case(openssl_dgst("md5", message), algorithm)
    if name == "sha256-with-secret-suffix":
        return None, with_case(openssl_dgst("sha256", message + key), algorithm)
    if name == "sha256-digest-then-secret":
        digest = openssl_dgst("sha256", message)
        return digest, with_case(openssl_dgst("sha256", digest.encode() + key), algorithm)
    raise ValueError(f"unknown algorithm {name}")


# --- cryptography ---------------------------------------------------------------------


def crypto_hash(algorithm: hashes.HashAlgorithm, message: bytes) -> str:
    context = hashes.Hash(algorithm)
    context.update(message)
    return context.finalize().hex()


def cryptography_oracle(algorithm: Mapping[str, str], secret: str, string_to_sign: str) -> Result:
    message, key = encode(string_to_sign, algorithm), encode(secret, algorithm)
    name = algorithm["name"]
    if name == "hmac-sha256":
        mac = crypto_hmac.HMAC(key, hashes.SHA256())
        mac.update(message)
        return None, with_case(mac.finalize().hex(), algorithm)
    if name == "sha256":
        return None, with_case(crypto_hash(hashes.SHA256(), message), algorithm)
    if name == "md5":
        return None, with_case(crypto_hash(hashes.MD5(), message), algorithm)
    if name == "sha256-with-secret-suffix":
        return None, with_case(crypto_hash(hashes.SHA256(), message + key), algorithm)
    if name == "sha256-digest-then-secret":
        digest = crypto_hash(hashes.SHA256(), message)
        return digest, with_case(crypto_hash(hashes.SHA256(), digest.encode() + key), algorithm)
    raise ValueError(f"unknown algorithm {name}")


# --- node -----------------------------------------------------------------------------

NODE_PROGRAM = r"""
const crypto = require('crypto');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const hex = (h, c) =>
  c.output === 'base64' ? Buffer.from(h, 'hex').toString('base64') : (c.hex_case === 'upper' ? h.toUpperCase() : h);
const hash = (name, buf) => crypto.createHash(name).update(buf).digest('hex');
const out = cases.map(([a, secret, text]) => {
  const enc = a.text_encoding === 'latin-1' ? 'latin1' : 'utf8';
  const msg = Buffer.from(text, enc), key = Buffer.from(secret, enc);
  switch (a.name) {
    case 'hmac-sha256': return [null, hex(crypto.createHmac('sha256', key).update(msg).digest('hex'), a)];
    case 'sha256': return [null, hex(hash('sha256', msg), a)];
    case 'md5': return [null, hex(hash('md5', msg), a)];
    case 'sha256-with-secret-suffix': return [null, hex(hash('sha256', Buffer.concat([msg, key])), a)];
    case 'sha256-digest-then-secret': {
      const d = hash('sha256', msg);
      return [d, hex(hash('sha256', Buffer.concat([Buffer.from(d), key])), a)];
    }
    default: throw new Error('unknown algorithm ' + a.name);
  }
});
process.stdout.write(JSON.stringify(out));
"""


def node_oracle_batch(cases: Sequence[tuple[Mapping[str, str], str, str]]) -> list[Result]:
    """Every `(algorithm, secret, string_to_sign)` in one Node.js process."""
    payload = json.dumps([[dict(algorithm), secret, text] for algorithm, secret, text in cases])
    output = subprocess.run(["node", "-e", NODE_PROGRAM], input=payload.encode(), capture_output=True, check=True).stdout
    return [(digest, signature) for digest, signature in json.loads(output)]
