"""Participatory budgets: a sum of public money that residents decide on, with a fair rule.

The life of a budget: proposals are submitted, professionals review their feasibility and cost
(each review a public reason), residents vote, the vote closes, the result is computed with the
rule announced before voting opened, published, and each funded project is followed to delivery.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative
from coproduce.people.models import Organisation
from coproduce.ranges import BALLOT_RANK, BUDGET_AMOUNT, MINIMUM_AGE, PROJECT_COST

from .limits import (
    MAX_MONEY,
    MAX_POINTS,
    MAX_PROJECTS,
    MONEY_DIGITS,
    MONEY_PLACES,
    PROJECT_CODE_LENGTH,
    VOTER_CODE_LENGTH,
    points_validators,
    projects_validators,
)


class Budget(models.Model):
    class BallotType(models.TextChoices):
        APPROVAL = "approval", _("Approval within the budget limit")
        KNAPSACK = "knapsack", _("Knapsack (choose projects whose total fits the budget)")
        APPROVAL_COUNT = "approval_count", _("Approval of a minimum and maximum number of projects")
        CUMULATIVE = "cumulative", _("Cumulative points")
        RANKING = "ranking", _("Ranking")

    class Rule(models.TextChoices):
        GREEDY = "greedy", _("Greedy by votes")
        MES = "mes", _("Method of Equal Shares")

    class Completion(models.TextChoices):
        NONE = "none", _("No completion")
        GREEDY = "greedy", _("Greedy completion")
        ADD1 = "add1", _("Add1 (raise every voter's share by one unit)")
        ADD1_GREEDY = "add1-greedy", _("Add1, then greedy")

    class Utility(models.TextChoices):
        COST = "cost", _("Cost (money that goes to projects a voter supports)")
        CARDINALITY = "cardinality", _("Number of supported projects funded")
        POINTS = "points", _("Points given")

    class Stage(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PROPOSALS = "proposals", _("Proposals open")
        REVIEW = "review", _("Feasibility review")
        VOTING = "voting", _("Voting open")
        CLOSED = "closed", _("Voting closed")
        PUBLISHED = "published", _("Results published")

    class Eligibility(models.TextChoices):
        RESIDENTS = "residents", _("Any resident of the area with a confirmed account")
        CENSUS = "census", _("People on an uploaded census list")
        ANYONE = "anyone", _("Anyone with a confirmed account")

    STAGE_ORDER = [s.value for s in Stage]

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("initiative")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    ballot_type = models.CharField(
        _("ballot"), max_length=20, choices=BallotType.choices, default=BallotType.APPROVAL
    )
    min_projects = models.PositiveIntegerField(
        _("minimum projects per ballot"), default=0, validators=projects_validators(0)
    )
    max_projects = models.PositiveIntegerField(
        _("maximum projects per ballot"),
        null=True,
        blank=True,
        validators=projects_validators(1),
    )
    max_points = models.PositiveIntegerField(
        _("points each voter may give (cumulative)"),
        null=True,
        blank=True,
        validators=points_validators(),
    )
    rule = models.CharField(_("tally rule"), max_length=10, choices=Rule.choices, default="mes")
    utility = models.CharField(_("utility"), max_length=12, choices=Utility.choices, default="cost")
    completion = models.CharField(
        _("completion"), max_length=12, choices=Completion.choices, default="add1-greedy"
    )
    eligibility = models.CharField(
        _("who may vote"), max_length=12, choices=Eligibility.choices, default="residents"
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        help_text=_("Voters declare on their ballot that they are at least this old."),
        validators=MINIMUM_AGE.validators(),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default="draft")
    voting_opens_at = models.DateTimeField(_("voting opened"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("voting closed"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where imported ballots came from.")
    )

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True) | Q(max_projects__gte=F("min_projects")),
                name="budget_min_le_max_projects",
            ),
            models.CheckConstraint(
                condition=Q(min_projects__lte=MAX_PROJECTS), name="budget_min_projects_range"
            ),
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True)
                | Q(max_projects__gte=1, max_projects__lte=MAX_PROJECTS),
                name="budget_max_projects_range",
            ),
            models.CheckConstraint(
                condition=Q(max_points__isnull=True)
                | Q(max_points__gte=1, max_points__lte=MAX_POINTS),
                name="budget_max_points_range",
            ),
            models.CheckConstraint(
                condition=MINIMUM_AGE.condition("minimum_age"), name="budget_minimum_age_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def total_amount(self):
        return sum(area.amount for area in self.areas.all())

    def stage_reached(self, stage: str) -> bool:
        return self.STAGE_ORDER.index(self.stage) >= self.STAGE_ORDER.index(stage)

    @property
    def uses_points(self) -> bool:
        return self.ballot_type in (self.BallotType.CUMULATIVE, self.BallotType.RANKING)


class BudgetArea(models.Model):
    """An area heading of a budget with its own amount (a district, or the whole city)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="areas", verbose_name=_("budget")
    )
    name = models.CharField(_("area"), max_length=120)
    amount = models.DecimalField(
        _("amount"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=BUDGET_AMOUNT.validators(),
    )

    class Meta:
        verbose_name = _("budget area")
        verbose_name_plural = _("budget areas")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "name"], name="budget_area_unique_name"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_area_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_MONEY), name="budget_area_amount_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} – {self.name}"


