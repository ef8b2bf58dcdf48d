from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.audit.admin import AuditedAdmin

from . import services
from .components import leaving_consequences
from .models import CoLeadInvitation, Initiative, Participation, Phase, Service

CO_LEAD = Participation.Role.CO_LEAD


def _roles_but_co_lead(db_field, kwargs: dict) -> dict:
    """The role field offers every role except co-lead: co-leads are appointed through the
    services (an accepted invitation, or an administrator's action), never typed in a form."""
    if db_field.name == "role":
        kwargs["choices"] = [("", "---------")] + [
            (value, label) for value, label in Participation.Role.choices if value != CO_LEAD
        ]
    return kwargs


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    max_num = 4


class ParticipationInline(admin.TabularInline):
    """Everyone but the co-leads, who are listed read-only on the initiative. Removing someone
    is the participations' action, which says what it cancels and calls the service."""

    model = Participation
    extra = 0
    can_delete = False
    autocomplete_fields = ["person", "organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(role=CO_LEAD)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        return super().formfield_for_choice_field(
            db_field, request, **_roles_but_co_lead(db_field, kwargs)
        )


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
    readonly_fields = ["co_leads"]
    inlines = [PhaseInline, ParticipationInline]

    @admin.display(description=gettext_lazy("co-leads"))
    def co_leads(self, initiative: Initiative) -> str:
        if initiative.pk is None:
            return ""
        return ", ".join(
            str(participation.person)
            for participation in initiative.participations.filter(role=CO_LEAD).select_related(
                "person"
            )
        )


@admin.register(Phase)
class PhaseAdmin(AuditedAdmin):
    list_display = ["initiative", "kind", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["initiative__title"]


@admin.register(Participation)
class ParticipationAdmin(AuditedAdmin):
    """A co-lead's participation is read-only: who leads is changed by the actions below, which
    call the services (only an administrator appoints or removes a co-lead, and the last co-lead
    stays)."""

    list_display = ["person", "initiative", "role", "organisation", "channel", "joined_at"]
    list_filter = ["role", "channel", "initiative"]
    search_fields = ["person__email", "person__display_name", "initiative__title"]
    autocomplete_fields = ["person", "initiative", "organisation"]
    actions = ["make_co_lead", "step_down_as_co_lead", "remove_from_initiative"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        return super().formfield_for_choice_field(
            db_field, request, **_roles_but_co_lead(db_field, kwargs)
        )

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role == CO_LEAD:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.role == CO_LEAD:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        """No bulk delete: it would remove co-leads behind the services' back."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=gettext_lazy("Make co-lead"))
    def make_co_lead(self, request, queryset):
        self.apply_service(
            request,
            queryset.select_related("person", "initiative"),
            lambda participation: services.participation_change_role(
                actor=request.user, participation=participation, role=CO_LEAD
            ),
            _("%(object)s: now a co-lead."),
        )

    @admin.action(description=gettext_lazy("Step down as co-lead (stays as a professional)"))
    def step_down_as_co_lead(self, request, queryset):
        self.apply_service(
            request,
            queryset.filter(role=CO_LEAD).select_related("person", "initiative"),
            lambda participation: services.participation_change_role(
                actor=request.user,
                participation=participation,
                role=Participation.Role.PROFESSIONAL,
            ),
            _("%(object)s: no longer a co-lead."),
        )

    def delete_model(self, request, obj):
        """The delete button removes through the service, like the action: the person's
        sign-ups to come are released and the removal is audited."""
        services.participation_remove(actor=request.user, participation=obj)

    @admin.action(description=gettext_lazy("Remove from the initiative"))
    def remove_from_initiative(self, request, queryset):
        """Asks first, saying what each removal cancels (places on shifts to come...)."""
        participations = list(queryset.select_related("person", "initiative"))
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/initiatives/participation/remove_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Remove from the initiative?"),
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "rows": [
                        (
                            participation,
                            leaving_consequences(participation.person, participation.initiative),
                        )
                        for participation in participations
                    ],
                },
            )
        self.apply_service(
            request,
            participations,
            lambda participation: services.participation_remove(
                actor=request.user, participation=participation
            ),
            _("%(object)s: removed."),
        )
        return None


@admin.register(CoLeadInvitation)
class CoLeadInvitationAdmin(AuditedAdmin):
    list_display = ["email", "initiative", "status", "invited_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["email", "initiative__title"]
    readonly_fields = ["token"]
