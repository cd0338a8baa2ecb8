"""Encryption of personal information at rest, and the keyed blind index that finds it again.

A value is stored as ``pii1$<cipher>$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``:

- ``cipher`` is ``aes`` (AES-256-GCM, the default) or ``sm4`` (SM4-GCM, for sites assessed under the
  commercial-cryptography rules, 密评), chosen by ``PII_CIPHER``; both come from ``cryptography``.
- ``key id`` names one of the keys of ``PII_KEYS`` (``id1:base64key,id2:base64key``, 32 bytes each): the
  first encrypts, every one decrypts, so a new key goes first and ``manage.py rotate_pii_key`` re-encrypts
  the rows with it before the old one is dropped. Each cipher uses its own subkey derived from the key
  (HKDF-SHA256), so the same key never serves two algorithms.

Ciphertext is random (a fresh nonce every time), so the database cannot compare it: an equality look-up
(one survey answer per phone, staff finding a wish by phone, signing in by phone) goes through
:func:`blind_index`, an HMAC-SHA256 of the value under ``PII_INDEX_KEY``, a key of its own that is not
rotated with the encryption keys (an index outlives the erasure of its value, so it cannot be recomputed).
A value without the prefix is clear text written before encryption existed: it is read as it is, and the
migration that introduced encryption rewrote every such row.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "pii1$"
CIPHERS = ("aes", "sm4")
_CIPHER_SETTING = {"aes-gcm": "aes", "aes": "aes", "sm4-gcm": "sm4", "sm4": "sm4"}
_NONCE = 12
_TAG = 16


class DecryptionError(Exception):
    """A stored value that no configured key opens (a missing key, or a value that was tampered with)."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # id → master key, in the order of PII_KEYS
    current: str
    cipher: str
    index_key: bytes


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes (base64 of `openssl rand 32`)")
    return key


def parse_keys(text: str) -> dict[str, bytes]:
    """``id1:base64key,id2:base64key`` → ``{"id1": key, "id2": key}`` (the first is the current key)."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or "$" in key_id:
            raise ImproperlyConfigured("PII_KEYS: each key is written id:base64key")
        if key_id in keys:
            raise ImproperlyConfigured(f"PII_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(encoded, f"PII_KEYS[{key_id}]")
    if not keys:
        raise ImproperlyConfigured("PII_KEYS is empty: personal information cannot be encrypted")
    return keys


def keyring() -> Keyring:
    """The keys of the settings (read once per process; tests that change them call ``reset``)."""
    return _keyring(settings.PII_KEYS, settings.PII_CIPHER, settings.PII_INDEX_KEY)


@functools.cache
def _keyring(keys_text: str, cipher_text: str, index_text: str) -> Keyring:
    keys = parse_keys(keys_text)
    cipher = _CIPHER_SETTING.get((cipher_text or "").lower())
    if cipher is None:
        raise ImproperlyConfigured("PII_CIPHER is aes-gcm or sm4-gcm")
    if not index_text:
        raise ImproperlyConfigured("PII_INDEX_KEY is empty: personal information cannot be looked up")
    return Keyring(keys, next(iter(keys)), cipher, _decode_key(index_text, "PII_INDEX_KEY"))


def reset() -> None:
    _keyring.cache_clear()
    _subkey.cache_clear()


@functools.cache
def _subkey(master: bytes, cipher: str) -> bytes:
    length = 32 if cipher == "aes" else 16
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=None, info=f"jiangyan-pii-{cipher}".encode()
    ).derive(master)


def _seal(cipher: str, key: bytes, plain: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    if cipher == "aes":
        return nonce + AESGCM(key).encrypt(nonce, plain, None)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plain) + encryptor.finalize()
    return nonce + body + encryptor.tag


def _open(cipher: str, key: bytes, sealed: bytes) -> bytes:
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    if cipher == "aes":
        return AESGCM(key).decrypt(nonce, body, None)
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-_TAG:])).decryptor()
    return decryptor.update(body[:-_TAG]) + decryptor.finalize()


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def encrypt(value: str) -> str:
    """The stored form of ``value`` under the current key and cipher."""
    ring = keyring()
    sealed = _seal(ring.cipher, _subkey(ring.keys[ring.current], ring.cipher), value.encode())
    return f"{PREFIX}{ring.cipher}${ring.current}${base64.b64encode(sealed).decode()}"


def decrypt(stored: str) -> str:
    """The clear text of a stored value (clear text written before encryption is returned as it is)."""
    if not is_encrypted(stored):
        return stored
    try:
        cipher, key_id, encoded = stored[len(PREFIX) :].split("$", 2)
        ring = keyring()
        if cipher not in CIPHERS or key_id not in ring.keys:
            raise DecryptionError(f"no key {key_id!r} for cipher {cipher!r} in PII_KEYS")
        return _open(cipher, _subkey(ring.keys[key_id], cipher), base64.b64decode(encoded)).decode()
    except (ValueError, InvalidTag, binascii.Error) as exc:
        raise DecryptionError("a stored personal value does not decrypt (tampered, or a wrong key)") from exc


def needs_rotation(stored: str | None) -> bool:
    """Whether a stored value is clear text or sealed with another key or cipher than the current ones."""
    if not stored:
        return False
    ring = keyring()
    return not stored.startswith(f"{PREFIX}{ring.cipher}${ring.current}$")


def normalise(value: str) -> str:
    """What the blind index compares: the value without surrounding blanks (phones are validated to
    digits before they are stored)."""
    return value.strip()


def blind_index(value: str | None) -> str | None:
    """The keyed HMAC-SHA256 of a value, for equality look-ups; None for an empty value."""
    if not value or not normalise(value):
        return None
    return hmac.new(keyring().index_key, normalise(value).encode(), hashlib.sha256).hexdigest()


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def check_keys(app_configs=None, **kwargs):
    """System check: the keys of the settings parse (a deployment with a bad key does not start)."""
    from django.core import checks

    try:
        keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="jiangyan.E020")]
    return []
