"""The audit log: one row per state change, each sealed with the hash of the row before it.

Rows are append-only. Personal data is never copied into a row: people and objects are referenced
by id, so erasing a person later leaves the chain intact and verifiable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .chain import GENESIS_HASH  # noqa: F401 - where writers and tests have always found it
from .checkpoints import SignedHead, utc_text


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditEntry(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    payload = models.TextField(_("payload (canonical JSON)"), default="{}")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            # Two entries claiming the same predecessor would be a fork in the chain.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_single_successor"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only")


class Checkpoint(models.Model):
    """A signed statement of the log's head: ``entry_count`` entries, the last one's hash, the time.

    The signature is made with a key the database does not hold (see ``audit/keys.py``), so a
    checkpoint cannot be forged by whoever can write here; see ``audit/checkpoints.py``.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    entry_count = models.PositiveBigIntegerField(_("entries"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    key_id = models.CharField(_("key id"), max_length=16)
    signature = models.CharField(_("signature (base64)"), max_length=100)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"{self.entry_count} entries at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit checkpoints are append-only")

    def signed(self) -> SignedHead:
        """The checkpoint as it is published and verified."""
        return SignedHead(
            count=self.entry_count,
            head=self.head_hash,
            time=utc_text(self.created_at),
            key_id=self.key_id,
            signature=self.signature,
        )
