"""The admin of the contributions ledger.

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin

from .models import (
    Contribution,
    LedgerSettings,
    ValuationRate,
)


@admin.register(LedgerSettings)
class LedgerSettingsAdmin(AuditedAdmin):
    list_display = ["initiative", "currency"]
    list_filter = ["currency"]
    search_fields = ["initiative__title"]


@admin.register(ValuationRate)
class ValuationRateAdmin(AuditedAdmin):
    list_display = ["initiative", "kind", "work_type", "unit", "amount"]
    list_filter = ["kind", "initiative"]
    search_fields = ["work_type", "initiative__title"]


@admin.register(Contribution)
class ContributionAdmin(AuditedAdmin):
    list_display = [
        "occurred_on",
        "person",
        "initiative",
        "capacity",
        "kind",
        "quantity",
        "value",
        "status",
        "is_reversal",
    ]
    list_filter = ["status", "kind", "capacity", "source", "is_reversal", "initiative"]
    search_fields = ["person__email", "person__display_name", "description", "work_type"]
    date_hierarchy = "occurred_on"
    list_select_related = ["person", "initiative"]
    raw_id_fields = ["person", "supervised_by", "corrects", "organisation"]
    readonly_fields = ["month", "recorded_at", "confirmed_at", "disputed_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Contribution.Status.CONFIRMED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Contribution.Status.CONFIRMED:
            return False
        return super().has_delete_permission(request, obj)
