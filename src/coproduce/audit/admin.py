from django.contrib import admin

from .models import AuditEntry
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


class AuditedAdmin(admin.ModelAdmin):
    """Admin screens write through here so a hand edit leaves an audit entry like any service.

    Django runs the add, change and delete views inside one transaction, so the change and its
    audit row commit together.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin.change" if change else "admin.add",
            target=obj,
            payload={"fields": sorted(form.changed_data)},
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
