"""Every co-delivery model in the admin, with search and filters.

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin

from .models import (
    ApiKey,
    CalendarFeed,
    CategoryAttribute,
    Contribution,
    Exchange,
    LedgerSettings,
    Listing,
    Movement,
    RequestCategory,
    RequestUpdate,
    Requirement,
    RequirementConfirmation,
    ServiceRequest,
    Shift,
    ShiftSignup,
    Task,
    Timebank,
    TimebankAccount,
    Transfer,
    ValuationRate,
)


class ReadOnlyAdmin(AuditedAdmin):
    """For rows that only services may write (double entry, sign-up counters)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Requirement)
class RequirementAdmin(AuditedAdmin):
    list_display = ["name", "initiative", "valid_days"]
    list_filter = ["initiative"]
    search_fields = ["name", "description", "initiative__title"]


@admin.register(RequirementConfirmation)
class RequirementConfirmationAdmin(AuditedAdmin):
    list_display = ["requirement", "person", "confirmed_by", "confirmed_at", "expires_on"]
    list_filter = ["requirement__initiative", "requirement"]
    search_fields = ["person__email", "person__display_name", "requirement__name"]
    autocomplete_fields = ["person", "confirmed_by"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    fields = ["starts_at", "ends_at", "capacity", "booked", "professional"]
    readonly_fields = ["booked"]
    autocomplete_fields = ["professional"]


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["title", "initiative", "status", "address", "work_type"]
    list_filter = ["status", "initiative"]
    search_fields = ["title", "description", "address", "skills", "initiative__title"]
    filter_horizontal = ["requirements"]
    inlines = [ShiftInline]


@admin.register(Shift)
class ShiftAdmin(AuditedAdmin):
    list_display = ["task", "starts_at", "ends_at", "capacity", "booked", "professional"]
    list_filter = ["task__initiative"]
    search_fields = ["task__title", "task__initiative__title"]
    date_hierarchy = "starts_at"
    readonly_fields = ["booked"]
    autocomplete_fields = ["professional"]


@admin.register(ShiftSignup)
class ShiftSignupAdmin(ReadOnlyAdmin):
    list_display = ["person", "shift", "status", "created_at", "reminder_sent_at"]
    list_filter = ["status", "shift__task__initiative"]
    search_fields = ["person__email", "person__display_name", "shift__task__title"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(AuditedAdmin):
    list_display = ["person", "created_at"]
    search_fields = ["person__email", "person__display_name"]
    list_filter = ["created_at"]
    readonly_fields = ["token"]


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
    raw_id_fields = ["person", "task", "shift", "corrects", "organisation"]
    readonly_fields = ["month", "recorded_at", "confirmed_at", "disputed_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Contribution.Status.CONFIRMED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Contribution.Status.CONFIRMED:
            return False
        return super().has_delete_permission(request, obj)


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


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(RequestCategory)
class RequestCategoryAdmin(AuditedAdmin):
    list_display = ["name", "code", "initiative", "group", "is_active"]
    list_filter = ["is_active", "group", "initiative"]
    search_fields = ["name", "code", "keywords", "description"]
    inlines = [CategoryAttributeInline]


@admin.register(CategoryAttribute)
class CategoryAttributeAdmin(AuditedAdmin):
    list_display = ["code", "category", "datatype", "required", "order"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__name"]


class RequestUpdateInline(admin.TabularInline):
    model = RequestUpdate
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "status", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedAdmin):
    list_display = ["id", "category", "status", "address", "assigned_to", "created_at"]
    list_filter = ["status", "category"]
    search_fields = ["description", "address", "status_notes", "token"]
    date_hierarchy = "created_at"
    raw_id_fields = ["reported_by", "assigned_to", "api_key"]
    inlines = [RequestUpdateInline]


@admin.register(RequestUpdate)
class RequestUpdateAdmin(ReadOnlyAdmin):
    list_display = ["request", "status", "actor", "created_at"]
    list_filter = ["status"]
    search_fields = ["note"]


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ["name", "owner", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "owner__email", "owner__display_name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["key"]
