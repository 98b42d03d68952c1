"""Personal data at rest: identity numbers and names are encrypted (Fernet; several keys allow rotation,
the first encrypts), and households are found by a keyed hash (HMAC-SHA256) of the identity number, so the
number is never stored in clear."""

import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet


class IdentityProtector:
    def __init__(self, encryption_keys: list[str], hash_key: str):
        if not encryption_keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in encryption_keys])
        self._hash_key = hash_key.encode()

    def lookup_hash(self, identity_number: str) -> bytes:
        return hmac.new(self._hash_key, identity_number.encode(), hashlib.sha256).digest()

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(bytes(token)).decode()

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(bytes(token))
