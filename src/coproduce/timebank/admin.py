"""The admin of the timebank.

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    Exchange,
    Listing,
    Movement,
    Timebank,
    TimebankAccount,
    Transfer,
)


@admin.register(Timebank)
class TimebankAdmin(AuditedAdmin):
    list_display = ["initiative", "is_active", "min_balance", "max_balance"]
    list_filter = ["is_active"]
    search_fields = ["initiative__title"]


@admin.register(TimebankAccount)
class TimebankAccountAdmin(ReadOnlyAdmin):
    list_display = ["person", "timebank", "balance", "opened_at"]
    list_filter = ["timebank"]
    search_fields = ["person__email", "person__display_name"]


@admin.register(Listing)
class ListingAdmin(AuditedAdmin):
    list_display = ["title", "kind", "category", "status", "timebank", "created_at"]
    list_filter = ["kind", "category", "status"]
    search_fields = ["title", "description", "account__person__display_name"]
    raw_id_fields = ["account"]


class MovementInline(admin.TabularInline):
    model = Movement
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["id", "timebank", "created_at", "memo"]
    list_filter = ["timebank"]
    search_fields = ["memo"]
    inlines = [MovementInline]


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["transfer", "account", "amount"]
    list_filter = ["transfer__timebank"]
    search_fields = ["account__person__display_name", "transfer__memo"]


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdmin):
    list_display = ["giver", "receiver", "hours", "status", "created_at", "completed_at"]
    list_filter = ["status", "timebank"]
    search_fields = ["description", "giver__person__display_name", "receiver__person__display_name"]