class Proposal(models.Model):
    """A project proposed for funding."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        FEASIBLE = "feasible", _("Feasible: on the ballot")
        INFEASIBLE = "infeasible", _("Not feasible")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("budget")
    )
    area = models.ForeignKey(
        BudgetArea, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("area")
    )
    code = models.CharField(
        _("project id"),
        max_length=PROJECT_CODE_LENGTH,
        help_text=_("Short id shown on ballots and in results."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=PROJECT_COST.validators(),
    )
    reviewed_cost = models.DecimalField(
        _("cost after review"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        validators=PROJECT_COST.validators(),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("submitted by"),
    )
    on_behalf_of = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("on behalf of"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    progress = models.PositiveSmallIntegerField(_("delivery progress (%)"), default=0)

    class Meta:
        verbose_name = _("project proposal")
        verbose_name_plural = _("project proposals")
        # Codes in the order people count them: 9, 10, 11, 100 (not 10, 100, 11, 9).
        ordering = [Length("code"), "code"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "code"], name="proposal_unique_code"),
            models.CheckConstraint(
                condition=Q(estimated_cost__gt=0), name="proposal_cost_positive"
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__lte=MAX_MONEY), name="proposal_cost_le_max"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_cost__isnull=True)
                | Q(reviewed_cost__gt=0, reviewed_cost__lte=MAX_MONEY),
                name="proposal_reviewed_cost_range",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="proposal_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def cost(self):
        """The cost that counts for the ballot and the tally: the reviewed one when there is one."""
        return self.reviewed_cost if self.reviewed_cost is not None else self.estimated_cost


class Review(models.Model):
    """A professional's public judgement of a proposal's feasibility and cost."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("proposal")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    feasible = models.BooleanField(_("feasible"))
    cost = models.DecimalField(
        _("reviewed cost"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=PROJECT_COST.validators(),
    )
    reason = models.TextField(_("public reason"))
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gt=0, cost__lte=MAX_MONEY), name="review_cost_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {'feasible' if self.feasible else 'not feasible'}"


def _receipt_code() -> str:
    return secrets.token_hex(6).upper()


