from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin

from .models import CoLeadInvitation, Initiative, Participation, Phase, Service


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    max_num = 4


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["person", "organisation"]


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ["name", "sector", "funder"]
    list_filter = ["sector"]
    search_fields = ["name", "funder__name"]
    autocomplete_fields = ["funder"]


@admin.register(Initiative)
class InitiativeAdmin(AuditedAdmin):
    list_display = ["title", "service", "level", "status", "area", "host"]
    list_filter = ["level", "status", "service__sector", "area"]
    search_fields = ["title", "summary", "area", "service__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["service", "host"]
    inlines = [PhaseInline, ParticipationInline]


@admin.register(Phase)
class PhaseAdmin(AuditedAdmin):
    list_display = ["initiative", "kind", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["initiative__title"]


@admin.register(Participation)
class ParticipationAdmin(AuditedAdmin):
    list_display = ["person", "initiative", "role", "organisation", "channel", "joined_at"]
    list_filter = ["role", "channel", "initiative"]
    search_fields = ["person__email", "person__display_name", "initiative__title"]
    autocomplete_fields = ["person", "initiative", "organisation"]


@admin.register(CoLeadInvitation)
class CoLeadInvitationAdmin(AuditedAdmin):
    list_display = ["email", "initiative", "status", "invited_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["email", "initiative__title"]
    readonly_fields = ["token"]
