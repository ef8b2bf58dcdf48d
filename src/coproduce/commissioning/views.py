"""Thin views for participatory budgets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.ids import posted_id
from coproduce.moved import moved
from coproduce.people.selectors import organisations_of
from coproduce.ranges import BALLOT_POINTS, BALLOT_RANK
from coproduce.uploads import image_response
from coproduce.web import initiative_or_404, require

from . import selectors, services
from .forms import (
    BudgetAreaFormSet,
    BudgetForm,
    CensusForm,
    ImportForm,
    MilestoneForm,
    ProposalForm,
    ReceiptForm,
    ReviewForm,
)
from .models import Ballot, Budget, Milestone, Proposal
from .pabulib_io import budget_export_pabulib, budget_import_pabulib
from .plots import cost_support_plot
from .services import Choices


def _budget(request: HttpRequest, initiative_slug: str, slug: str) -> Budget:
    budget = get_object_or_404(
        Budget.objects.select_related("initiative"), slug=slug, initiative__slug=initiative_slug
    )
    if not selectors.budget_visible_to(budget, request.user):
        raise Http404
    return budget


def _require(request: HttpRequest, perm: str, obj) -> None:
    """Refuse with the sentence that says who may do this."""
    if not request.user.has_perm(perm, obj):
        messages_by_perm = {
            "commissioning.manage_budget": _("Only the initiative's co-leads may do this."),
            "commissioning.review_proposal": _(
                "Only professionals taking part in the initiative review proposals."
            ),
            "commissioning.enter_paper_ballot": _(
                "Only officials of the initiative enter paper ballots."
            ),
        }
        require(request, perm, obj, messages_by_perm.get(perm, _("You may not do this.")))


def choices_from_post(budget: Budget, data) -> tuple[Choices, list[str]]:
    """Read a ballot from a plain HTML form: checkboxes, or a number per project."""
    if budget.ballot_type == Budget.BallotType.CUMULATIVE:
        field, target, allowed = "points", "points", BALLOT_POINTS
    elif budget.ballot_type == Budget.BallotType.RANKING:
        field, target, allowed = "rank", "ranks", BALLOT_RANK
    else:
        return Choices(approvals=frozenset(data.getlist("project"))), []
    values, problems = [], []
    for key, raw in data.items():
        if not key.startswith(field + "-") or not raw.strip():
            continue
        code, text = key[len(field) + 1 :], raw.strip()
        if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
            problems.append(_("Numbers cannot be negative (project %(code)s).") % {"code": code})
        elif not (text.isascii() and text.isdigit()):
            problems.append(
                _("“%(value)s” for project %(code)s is not a whole number.")
                % {"value": raw[:40], "code": code[:40]}
            )
        elif int(text[:20]) > allowed.high:
            problems.append(
                _("Project %(code)s: %(problem)s")
                % {"code": code[:40], "problem": allowed.problem(int(text[:20]))}
            )
        elif int(text) > 0:
            values.append((code, int(text)))
    return Choices(**{target: tuple(sorted(values))}), problems


@require_http_methods(["GET", "HEAD"])
def budget_list(request: HttpRequest) -> HttpResponse:
    return render(request, "commissioning/list.html", {"budgets": selectors.budget_list()})


@login_required
@require_http_methods(["GET", "POST"])
def budget_create(request: HttpRequest, initiative_slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, initiative_slug)
    if not request.user.has_perm("initiatives.edit_initiative", initiative):
        raise PermissionDenied(_("Only the initiative's co-leads may open a budget."))
    data = request.POST if request.method == "POST" else None
    form = BudgetForm(data)
    areas = BudgetAreaFormSet(data, prefix="areas")
    if request.method == "POST" and form.is_valid() and areas.is_valid():
        rows = [
            (f.cleaned_data["name"], f.cleaned_data["amount"])
            for f in areas
            if f.cleaned_data.get("name")
        ]
        try:
            budget = services.budget_create(
                actor=request.user,
                initiative=initiative,
                areas=rows,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The budget is created."))
            return redirect(
                "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
            )
    return render(
        request,
        "commissioning/create.html",
        {"initiative": initiative, "form": form, "areas": areas},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD"])
def budget_detail(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    user = request.user
    return render(
        request,
        "commissioning/detail.html",
        {
            "budget": budget,
            "areas": budget.areas.all(),
            "proposals": selectors.budget_proposals(budget, public_only=True),
            "my_ballot": selectors.ballot_of(budget, user),
            "can_manage": user.has_perm("commissioning.manage_budget", budget),
            "can_review": user.has_perm("commissioning.review_proposal", budget),
            "can_enter_paper": user.has_perm("commissioning.enter_paper_ballot", budget),
            "next_stage": services.NEXT_STAGE.get(budget.stage),
            "next_stage_label": Budget.Stage(services.NEXT_STAGE[budget.stage]).label
            if budget.stage in services.NEXT_STAGE
            else "",
            "stages": Budget.Stage.choices,
        },
    )


@login_required
@require_POST
def budget_advance(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    _require(request, "commissioning.manage_budget", budget)
    try:
        if request.POST.get("action") == "tally":
            services.budget_tally(actor=request.user, budget=budget)
            messages.success(request, _("The result is computed. Check it, then publish it."))
        else:
            services.budget_advance(
                actor=request.user, budget=budget, to_stage=request.POST.get("to_stage", "")
            )
            messages.success(request, _("The budget moved to its next stage."))
    except ValidationError as error:
        for message in list(error.messages):
            messages.error(request, message)
    except ValueError:
        messages.error(request, _("Unknown stage."))
    return redirect(
        "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_submit(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    organisations = organisations_of(request.user)
    form = ProposalForm(request.POST or None, budget=budget, organisations=organisations)
    if budget.stage != Budget.Stage.PROPOSALS:
        messages.error(request, _("This budget is not taking proposals now."))
        return redirect(
            "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
        )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_submit(
                actor=request.user, budget=budget, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you: your proposal is project %(code)s.") % {"code": proposal.code},
            )
            return redirect(
                "commissioning:proposal",
                initiative_slug=budget.initiative.slug,
                slug=budget.slug,
                code=proposal.code,
            )
    return render(
        request,
        "commissioning/propose.html",
        {"budget": budget, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def proposal_detail(
    request: HttpRequest, initiative_slug: str, slug: str, code: str
) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    proposal = get_object_or_404(budget.proposals.select_related("area"), code=code)
    can_review = request.user.has_perm("commissioning.review_proposal", budget)
    can_manage = request.user.has_perm("commissioning.manage_budget", budget)
    funded = budget.results.filter(selected=proposal).exists()
    review_form = ReviewForm(initial={"cost": proposal.cost})
    milestone_form = MilestoneForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.POST.get("form") == "review":
            _require(request, "commissioning.review_proposal", budget)
            review_form = ReviewForm(request.POST)
            if review_form.is_valid():
                try:
                    services.proposal_review(
                        actor=request.user, proposal=proposal, **review_form.cleaned_data
                    )
                except ValidationError as error:
                    review_form.add_error(None, error)
                else:
                    messages.success(request, _("Your review is recorded and public."))
                    return redirect(
                        "commissioning:proposal",
                        initiative_slug=initiative_slug,
                        slug=slug,
                        code=code,
                    )
        elif request.POST.get("form") == "milestone":
            _require(request, "commissioning.manage_budget", budget)
            milestone_form = MilestoneForm(request.POST, request.FILES)
            if milestone_form.is_valid():
                data = milestone_form.cleaned_data
                try:
                    services.milestone_add(actor=request.user, proposal=proposal, **data)
                except ValidationError as error:
                    milestone_form.add_error(None, error)
                else:
                    messages.success(request, _("The milestone is recorded."))
                    return redirect(
                        "commissioning:proposal",
                        initiative_slug=initiative_slug,
                        slug=slug,
                        code=code,
                    )
        else:
            return render(request, "400.html", status=400)
        status = 400
    return render(
        request,
        "commissioning/proposal.html",
        {
            "budget": budget,
            "proposal": proposal,
            "reviews": proposal.reviews.select_related("reviewer"),
            "milestones": proposal.milestones.all(),
            "funded": funded,
            "can_review": can_review
            and budget.stage in (Budget.Stage.PROPOSALS, Budget.Stage.REVIEW),
            "can_track": can_manage and funded and budget.stage == Budget.Stage.PUBLISHED,
            "review_form": review_form,
            "milestone_form": milestone_form,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def milestone_photo(request: HttpRequest, initiative_slug: str, slug: str, pk: int) -> FileResponse:
    budget = _budget(request, initiative_slug, slug)
    milestone = get_object_or_404(Milestone, pk=pk, proposal__budget=budget)
    return image_response(milestone.photo, download_name=f"milestone-{milestone.pk}")


def _ballot_context(budget: Budget, choices: Choices | None) -> dict:
    """The ballot, grouped by area heading, with what the current choices spend of each."""
    chosen = choices.codes() if choices else set()
    groups = []
    for area, proposals in selectors.ballot_proposals(budget):
        spent = sum((p.cost for p in proposals if p.code in chosen), start=0)
        groups.append(
            {"area": area, "proposals": proposals, "spent": spent, "remaining": area.amount - spent}
        )
    return {
        "budget": budget,
        "groups": groups,
        "chosen": chosen,
        "points": dict(choices.points) if choices else {},
        "ranks": dict(choices.ranks) if choices else {},
        "limited": budget.ballot_type in ("approval", "knapsack", "approval_count"),
    }


def _choices_of(budget: Budget, ballot: Ballot | None) -> Choices | None:
    """The choices stored on a ballot, in the shape the ballot form shows them."""
    if ballot is None:
        return None
    rows = list(ballot.choices.all())
    if budget.ballot_type == Budget.BallotType.CUMULATIVE:
        return Choices(points=tuple((c.proposal.code, c.points) for c in rows))
    if budget.ballot_type == Budget.BallotType.RANKING:
        return Choices(ranks=tuple((c.proposal.code, c.rank) for c in rows))
    return Choices(approvals=frozenset(c.proposal.code for c in rows))


@login_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    if budget.stage != Budget.Stage.VOTING:
        messages.error(request, _("Voting is not open for this budget."))
        return redirect(
            "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
        )
    problem = services.voter_eligibility_problem(budget, request.user)
    existing = selectors.ballot_of(budget, request.user)
    if request.method == "POST":
        choices, problems = choices_from_post(budget, request.POST)
        refused = bool(problem)
        if not problems and not problem:
            try:
                ballot = services.ballot_cast(
                    voter=request.user,
                    budget=budget,
                    choices=choices,
                    age_confirmed=request.POST.get("age_confirmed") == "on",
                )
            except ValidationError as error:
                problems = list(error.messages)
            except PermissionDenied as error:
                problems, refused = [str(error)], True
            else:
                messages.success(
                    request,
                    _(
                        "Your ballot is counted. Your receipt code is %(code)s: keep it to check "
                        "later."
                    )
                    % {"code": ballot.receipt},
                )
                return redirect(
                    "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
                )
        context = _ballot_context(budget, choices)
        context.update(problems=problems, eligibility_problem=problem, existing=existing)
        # A person who may not vote is refused (403), not told their ballot has a mistake.
        return render(request, "commissioning/vote.html", context, status=403 if refused else 400)
    context = _ballot_context(budget, _choices_of(budget, existing))
    context.update(eligibility_problem=problem, existing=existing)
    return render(request, "commissioning/vote.html", context)


@require_http_methods(["GET", "HEAD"])
def receipt_check(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    form = ReceiptForm(request.GET or None)
    ballot = None
    checked = False
    if request.GET and form.is_valid():
        ballot = selectors.ballot_by_receipt(budget, form.cleaned_data["code"])
        checked = True
    return render(
        request,
        "commissioning/receipt.html",
        {"budget": budget, "form": form, "ballot": ballot, "checked": checked},
        status=400 if request.GET and not form.is_valid() else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper_ballots(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    _require(request, "commissioning.enter_paper_ballot", budget)
    problems: list[str] = []
    choices = None
    status = 200
    if request.method == "POST":
        if "confirm" in request.POST:
            ballot = get_object_or_404(budget.ballots, pk=posted_id(request.POST, "confirm"))
            try:
                services.paper_ballot_confirm(official=request.user, ballot=ballot)
            except (ValidationError, PermissionDenied) as error:
                text = error.messages if isinstance(error, ValidationError) else [str(error)]
                for message in text:
                    messages.error(request, message)
            else:
                messages.success(request, _("Paper ballot confirmed: it is now counted."))
            return redirect("commissioning:paper", initiative_slug=initiative_slug, slug=slug)
        choices, problems = choices_from_post(budget, request.POST)
        if not problems:
            try:
                services.paper_ballot_enter(
                    official=request.user,
                    budget=budget,
                    choices=choices,
                    voter_area=request.POST.get("voter_area", "")[:120],
                )
            except ValidationError as error:
                problems = list(error.messages)
            else:
                messages.success(
                    request, _("Paper ballot entered. A second official must now confirm it.")
                )
                return redirect("commissioning:paper", initiative_slug=initiative_slug, slug=slug)
        status = 400
    context = _ballot_context(budget, choices)
    context.update(
        problems=problems,
        waiting=selectors.paper_ballots_waiting(budget),
        areas=budget.areas.all(),
    )
    return render(request, "commissioning/paper.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def census_upload(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    _require(request, "commissioning.manage_budget", budget)
    form = CensusForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.census_upload(
                actor=request.user, budget=budget, data=form.cleaned_data["file"].read()
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("%(n)d voters are on the census list.") % {"n": count})
            return redirect("commissioning:detail", initiative_slug=initiative_slug, slug=slug)
    return render(
        request,
        "commissioning/census.html",
        {"budget": budget, "form": form, "count": budget.census.count()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_import(request: HttpRequest, initiative_slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, initiative_slug)
    if not request.user.has_perm("initiatives.edit_initiative", initiative):
        raise PermissionDenied(_("Only the initiative's co-leads may import a vote."))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imported = budget_import_pabulib(
                actor=request.user,
                initiative=initiative,
                data=upload.read(),
                filename=upload.name,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                strict=form.cleaned_data["strict"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The vote is imported. Compute its result when ready."))
            _report_irregularities(request, imported.warnings)
            budget = imported.budget
            return redirect(
                "commissioning:detail", initiative_slug=budget.initiative.slug, slug=budget.slug
            )
    return render(
        request,
        "commissioning/import.html",
        {"initiative": initiative, "form": form},
        status=400 if request.method == "POST" else 200,
    )


#: Irregularities shown after an import; the rest are counted.
SHOWN_WARNINGS = 10


def _report_irregularities(request: HttpRequest, warnings: tuple[str, ...]) -> None:
    if not warnings:
        return
    shown = list(warnings[:SHOWN_WARNINGS])
    if len(warnings) > SHOWN_WARNINGS:
        shown.append(_("… and %(n)d more.") % {"n": len(warnings) - SHOWN_WARNINGS})
    messages.warning(
        request,
        _(
            "The file has irregularities that the reference tools read anyway; they were read "
            "the same way: %(list)s"
        )
        % {"list": " ".join(shown)},
    )


@require_http_methods(["GET", "HEAD"])
def budget_export(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    budget = _budget(request, initiative_slug, slug)
    area_id = posted_id(request.GET, "area", required=False)
    areas = budget.areas.all()
    area = get_object_or_404(areas, pk=area_id) if area_id else areas.first()
    if area is None:
        raise Http404
    try:
        text = budget_export_pabulib(budget, area)
    except ValidationError as error:
        return render(request, "400.html", {"detail": " ".join(error.messages)}, status=400)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{budget.slug}-{area.pk}.pb"'
    return response


@require_http_methods(["GET", "HEAD"])
def results(request: HttpRequest, initiative_slug: str, slug: str) -> HttpResponse:
    # The tally (NumPy, the compiled kernels) loads only when results are shown, so no other
    # page depends on it.
    from .tally import voter_share_spending, why_text

    budget = _budget(request, initiative_slug, slug)
    can_manage = request.user.has_perm("commissioning.manage_budget", budget)
    published = budget.stage == Budget.Stage.PUBLISHED
    if not published and not (can_manage and budget.results.exists()):
        messages.info(request, _("The result is not published yet."))
        return redirect("commissioning:detail", initiative_slug=initiative_slug, slug=slug)
    support = selectors.proposal_support(budget)
    sections = []
    my_ballot = selectors.ballot_of(budget, request.user)
    mine_choices = {c.proposal.code: c.points for c in my_ballot.choices.all()} if my_ballot else {}
    for result in selectors.budget_results(budget):
        funded = {p.pk for p in result.selected.all()}
        proposals = list(budget.proposals.filter(area=result.area, status=Proposal.Status.FEASIBLE))
        details = result.explanation.get("projects", {})
        rows = sorted(
            (
                {
                    "proposal": p,
                    "votes": support.get(p.pk, 0),
                    "funded": p.pk in funded,
                    "why": why_text(details.get(p.code, {}), budget.currency),
                }
                for p in proposals
            ),
            key=lambda row: (not row["funded"], -row["votes"], row["proposal"].code),
        )
        plot = cost_support_plot(
            [
                (
                    r["proposal"].code,
                    r["proposal"].title,
                    r["proposal"].cost,
                    r["votes"],
                    r["funded"],
                )
                for r in rows
            ]
        )
        mine = None
        area_choices = {c: v for c, v in mine_choices.items() if c in details}
        if area_choices:
            mine = voter_share_spending(result.explanation, area_choices)
            titles = {p.code: p.title for p in proposals}
            for payment in mine["payments"] if mine else []:
                payment["title"] = titles.get(payment["code"], "")
        sections.append({"result": result, "rows": rows, "plot": plot, "mine": mine})
    return render(
        request,
        "commissioning/results.html",
        {
            "budget": budget,
            "sections": sections,
            "published": published,
            "statistics": selectors.budget_statistics(budget),
            "funded_projects": selectors.funded_proposals(budget) if published else [],
        },
    )


def _moved(request: HttpRequest, target: str) -> HttpResponse:
    return moved(target.replace("{", "{{").replace("}", "}}"))(request)


def moved_budget(request: HttpRequest, slug: str, rest: str = "") -> HttpResponse:
    """``/budgets/<slug>/...`` of the first layout: the budget's page under its initiative."""
    budget = get_object_or_404(Budget.objects.select_related("initiative"), slug=slug)
    if not selectors.budget_visible_to(budget, request.user):
        raise Http404
    return _moved(request, f"/initiatives/{budget.initiative.slug}/budgets/{slug}/{rest}")


def moved_create(request: HttpRequest, initiative_slug: str) -> HttpResponse:
    return _moved(request, f"/initiatives/{initiative_slug}/budgets/new/")


def moved_import(request: HttpRequest, initiative_slug: str) -> HttpResponse:
    return _moved(request, f"/initiatives/{initiative_slug}/budgets/import/")
