"""Thin views of the contributions ledger."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.ids import posted_id, posted_ids
from coproduce.initiatives.models import Initiative
from coproduce.initiatives.selectors import initiative_people
from coproduce.web import (
    GET,
    GET_POST,
    add_service_errors,
    form_status,
    initiative_or_404,
    initiative_page,
    require,
    run_service,
)

from . import selectors, services
from .charts import stacked_bar_chart
from .forms import (
    ContributionForm,
    CorrectionForm,
    CurrencyForm,
    DisputeForm,
    ImportForm,
    LedgerFilterForm,
    RateForm,
)
from .models import (
    Contribution,
    ValuationRate,
)

PER_PAGE = 100


#: What this component's pages may offer, answered per person as ``can.<key>`` in templates.
PAGE_PERMS = {
    "view_ledger": "ledger.view_ledger",
}
_page = partial(initiative_page, perms=PAGE_PERMS)


def _money(currency: str):
    return lambda value: f"{number_format(round(value), force_grouping=True)} {currency}"


def _hours_text(value: float) -> str:
    return _("%(hours)s h") % {"hours": number_format(round(value), force_grouping=True)}


@require_http_methods(GET)
def contribution_totals(request: HttpRequest, slug: str) -> HttpResponse:
    """Public aggregates: hours and value by citizens, professionals and organisations."""
    initiative = initiative_or_404(request, slug)
    totals = selectors.contribution_totals(initiative)
    labels = totals.capacity_labels()
    months = [row.label for row in totals.by_month]
    hours_series = [
        (label, [row.cells()[i][0] for row in totals.by_month]) for i, label in enumerate(labels)
    ]
    value_series = [
        (label, [row.cells()[i][1] for row in totals.by_month]) for i, label in enumerate(labels)
    ]
    span = {"first": months[0], "last": months[-1]} if months else {}
    shares = ", ".join(
        f"{label} {_hours_text(float(hours))}"
        for label, (hours, _value) in zip(labels, totals.total.cells(), strict=True)
    )
    charts = []
    if months:
        charts = [
            stacked_bar_chart(
                categories=months,
                series=hours_series,
                title=_("Hours contributed per month"),
                description=_(
                    "Stacked bars of confirmed hours per month from %(first)s to %(last)s. "
                    "In total: %(shares)s. The table below gives every figure."
                )
                % {**span, "shares": shares},
                format_value=_hours_text,
            ),
            stacked_bar_chart(
                categories=months,
                series=value_series,
                title=_("Replacement value contributed per month (%(currency)s)")
                % {"currency": totals.currency},
                description=_(
                    "Stacked bars of the replacement value of confirmed contributions per "
                    "month from %(first)s to %(last)s, in %(currency)s. The table below gives "
                    "every figure."
                )
                % {**span, "currency": totals.currency},
                format_value=_money(totals.currency),
            ),
        ]
    context = {"totals": totals, "charts": charts, "labels": labels}
    if request.user.is_authenticated:
        context["my_summary"] = selectors.person_contribution_summary(request.user, initiative)
        context["to_confirm"] = selectors.contributions_to_confirm(request.user, initiative)[:50]
    return _page(request, "ledger/contributions.html", initiative, context, section="contributions")


@login_required
@require_http_methods(GET)
def my_contributions(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    return _page(
        request,
        "ledger/my_contributions.html",
        initiative,
        {
            "page": (
                page := Paginator(
                    selectors.person_contributions(request.user, initiative), PER_PAGE
                ).get_page(request.GET.get("page"))
            ),
            "entries": page.object_list,
            "summary": selectors.person_contribution_summary(request.user, initiative),
            "currency": selectors.ledger_currency(initiative),
        },
        section="contributions",
    )


@login_required
@require_http_methods(GET_POST)
def contribution_create(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    for_others = request.user.has_perm("ledger.record_for_others", initiative)
    form = ContributionForm(
        request.POST or None,
        initiative=initiative,
        people=initiative_people(initiative) if for_others else None,
        organisations=None if for_others else request.user.organisations.order_by("name"),
        initial={"occurred_on": timezone.localdate(), "kind": "time"},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person", None) or request.user
        try:
            services.contribution_record(
                actor=request.user, initiative=initiative, person=person, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The contribution is recorded. It counts once a co-lead confirms it."),
            )
            if person == request.user:
                return redirect("ledger:my_contributions", slug=slug)
            return redirect("ledger:ledger", slug=slug)
    return _page(
        request,
        "ledger/contribution_form.html",
        initiative,
        {"form": form},
        status=form_status(request, form),
        section="contributions",
    )


@login_required
@require_http_methods(GET)
def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    """Every entry with names: for co-leads (and administrators) only."""
    initiative = initiative_or_404(request, slug)
    require(request, "ledger.view_ledger", initiative)
    form = LedgerFilterForm(request.GET or None)
    status = 200
    entries = selectors.ledger_entries(initiative)
    if request.GET and not form.is_valid():
        status, entries = 400, entries.none()
    elif request.GET:
        entries = selectors.ledger_entries(initiative, status=form.cleaned_data["status"])
    counts = dict(initiative.contributions.values_list("status").annotate(n=Count("id")).order_by())
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return _page(
        request,
        "ledger/ledger.html",
        initiative,
        {
            "form": form,
            "page": page,
            "entries": page.object_list,
            "counts": counts,
            "currency": selectors.ledger_currency(initiative),
        },
        status=status,
        section="ledger",
    )


def _contribution(initiative: Initiative, pk: int) -> Contribution:
    return get_object_or_404(
        Contribution.objects.select_related(
            "person", "organisation", "phase", "confirmed_by", "disputed_by"
        ),
        pk=pk,
        initiative=initiative,
    )


@login_required
@require_http_methods(GET)
def contribution_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    contribution = _contribution(initiative, pk)
    require(
        request,
        "ledger.view_contribution",
        contribution,
        _("A contribution is seen by its contributor, the co-leads and the shift's professional."),
    )
    return _page(
        request,
        "ledger/contribution_detail.html",
        initiative,
        {
            "entry": contribution,
            "history": selectors.contribution_history(contribution),
            "corrected": selectors.contribution_is_corrected(contribution),
            "can_confirm": request.user.has_perm("ledger.confirm_contribution", contribution),
            "can_withdraw": request.user.has_perm("ledger.withdraw_contribution", contribution),
            "dispute_form": DisputeForm(),
            "currency": selectors.ledger_currency(initiative),
        },
        section="contributions",
    )


def _back_to(request: HttpRequest, slug: str, pk: int):
    if request.POST.get("next") == "ledger":
        return redirect("ledger:ledger", slug=slug)
    if request.POST.get("next") == "contributions":
        return redirect("ledger:contributions", slug=slug)
    return redirect("ledger:contribution", slug=slug, pk=pk)


@login_required
@require_POST
def contribution_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    contribution = _contribution(initiative, pk)
    run_service(
        request,
        lambda: services.contribution_confirm(actor=request.user, contribution=contribution),
        _("The contribution is confirmed."),
    )
    return _back_to(request, slug, pk)


@login_required
@require_POST
def contribution_confirm_all(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "ledger.confirm_all_contributions", initiative)
    ids = posted_ids(request.POST, "ids")
    count = services.contribution_confirm_bulk(
        actor=request.user, initiative=initiative, ids=ids or None
    )
    messages.success(request, _("%(count)d contributions confirmed.") % {"count": count})
    return redirect("ledger:ledger", slug=slug)


@login_required
@require_http_methods(GET_POST)
def contribution_dispute(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    contribution = _contribution(initiative, pk)
    require(
        request,
        "ledger.confirm_contribution",
        contribution,
        _("Only a co-lead or the shift's professional may dispute, never the contributor."),
    )
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_dispute(
                actor=request.user, contribution=contribution, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contribution is disputed; the contributor sees why."))
            return redirect("ledger:contribution", slug=slug, pk=pk)
    return _page(
        request,
        "ledger/contribution_dispute.html",
        initiative,
        {"entry": contribution, "form": form},
        status=form_status(request, form),
        section="contributions",
    )


@login_required
@require_POST
def contribution_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    contribution = _contribution(initiative, pk)
    run_service(
        request,
        lambda: services.contribution_withdraw(actor=request.user, contribution=contribution),
        _("The contribution is withdrawn."),
    )
    return redirect("ledger:my_contributions", slug=slug)


@login_required
@require_http_methods(GET_POST)
def contribution_correct(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    contribution = _contribution(initiative, pk)
    require(
        request,
        "ledger.correct_contribution",
        contribution,
        _("Only a co-lead or the shift's professional may correct, never the contributor."),
    )
    form = CorrectionForm(
        request.POST or None,
        initial={
            "quantity": contribution.quantity,
            "occurred_on": contribution.occurred_on,
            "work_type": contribution.work_type,
            "description": contribution.description,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contribution_correct(
                actor=request.user,
                contribution=contribution,
                reason=data["reason"],
                quantity=data["quantity"],
                occurred_on=data["occurred_on"],
                work_type=data["work_type"],
                description=data["description"],
                cancel=data["cancel"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The correction is recorded; the original entry is kept in the history.")
            )
            return redirect("ledger:contribution", slug=slug, pk=pk)
    return _page(
        request,
        "ledger/contribution_correct.html",
        initiative,
        {"entry": contribution, "form": form},
        status=form_status(request, form),
        section="contributions",
    )


@login_required
@require_http_methods(GET_POST)
def contribution_import(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "ledger.import_contributions", initiative)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 10 * 1024 * 1024:
                form.add_error("file", _("The file is too large (10 MB at most)."))
            else:
                report = services.contribution_import(
                    actor=request.user,
                    initiative=initiative,
                    content=upload.read(),
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                    confirm=form.cleaned_data["confirm"],
                )
                if report.imported and not report.problems:
                    messages.success(
                        request,
                        _("%(count)d contributions imported.") % {"count": report.imported},
                    )
                    return redirect("ledger:ledger", slug=slug)
        status = 400 if form.errors or (report and report.rejected) else 200
    return _page(
        request,
        "ledger/import.html",
        initiative,
        {"form": form, "report": report},
        status=status,
        section="ledger",
    )


@login_required
@require_http_methods(GET_POST)
def rates(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "ledger.set_rates", initiative)
    which = request.POST.get("form") if request.method == "POST" else None
    currency_form = CurrencyForm(
        request.POST if which == "currency" else None,
        prefix="currency",
        initial={"currency": selectors.ledger_currency(initiative)},
    )
    rate_form = RateForm(request.POST if which == "rate" else None, prefix="rate")
    if which == "currency" and currency_form.is_valid():
        services.ledger_settings_update(
            actor=request.user, initiative=initiative, **currency_form.cleaned_data
        )
        messages.success(request, _("The currency is saved."))
        return redirect("ledger:rates", slug=slug)
    if which == "rate" and rate_form.is_valid():
        try:
            services.valuation_rate_set(
                actor=request.user, initiative=initiative, **rate_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(rate_form, error)
        else:
            messages.success(
                request, _("The rate is saved. It values contributions recorded from now on.")
            )
            return redirect("ledger:rates", slug=slug)
    if which == "delete":
        rate = get_object_or_404(
            ValuationRate, pk=posted_id(request.POST, "rate"), initiative=initiative
        )
        services.valuation_rate_delete(actor=request.user, rate=rate)
        messages.success(request, _("The rate is removed."))
        return redirect("ledger:rates", slug=slug)
    return _page(
        request,
        "ledger/rates.html",
        initiative,
        {
            "rates": selectors.valuation_rates(initiative),
            "currency_form": currency_form,
            "rate_form": rate_form,
            "currency": selectors.ledger_currency(initiative),
        },
        status=form_status(request, currency_form, rate_form),
        section="ledger",
    )
