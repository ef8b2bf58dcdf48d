"""The admin of co-delivery: tasks, shifts, sign-ups, requirements and calendar feeds.

Ledger entries and timebank movements are evidence: the admin shows them but never edits a
confirmed contribution, a transfer or a movement; corrections go through the services.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from coproduce.audit.admin import AuditedAdmin, ReadOnlyAdmin
from coproduce.ledger.activities import activity_filter
from coproduce.ledger.models import Contribution

from . import services
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
    """Shifts are published and changed through the services (a capacity change fills places
    from the waiting list); here they are only listed."""

    model = Shift
    extra = 0
    fields = ["starts_at", "ends_at", "capacity", "booked", "professional"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)


class KeepsLedgerActivities:
    """Tasks and shifts are deleted one at a time (no bulk action), each checked first."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _named_in_the_ledger(*activities) -> bool:
    """Contributions name their task or shift by a generic link, which the database cannot
    protect: the admin refuses to delete what the ledger names (the evidence would lose what it
    was for)."""
    return any(
        Contribution.objects.filter(**activity_filter(activity)).exists() for activity in activities
    )


@admin.register(Task)
class TaskAdmin(KeepsLedgerActivities, AuditedAdmin):
    list_display = ["title", "initiative", "status", "address", "work_type"]
    list_filter = ["status", "initiative"]
    search_fields = ["title", "description", "address", "skills", "initiative__title"]
    filter_horizontal = ["requirements"]
    inlines = [ShiftInline]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _named_in_the_ledger(obj, *obj.shifts.all()):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Shift)
class ShiftAdmin(KeepsLedgerActivities, AuditedAdmin):
    """The number of places is changed by an action that calls ``shift_update``, so a smaller
    capacity is refused below the places taken and a larger one fills places from the waiting
    list, exactly as on the site. Shifts are published on the site (``shift_create``)."""

    list_display = ["task", "starts_at", "ends_at", "capacity", "booked", "professional"]
    list_filter = ["task__initiative"]
    search_fields = ["task__title", "task__initiative__title"]
    date_hierarchy = "starts_at"
    readonly_fields = ["booked", "capacity"]
    autocomplete_fields = ["professional"]
    actions = ["change_capacity"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _named_in_the_ledger(obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Change the number of places"))
    def change_capacity(self, request, queryset):
        form = CapacityForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self.apply_service(
                request,
                queryset.select_related("task"),
                lambda shift: services.shift_update(
                    actor=request.user,
                    shift=shift,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    capacity=form.cleaned_data["capacity"],
                    professional=shift.professional,
                    notes=shift.notes,
                ),
                _("%(object)s: places changed."),
            )
            return None
        return TemplateResponse(
            request,
            "admin/delivery/change_capacity.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Change the number of places"),
                "form": form,
                "shifts": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


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
