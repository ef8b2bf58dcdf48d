"""Signed checkpoints of the audit log, after Certificate Transparency's signed tree heads
(RFC 9162).

The hash chain shows that no entry was edited *between* two others, but whoever can write to the
database can also delete the last entries, or rewrite one and recompute every later hash with
:func:`coproduce.audit.chain.entry_hash`. A checkpoint closes that gap: it says "the log had COUNT
entries and the last one's hash was HEAD at TIME", signed with an Ed25519 key the database does
not hold. A log that no longer extends every checkpoint was truncated or rewritten, and a
checkpoint cannot be made up without the key.

Nothing here imports Django, so an export can be checked on any machine.
"""

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "coproduce-audit-checkpoint/v1"
HASH_LENGTH = 64
# A log is counted in entries; no deployment will reach this, and a larger figure is junk.
MAX_COUNT = 2**63 - 1


def utc_text(moment: dt.datetime) -> str:
    """A time as the checkpoint signs it: UTC, to the microsecond, so it always reads the same."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def signed_message(*, count: int, head: str, time: str) -> bytes:
    """The bytes a signature covers: four lines of text, so any Ed25519 tool can check them."""
    return f"{FORMAT}\n{count}\n{head}\n{time}\n".encode("ascii")


@dataclass(frozen=True)
class SignedHead:
    """A checkpoint as it is published: what was signed, by which key, and the signature."""

    count: int
    head: str
    time: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        return signed_message(count=self.count, head=self.head, time=self.time)

    def label(self) -> str:
        return f"the checkpoint of {self.time} ({self.count} entries)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "count": self.count,
            "head": self.head,
            "time": self.time,
            "key_id": self.key_id,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> "SignedHead":
        """Read a published checkpoint; ValueError names what is wrong with it."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a checkpoint: expected an object with format {FORMAT!r}")
        count, head = data.get("count"), data.get("head")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
            raise ValueError("its count is not a whole number of entries")
        if not isinstance(head, str) or len(head) != HASH_LENGTH:
            raise ValueError("its head is not a SHA-256 hash")
        fields = {name: data.get(name) for name in ("time", "key_id", "signature")}
        for name, value in fields.items():
            if not isinstance(value, str) or not value or len(value) > 200:
                raise ValueError(f"its {name} is missing")
        return cls(count=count, head=head, **fields)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short name for a public key: the start of the SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_head(
    private_key: Ed25519PrivateKey, *, count: int, head: str, time: dt.datetime
) -> SignedHead:
    text = utc_text(time)
    signature = private_key.sign(signed_message(count=count, head=head, time=text))
    return SignedHead(
        count=count,
        head=head,
        time=text,
        key_id=key_id(private_key.public_key()),
        signature=base64.b64encode(signature).decode("ascii"),
    )


def signature_problem(checkpoint: SignedHead, trusted: Mapping[str, Ed25519PublicKey]) -> str:
    """Why a checkpoint's signature cannot be trusted, or an empty string when it can."""
    public_key = trusted.get(checkpoint.key_id)
    if public_key is None:
        return (
            f"it is signed by key {checkpoint.key_id}, which is not a trusted audit key "
            "(a forged checkpoint, or a key rotated away: see docs/security.md)"
        )
    try:
        public_key.verify(
            base64.b64decode(checkpoint.signature, validate=True), checkpoint.message()
        )
    except (InvalidSignature, binascii.Error, ValueError):
        return "its signature does not match its count, head and time (forged or altered)"
    return ""


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key from PEM, or from the base64 or hex of its 32 raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = _load_pem(serialization.load_pem_public_key, text)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw_32_bytes(text))


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """A private key from PEM (PKCS#8, as ``openssl genpkey -algorithm ed25519`` writes it), or
    from the base64 or hex of its 32 raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = _load_pem(serialization.load_pem_private_key, text, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM key is not an Ed25519 private key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw_32_bytes(text))


def _load_pem(load: Callable[..., Any], text: str, **options: Any) -> Any:
    try:
        return load(text.encode("ascii"), **options)
    except (TypeError, UnsupportedAlgorithm, UnicodeEncodeError) as error:
        # An encrypted key (TypeError), an algorithm this build lacks, a non-ASCII file.
        raise ValueError(f"the PEM key cannot be read: {error}") from error


def _raw_32_bytes(text: str) -> bytes:
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as error:
        raise ValueError("the key is neither PEM nor the base64 or hex of 32 bytes") from error
    if len(raw) != 32:
        raise ValueError("an Ed25519 key is 32 bytes long")
    return raw


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def private_key_base64(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode("ascii")


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
