from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.audit.admin import AuditedAdmin

from . import services
from .models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetArea,
    CensusEntry,
    Milestone,
    Proposal,
    Result,
    Review,
)


class BudgetAreaInline(admin.TabularInline):
    model = BudgetArea
    extra = 0


@admin.register(Budget)
class BudgetAdmin(AuditedAdmin):
    """A budget's stage and tally rule are decisions with rules of their own (stages never skip,
    the rule is fixed once voting opens): they are read-only here and changed by actions that
    call the services, with the administrator as actor."""

    list_display = ["title", "initiative", "stage", "ballot_type", "rule", "completion"]
    list_filter = ["stage", "ballot_type", "rule", "eligibility"]
    search_fields = ["title", "slug", "initiative__title"]
    autocomplete_fields = ["initiative"]
    inlines = [BudgetAreaInline]
    readonly_fields = ["stage", "rule", "voting_opens_at", "voting_closed_at"]
    actions = ["advance_stage", "compute_result"]

    @admin.action(description=gettext_lazy("Advance to the next stage"))
    def advance_stage(self, request, queryset):
        for budget in queryset:
            if budget.stage not in services.NEXT_STAGE:
                self.message_user(
                    request,
                    _("%(budget)s: the result is already published.") % {"budget": budget},
                    level=messages.WARNING,
                )
                continue
            self.apply_service(
                request,
                [budget],
                lambda budget: services.budget_advance(
                    actor=request.user, budget=budget, to_stage=services.NEXT_STAGE[budget.stage]
                ),
                _("%(object)s moved to its next stage."),
            )

    @admin.action(description=gettext_lazy("Compute the result"))
    def compute_result(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            lambda budget: services.budget_tally(actor=request.user, budget=budget),
            _("%(object)s: the result is computed. Check it, then publish it."),
        )

    def get_actions(self, request):
        """One action per tally rule, calling ``budget_set_rule``."""
        actions = super().get_actions(request)
        for rule in Budget.Rule:
            name = f"set_rule_{rule.value}"
            actions[name] = (
                self._set_rule_action(rule.value),
                name,
                format_lazy(gettext_lazy("Announce the tally rule: {rule}"), rule=rule.label),
            )
        return actions

    def _set_rule_action(self, rule: str):
        def set_rule(modeladmin, request, queryset):
            modeladmin.apply_service(
                request,
                queryset,
                lambda budget: services.budget_set_rule(
                    actor=request.user, budget=budget, rule=rule
                ),
                _("%(object)s: the tally rule is announced."),
            )

        return set_rule


@admin.register(BudgetArea)
class BudgetAreaAdmin(AuditedAdmin):
    list_display = ["name", "budget", "amount"]
    search_fields = ["name", "budget__title"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ["code", "title", "budget", "area", "estimated_cost", "reviewed_cost", "status"]
    list_filter = ["status", "budget"]
    search_fields = ["code", "title", "description", "budget__title"]
    inlines = [ReviewInline]


@admin.register(Review)
class ReviewAdmin(AuditedAdmin):
    list_display = ["proposal", "feasible", "cost", "reviewer", "created_at"]
    list_filter = ["feasible"]
    search_fields = ["proposal__title", "reason"]


@admin.register(Ballot)
class BallotAdmin(AuditedAdmin):
    """Ballots are read here, never edited: a changed ballot would be a changed election."""

    list_display = ["receipt", "budget", "channel", "counted", "area", "cast_at"]
    list_filter = ["channel", "counted", "budget"]
    search_fields = ["receipt", "voter_code", "area"]
    readonly_fields = [f.name for f in Ballot._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BallotChoice)
class BallotChoiceAdmin(AuditedAdmin):
    list_display = ["ballot", "proposal", "points", "rank"]
    search_fields = ["ballot__receipt", "proposal__code"]
    list_filter = ["ballot__budget"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CensusEntry)
class CensusEntryAdmin(AuditedAdmin):
    list_display = ["email", "budget", "area"]
    list_filter = ["budget"]
    search_fields = ["email", "area"]


@admin.register(Result)
class ResultAdmin(AuditedAdmin):
    list_display = ["budget", "area", "rule", "total_cost", "ballots_counted", "computed_at"]
    list_filter = ["budget"]
    search_fields = ["budget__title", "rule"]
    readonly_fields = ["explanation"]


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["title", "proposal", "due_on", "done_on"]
    search_fields = ["title", "proposal__title"]
    list_filter = ["proposal__budget"]
    # Photos come in through the service, which re-encodes them (coproduce.uploads).
    readonly_fields = ["photo"]
