from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from .models import AuditEntry, Checkpoint
from .services import audit_record


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is changed by services alone, never by hand."""

    list_display = ["id", "created_at", "action", "object_type", "object_id", "actor_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id", "hash"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    """Read-only: checkpoints are signed by ``coproduce audit checkpoint`` and after tallies."""

    list_display = ["id", "created_at", "entry_count", "head_hash", "key_id"]
    search_fields = ["head_hash", "key_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin screens write through here so a hand edit leaves an audit entry like any service.

    Django runs the add, change and delete views inside one transaction, so the change and its
    audit rows commit together. Inline rows are audited too (one entry per inline that changed),
    so nothing edited on a change form escapes the log.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            target=obj,
            payload={"fields": sorted(form.changed_data)},
        )

    def apply_service(
        self,
        request,
        objects: Iterable[models.Model],
        call: Callable[[models.Model], Any],
        done: str,
    ) -> None:
        """Run a service on each selected object, for admin actions: the service checks the
        admin user's permission like any caller's, and each refusal is reported by name, so
        the admin never changes a row behind the services' back. ``done`` is a message with
        ``%(object)s``."""
        for obj in objects:
            try:
                call(obj)
            except (PermissionDenied, ValidationError) as error:
                reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
                self.message_user(request, f"{obj}: {' '.join(reasons)}", level=messages.ERROR)
            else:
                self.message_user(request, done % {"object": obj}, level=messages.SUCCESS)

    def save_formset(self, request, form, formset, change):
        """Save an inline's rows, then record which rows it added, changed and deleted."""
        deleted = sorted(
            deleted_form.instance.pk
            for deleted_form in formset.deleted_forms
            if deleted_form.instance.pk is not None
        )
        super().save_formset(request, form, formset, change)
        added = sorted(obj.pk for obj in formset.new_objects)
        changed = [
            {"id": obj.pk, "fields": sorted(fields)} for obj, fields in formset.changed_objects
        ]
        if added or changed or deleted:
            audit_record(
                actor=request.user,
                action="admin.inline_change",
                target=form.instance,
                payload={
                    "inline": formset.model._meta.label_lower,
                    "added": added,
                    "changed": changed,
                    "deleted": deleted,
                },
            )

    def delete_model(self, request, obj):
        label, pk = obj._meta.label_lower, obj.pk
        super().delete_model(request, obj)
        audit_record(actor=request.user, action="admin.delete", payload={"object": f"{label}:{pk}"})

    def delete_queryset(self, request, queryset):
        keys = [f"{obj._meta.label_lower}:{obj.pk}" for obj in queryset]
        super().delete_queryset(request, queryset)
        audit_record(actor=request.user, action="admin.delete", payload={"objects": keys})


class ReadOnlyAdmin(AuditedAdmin):
    """For rows that only services may write (double entry, sign-up counters)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
