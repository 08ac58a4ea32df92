"""Electronic signatures (21 CFR Part 11 style): password hashes, content hashes, seals.

Pure rules, no database:

* :func:`hash_password` / :func:`check_password` — salted scrypt (standard library
  ``hashlib.scrypt``), stored as one text ``scrypt$n$r$p$salt$hash`` so the cost can be raised
  later without breaking older hashes.
* :func:`content_hash` — SHA-256 of a record's signed content as canonical JSON. A signature
  keeps the hash it was made over; when the record's content changes, the current hash differs
  and the signature shows as invalid. The hash includes the record's kind and id, so a
  signature row copied to another record never matches that record.
* :func:`seal` — SHA-256 over the signature's own fields and the content hash; ``qms verify``
  recomputes it, so a signature row edited or copied outside the app is caught even when its
  audit events were forged along with it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

MEANINGS = ("authored", "reviewed", "approved")
MEANING_TEXT = {"authored": "Authored", "reviewed": "Reviewed", "approved": "Approved"}

#: scrypt cost: n = 2**14, r = 8, p = 1 (about 16 MB and 50 ms); older hashes keep their own
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD = 8


class PasswordError(ValueError):
    """A password that may not be set; ``str(e)`` is a sentence for the user."""


def password_problem(password: str, *, username: str = "") -> str:
    """Why ``password`` may not be used, or ""."""
    if len(password) < MIN_PASSWORD:
        return f"A password needs at least {MIN_PASSWORD} characters."
    if password.strip() != password:
        return "A password may not begin or end with a space."
    if username and password.casefold() == username.casefold():
        return "A password may not be the user name."
    return ""


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N,
                  r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                         maxmem=256 * r * n + 2 ** 20, dklen=32)
    enc = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${enc(salt)}${enc(key)}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (compared in constant time)."""
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        n, r, p = int(n), int(r), int(p)
        if not (2 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        want = base64.b64decode(key, validate=True)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt, validate=True),
                             n=n, r=r, p=p, maxmem=256 * r * n + 2 ** 20, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(want, got)


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def content_hash(entity: str, record_id: int, content: dict) -> str:
    """The hash a signature on record (``entity``, ``record_id``) is bound to. ``content`` is
    everything the signer signed (text, numbers, attached files' SHA-256), JSON-able."""
    text = _canonical({"entity": entity, "id": int(record_id), "content": content})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(*, entity: str, record_id: int, meaning: str, user: str, signer_name: str,
         signed_at: dt.datetime | str, record_hash: str) -> str:
    at = signed_at.isoformat(timespec="seconds") if isinstance(signed_at, dt.datetime) \
        else str(signed_at).replace(" ", "T")[:19]
    text = _canonical([entity, int(record_id), meaning, user, signer_name, at, record_hash])
    return hashlib.sha256(("qms-signature\x00" + text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignatureState:
    """How a signature stands against its record now."""

    valid: bool
    #: "" when valid, else one sentence: why it no longer counts
    reason: str


def signature_state(*, stored_hash: str, current_hash: str, stored_seal: str,
                    expected_seal: str) -> SignatureState:
    if not stored_seal:
        return SignatureState(False, "Signed before signatures were bound to content; "
                                     "it records who approved, not what.")
    if not hmac.compare_digest(stored_seal, expected_seal):
        return SignatureState(False, "The signature record was altered outside the app.")
    if not hmac.compare_digest(stored_hash, current_hash):
        return SignatureState(False, "The content changed after it was signed.")
    return SignatureState(True, "")


def local_time_text(utc: dt.datetime, local: dt.datetime | None = None) -> str:
    """ISO 8601 local time with its offset for a naive-UTC ``utc`` (the signer's clock)."""
    aware = utc.replace(tzinfo=dt.timezone.utc)
    loc = (local or aware).astimezone()
    return loc.isoformat(timespec="seconds")