class Ballot(models.Model):
    """One voter's ballot. Online ballots belong to a person (one per person per budget, changeable
    until the vote closes); paper ballots are entered by one official and confirmed by another;
    imported ballots (a replayed pabulib election) keep the original voter id."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper")
        IMPORT = "import", _("Imported")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("budget")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ballots",
        verbose_name=_("voter"),
    )
    voter_code = models.CharField(_("voter reference"), max_length=VOTER_CODE_LENGTH, blank=True)
    area = models.CharField(_("voter's area"), max_length=120, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    receipt = models.CharField(_("receipt code"), max_length=16, unique=True, default=_receipt_code)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    counted = models.BooleanField(
        _("counted"),
        default=True,
        help_text=_("Paper ballots count once a second official confirms."),
    )
    cast_at = models.DateTimeField(_("cast"), db_index=True)
    # The local day of casting, stored so that turnout by day is an indexed GROUP BY rather
    # than a date conversion of every row (400,000 of them in a city-wide vote).
    cast_on = models.DateField(_("day cast"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "voter"],
                condition=Q(voter__isnull=False),
                name="ballot_one_per_person_per_budget",
            ),
            models.UniqueConstraint(
                fields=["budget", "voter_code"],
                condition=~Q(voter_code=""),
                name="ballot_one_per_voter_code",
            ),
            models.CheckConstraint(
                condition=Q(channel="paper") | Q(counted=True),
                name="ballot_only_paper_waits_for_confirmation",
            ),
        ]
        indexes = [
            models.Index(fields=["budget", "counted", "channel"], name="ballot_turnout_channel"),
            models.Index(fields=["budget", "counted", "area"], name="ballot_turnout_area"),
            models.Index(fields=["budget", "counted", "cast_on"], name="ballot_turnout_day"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} #{self.receipt}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="choices", verbose_name=_("ballot")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="choices", verbose_name=_("proposal")
    )
    points = models.PositiveIntegerField(
        _("points"),
        default=1,
        validators=points_validators(),
        help_text=_("Points given (cumulative ballots); 1 otherwise."),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"),
        null=True,
        blank=True,
        help_text=_("1 = first choice (ranking ballots)."),
        validators=BALLOT_RANK.validators(),
    )

    class Meta:
        verbose_name = _("ballot choice")
        verbose_name_plural = _("ballot choices")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="choice_unique_proposal"),
            models.CheckConstraint(condition=Q(points__gte=1), name="choice_points_positive"),
            models.CheckConstraint(
                condition=Q(points__lte=MAX_POINTS), name="choice_points_le_max"
            ),
            models.CheckConstraint(
                condition=BALLOT_RANK.condition("rank"), name="choice_rank_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot} → {self.proposal.code}"


class CensusEntry(models.Model):
    """One eligible voter on an uploaded census list, identified by email address."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="census", verbose_name=_("budget")
    )
    email = models.EmailField(_("email address"))
    area = models.CharField(_("area"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        constraints = [
            models.UniqueConstraint(fields=["budget", "email"], name="census_unique_email"),
        ]

    def __str__(self) -> str:
        return self.email


class Result(models.Model):
    """The outcome of a closed vote for one area heading, computed with the announced rule."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="results", verbose_name=_("budget")
    )
    area = models.ForeignKey(
        BudgetArea, on_delete=models.CASCADE, related_name="results", verbose_name=_("area")
    )
    rule = models.CharField(_("rule"), max_length=255)
    selected = models.ManyToManyField(Proposal, related_name="+", verbose_name=_("funded"))
    total_cost = models.DecimalField(_("total cost"), max_digits=16, decimal_places=2)
    ballots_counted = models.PositiveIntegerField(_("ballots counted"))
    explanation = models.JSONField(_("explanation"), default=dict)
    computed_at = models.DateTimeField(_("computed"))
    seconds = models.FloatField(_("tally time (s)"), default=0)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["budget", "area"], name="result_one_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.budget} – {self.area.name}"


class Milestone(models.Model):
    """A step in delivering a funded project, so residents can follow the money to the outcome."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    title = models.CharField(_("milestone"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="budgets/milestones/", blank=True)
    photo_description = models.CharField(
        _("photo description (for people who cannot see it)"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
