"""Where the audit signing key comes from. It is never stored in the database.

In order: ``AUDIT_SIGNING_KEY`` (the key itself, PEM or base64, e.g. from a secret store), then
``AUDIT_SIGNING_KEY_FILE`` (a PEM file, which must exist). With neither set, as in the demo, the
key is ``var/audit-signing-key.pem``, made on first use so ``make demo`` needs no set-up.
``AUDIT_PREVIOUS_PUBLIC_KEYS`` keeps the checkpoints of rotated keys verifiable.
"""

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .checkpoints import key_id, parse_private_key, parse_public_key, private_key_pem

DEMO_KEY_NAME = "audit-signing-key.pem"


def demo_key_path() -> Path:
    return Path(settings.VAR_DIR) / DEMO_KEY_NAME


def signing_key() -> Ed25519PrivateKey:
    """The private key that signs checkpoints (made under ``var/`` when none is configured)."""
    return _configured_key() or _demo_key()


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The public keys whose checkpoints are trusted: the current key and the rotated ones.

    Never makes a key: verifying does not change anything."""
    keys = [parse_trusted_key(value) for value in settings.AUDIT_PREVIOUS_PUBLIC_KEYS]
    current = _configured_key()
    if current is not None:
        keys.append(current.public_key())
    return {key_id(key): key for key in keys}


def parse_trusted_key(value: str) -> Ed25519PublicKey:
    """A public key given as the key itself or as a file name; ImproperlyConfigured if neither."""
    try:
        return parse_public_key(value)
    except ValueError:
        pass
    try:
        return parse_public_key(Path(value).read_text(encoding="ascii"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"Cannot read the audit public key {value[:60]!r}: {error}"
        ) from error


def write_new_key(path: Path) -> Ed25519PrivateKey:
    """Write a new private key to ``path``, readable by its owner only; never overwrite a key.

    The file appears complete or not at all (written aside, then linked into place), so two
    processes starting at once end up sharing one key: the loser raises FileExistsError."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".audit-key-")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(private_key_pem(key))
        os.link(draft, path)
    finally:
        os.unlink(draft)
    return key


def _configured_key() -> Ed25519PrivateKey | None:
    """The key the settings name, or the demo's key file if it exists; None if there is none."""
    if settings.AUDIT_SIGNING_KEY:
        return _parse(settings.AUDIT_SIGNING_KEY, "AUDIT_SIGNING_KEY")
    if settings.AUDIT_SIGNING_KEY_FILE:
        path = Path(settings.AUDIT_SIGNING_KEY_FILE)
        if not path.is_file():
            raise ImproperlyConfigured(
                f"AUDIT_SIGNING_KEY_FILE names {path}, which does not exist. Make a key with "
                "'coproduce audit new-key --output FILE' (see docs/security.md)."
            )
        return _read(path)
    path = demo_key_path()
    return _read(path) if path.is_file() else None


def _demo_key() -> Ed25519PrivateKey:
    try:
        return write_new_key(demo_key_path())
    except FileExistsError:
        return _read(demo_key_path())


def _read(path: Path) -> Ed25519PrivateKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"Cannot read the audit signing key {path}: {error}") from error
    return _parse(text, str(path))


def _parse(text: str, source: str) -> Ed25519PrivateKey:
    try:
        return parse_private_key(text)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The audit signing key in {source} is not an Ed25519 private key: {error}"
        ) from error
