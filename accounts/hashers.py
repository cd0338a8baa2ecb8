"""PBKDF2 on SM3 (GB/T 32905), for sites whose 商用密码 assessment asks for a national-standard hash.

An option beside Django's default, not the default: list it first in ``PASSWORD_HASHERS``
(``PASSWORD_HASHER_SM3=1``) and each password takes it when it is next set or checked. The digest comes
from the ``cryptography`` package (``hashes.SM3``), not from hashlib, whose OpenSSL may lack SM3."""

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare


class PBKDF2SM3PasswordHasher(BasePasswordHasher):
    """``pbkdf2_sm3$<iterations>$<salt>$<base64 of 32 bytes>``."""

    algorithm = "pbkdf2_sm3"
    iterations = 600_000
    digest_size = 32

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        kdf = PBKDF2HMAC(
            algorithm=hashes.SM3(), length=self.digest_size, salt=salt.encode(), iterations=iterations
        )
        digest = base64.b64encode(kdf.derive(password.encode())).decode("ascii")
        return f"{self.algorithm}${iterations}${salt}${digest}"

    def decode(self, encoded: str) -> dict:
        algorithm, iterations, salt, digest = encoded.split("$", 3)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "iterations": int(iterations), "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"], decoded["iterations"]))

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "iterations": decoded["iterations"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        return self.decode(encoded)["iterations"] != self.iterations

    def harden_runtime(self, password: str, encoded: str) -> None:
        extra = self.iterations - self.decode(encoded)["iterations"]
        if extra > 0:
            self.encode(password, self.salt(), extra)
