from django.contrib import admin

from coproduce.audit.admin import AuditedAdmin

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
    list_display = ["title", "initiative", "stage", "ballot_type", "rule", "completion"]
    list_filter = ["stage", "ballot_type", "rule", "eligibility"]
    search_fields = ["title", "slug", "initiative__title"]
    autocomplete_fields = ["initiative"]
    inlines = [BudgetAreaInline]


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
