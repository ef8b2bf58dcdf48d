"""The admin of co-delivery: tasks, shifts, sign-ups, requirements and calendar feeds.

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    CalendarFeed,
    Requirement,
    RequirementConfirmation,
    Shift,
    ShiftSignup,
    Task,
)


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
