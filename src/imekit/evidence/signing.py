"""Ed25519 keys for signing evidence heads and bundles (the `cryptography` package).

Private keys are PKCS#8 PEM files readable only by their owner; public keys are
SubjectPublicKeyInfo PEM. A key is named by its key id: the SHA-256 of the raw 32-byte
public key, in hex.
"""

from __future__ import annotations

import base64
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError

ALGORITHM = "ed25519"
KEY_ENV = "IMEKIT_EVIDENCE_KEY"
PRIVATE_NAME = "imekit-evidence.key"
PUBLIC_NAME = "imekit-evidence.pub"
_KEYGEN_HINT = "make a key pair with `imekit evidence keygen -o DIR`"


@dataclass(frozen=True)
class KeyPair:
    private_path: Path
    public_path: Path
    key_id: str


def generate_keypair(directory: Path, *, overwrite: bool = False) -> KeyPair:
    """Write a new Ed25519 key pair into `directory` (private key mode 0600)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    directory.mkdir(parents=True, exist_ok=True)
    private_path = directory / PRIVATE_NAME
    public_path = directory / PUBLIC_NAME
    for path in (private_path, public_path):
        if path.exists() and not overwrite:
            raise ImekitError(
                f"{path} already exists; refusing to overwrite a signing key",
                hint="choose another folder with -o, or move the old key away first",
            )
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Create the private key 0600 from the start: no window where it is world-readable.
    if private_path.exists():
        private_path.unlink()
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
    return KeyPair(private_path, public_path, key_id(raw_public_key(key.public_key())))


class Signer:
    """A loaded private key."""

    def __init__(self, private_key: Any, source: str) -> None:
        self._key = private_key
        self.source = source
        self.public_raw = raw_public_key(private_key.public_key())
        self.key_id = key_id(self.public_raw)

    def sign(self, data: bytes) -> dict[str, str]:
        return {
            "algorithm": ALGORITHM,
            "key_id": self.key_id,
            "public_key": base64.b64encode(self.public_raw).decode("ascii"),
            "value": base64.b64encode(self._key.sign(data)).decode("ascii"),
        }


def load_signer(path: Path | str | None = None, *, required: bool = True) -> Signer | None:
    """The signing key from `path`, else from $IMEKIT_EVIDENCE_KEY; None if neither and not
    required."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path is None:
        env = os.environ.get(KEY_ENV, "").strip()
        path = env or None
    if path is None:
        if required:
            raise ImekitError(
                f"no signing key: pass --key FILE or set {KEY_ENV} to a private key file",
                hint=_KEYGEN_HINT,
            )
        return None
    key_path = Path(path)
    try:
        data = key_path.read_bytes()
    except OSError as exc:
        raise ImekitError(
            f"cannot read signing key {key_path}: {exc.strerror}", hint=_KEYGEN_HINT
        ) from exc
    mode = key_path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"imekit: warning: signing key {key_path} is readable by others; chmod 600 it",
            file=sys.stderr,
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ImekitError(
            f"{key_path} is not an unencrypted PEM private key", hint=_KEYGEN_HINT
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImekitError(f"{key_path} is not an Ed25519 private key", hint=_KEYGEN_HINT)
    return Signer(key, str(key_path))


def load_public_key(path: Path | str) -> bytes:
    """The raw 32-byte public key from a PEM public key file."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except OSError as exc:
        raise ImekitError(f"cannot read public key {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ImekitError(
            f"{path} is not a PEM public key",
            hint="pass the .pub file made by `imekit evidence keygen`",
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ImekitError(f"{path} is not an Ed25519 public key")
    return raw_public_key(key)


def raw_public_key(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(public_raw).hexdigest()


def verify_signature(
    signature: Any, data: bytes, *, pinned: bytes | None = None, pinned_name: str = "the pinned key"
) -> str | None:
    """None when `signature` (a dict as made by Signer.sign) is a valid signature of `data`
    (by the `pinned` key when given, named `pinned_name` in the reason), else the reason it
    is not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(signature, dict):
        return "no signature"
    if signature.get("algorithm") != ALGORITHM:
        return f"unsupported signature algorithm {signature.get('algorithm')!r}"
    try:
        public_raw = base64.b64decode(str(signature.get("public_key", "")), validate=True)
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        public = Ed25519PublicKey.from_public_bytes(public_raw)
    except ValueError:
        return "the signature or its public key is not valid base64 Ed25519 material"
    if signature.get("key_id") != key_id(public_raw):
        return "the signature's key id does not match its public key"
    if pinned is not None and public_raw != pinned:
        return (
            f"signed by key {key_id(public_raw)[:16]}, not by {pinned_name} {key_id(pinned)[:16]}"
        )
    try:
        public.verify(value, data)
    except InvalidSignature:
        return "the signature does not match the signed data"
    return None
