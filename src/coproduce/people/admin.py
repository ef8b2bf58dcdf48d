from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from coproduce.audit.admin import AuditedAdmin

from . import personal_data, services
from .models import Membership, Organisation, Person
from .privacy_views import personal_data_response


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "person"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin, UserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "area", "email_confirmed", "is_staff", "is_active"]
    list_filter = [
        "email_confirmed",
        "is_staff",
        "is_superuser",
        "is_active",
        "preferred_language",
        ("erased_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "display_name", "area"]
    inlines = [MembershipInline]
    readonly_fields = ["erased_at"]
    actions = ["download_personal_data", "erase_personal_data"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "area", "preferred_language", "bio"]}),
        (
            _("Status"),
            {"fields": ["email_confirmed", "is_active", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "erased_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]

    @admin.action(description=_("Download the personal data (one person, on request)"))
    def download_personal_data(self, request, queryset):
        """A subject access request received by letter: the same file the person downloads."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one person to download."), level=messages.ERROR
            )
            return None
        return personal_data_response(queryset.get())

    @admin.action(description=_("Delete the account and erase the personal data (on request)"))
    def erase_personal_data(self, request, queryset):
        """For a person who asks by letter: the same service as "Delete my account", with the
        administrator as actor, after a confirmation page."""
        if "confirm" in request.POST:
            self.apply_service(
                request,
                queryset,
                lambda person: services.person_erase(actor=request.user, person=person),
                _("%(object)s: account deleted and personal data erased."),
            )
            return None
        return TemplateResponse(
            request,
            "admin/people/person/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Delete the accounts and erase their personal data?"),
                "people": queryset,
                "sections": personal_data.sections(),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class SectorFilter(admin.SimpleListFilter):
    title = _("sector")
    parameter_name = "sector"

    def lookups(self, request, model_admin):
        from .models import Sector

        return Sector.choices

    def queryset(self, request, queryset):
        if self.value():
            ids = [o.pk for o in queryset if self.value() in o.sectors]
            return queryset.filter(pk__in=ids)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "area", "sectors"]
    list_filter = [SectorFilter, "area"]
    search_fields = ["name", "slug", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["person", "organisation", "role", "since"]
    list_filter = ["role", "organisation"]
    search_fields = ["person__email", "person__display_name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
