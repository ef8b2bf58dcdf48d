from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from coproduce.audit.admin import AuditedAdmin

from .models import Membership, Organisation, Person


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "person"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin, UserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "area", "email_confirmed", "is_staff", "is_active"]
    list_filter = ["email_confirmed", "is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "display_name", "area"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "area", "preferred_language", "bio"]}),
        (
            _("Status"),
            {"fields": ["email_confirmed", "is_active", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]


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
