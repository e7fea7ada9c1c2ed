"""API keys: readable type prefix, 190 bits from a CSPRNG, and a CRC32 checksum.

A key looks like ``amp_mk_<32 base62 chars><6 base62 chars>``: ``amp_mk_`` marks a model key, ``amp_pk_``
a personal key. The last six characters are the CRC32 of the rest, so a leaked key can be recognised
offline by a secret scanner without asking the platform. Only the SHA-256 of the whole key is stored;
authentication compares that hash, so the database never holds a usable key.
"""

import hashlib
import hmac
import secrets
import zlib

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
MODEL_KEY_PREFIX = "amp_mk_"
PERSONAL_KEY_PREFIX = "amp_pk_"
RANDOM_LENGTH = 32  # 32 base62 characters = 190 bits
CHECKSUM_LENGTH = 6
DISPLAY_PREFIX_LENGTH = 12  # "amp_mk_" and five random characters: enough to tell keys apart in lists


def _base62(number: int, width: int) -> str:
    chars = []
    while number:
        number, rest = divmod(number, 62)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars)).rjust(width, "0")


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def generate(kind_prefix: str) -> str:
    body = kind_prefix + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _checksum(body)


def generate_model_key() -> str:
    return generate(MODEL_KEY_PREFIX)


def generate_personal_key() -> str:
    return generate(PERSONAL_KEY_PREFIX)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LENGTH]


def has_valid_checksum(key: str) -> bool:
    """True when the key has our shape and its checksum matches: lets us reject typos without a lookup."""
    if not key.startswith((MODEL_KEY_PREFIX, PERSONAL_KEY_PREFIX)):
        return False
    expected_length = len(MODEL_KEY_PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
    if len(key) != expected_length:
        return False
    body, checksum = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(_checksum(body), checksum)
