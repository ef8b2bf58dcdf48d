"""Thin views: parse input, check a named permission, call a selector or a service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.initiatives.models import Initiative
from coproduce.initiatives.selectors import initiative_visible_to

from . import selectors, services
from .charts import stacked_bar_chart
from .forms import (
    ContributionForm,
    CorrectionForm,
    CurrencyForm,
    DisputeForm,
    ExchangeForm,
    HoursForm,
    ImportForm,
    LedgerFilterForm,
    ListingFilterForm,
    ListingForm,
    RateForm,
    RequestCategoryForm,
    RequestStatusFilterForm,
    RequestUpdateForm,
    RequirementConfirmForm,
    RequirementForm,
    ServiceRequestForm,
    ShiftForm,
    TaskForm,
    TimebankForm,
    TransferForm,
)
from .ical import FeedItem, shifts_calendar
from .models import (
    CalendarFeed,
    Contribution,
    Exchange,
    Listing,
    RequestCategory,
    ServiceRequest,
    Shift,
    ShiftSignup,
    Task,
    TimebankAccount,
    ValuationRate,
)

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]
PER_PAGE = 100
CO_LEADS_ONLY = gettext_lazy("Only the initiative's co-leads and administrators may do this.")


def _initiative(request: HttpRequest, slug: str) -> Initiative:
    initiative = get_object_or_404(Initiative.objects.select_related("service", "host"), slug=slug)
    if not initiative_visible_to(initiative, request.user):
        raise Http404
    return initiative


def _require(request: HttpRequest, perm: str, obj, message: str | None = None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(message or str(CO_LEADS_ONLY))


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on its fields when it names them."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _page(
    request: HttpRequest,
    template: str,
    initiative: Initiative,
    context: dict | None = None,
    *,
    status: int = 200,
    section: str = "",
) -> HttpResponse:
    user = request.user
    can = {
        "manage_tasks": user.has_perm("delivery.manage_tasks", initiative),
        "view_ledger": user.has_perm("delivery.view_ledger", initiative),
        "confirm_requirements": user.has_perm("delivery.confirm_requirements", initiative),
        "manage_timebank": user.has_perm("delivery.manage_timebank", initiative),
        "handle_requests": user.has_perm("delivery.handle_service_requests", initiative),
    }
    return render(
        request,
        template,
        {"initiative": initiative, "can": can, "section": section, **(context or {})},
        status=status,
    )


def _status(request: HttpRequest, *forms) -> int:
    return 400 if request.method == "POST" and any(form.errors for form in forms) else 200


# --------------------------------------------------------------------------------------------
# Overview, tasks, shifts, map, calendars
# --------------------------------------------------------------------------------------------


@require_http_methods(GET)
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    upcoming = (
        Shift.objects.filter(
            task__initiative=initiative,
            task__status=Task.Status.OPEN,
            starts_at__gt=timezone.now(),
        )
        .select_related("task")
        .order_by("starts_at")[:5]
    )
    return _page(
        request,
        "delivery/overview.html",
        initiative,
        {
            "tasks": selectors.initiative_tasks(initiative)[:6],
            "upcoming": upcoming,
            "totals": selectors.contribution_totals(initiative),
            "timebank": selectors.timebank_of(initiative),
            "open_requests": selectors.initiative_requests(initiative)
            .exclude(status=ServiceRequest.Status.CLOSED)
            .count(),
        },
        section="overview",
    )


@require_http_methods(GET)
def task_list(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    show_closed = request.GET.get("closed") == "1"
    return _page(
        request,
        "delivery/tasks.html",
        initiative,
        {
            "tasks": selectors.initiative_tasks(initiative, include_closed=show_closed),
            "show_closed": show_closed,
        },
        section="tasks",
    )


@login_required
@require_http_methods(GET_POST)
def task_create(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_tasks", initiative)
    form = TaskForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                actor=request.user,
                initiative=initiative,
                title=data["title"],
                description=data["description"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                skills=data["skills"],
                work_type=data["work_type"],
                requirements=list(data["requirements"]),
                status=data["status"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The task is published. Now add its shifts."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/task_form.html",
        initiative,
        {"form": form, "task": None},
        status=_status(request, form),
        section="tasks",
    )


def _task(initiative: Initiative, pk: int) -> Task:
    return get_object_or_404(
        Task.objects.prefetch_related("requirements"), pk=pk, initiative=initiative
    )


@login_required
@require_http_methods(GET_POST)
def task_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_tasks", initiative)
    task = _task(initiative, pk)
    form = TaskForm(
        request.POST or None, instance=Task.objects.get(pk=task.pk), initiative=initiative
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update(
                actor=request.user,
                task=task,
                requirements=list(data.pop("requirements")),
                **{name: data[name] for name in services.TASK_EDITABLE},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/task_form.html",
        initiative,
        {"form": form, "task": task},
        status=_status(request, form),
        section="tasks",
    )


@require_http_methods(GET)
def task_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    task = _task(initiative, pk)
    shifts = list(selectors.task_shifts(task))
    past = list(selectors.task_shifts(task, upcoming=False)[:20])
    mine = selectors.person_signups_for(request.user, shifts + past)
    missing = []
    if request.user.is_authenticated:
        missing = selectors.missing_requirements(request.user, task, today=timezone.localdate())
    return _page(
        request,
        "delivery/task_detail.html",
        initiative,
        {
            "task": task,
            "shifts": [(shift, mine.get(shift.pk)) for shift in shifts],
            "past_shifts": [(shift, mine.get(shift.pk)) for shift in past],
            "missing": missing,
        },
        section="tasks",
    )


def _shift_form(request, initiative, initial=None) -> ShiftForm:
    return ShiftForm(
        request.POST or None,
        initial=initial,
        professionals=selectors.initiative_professionals(initiative),
    )


@login_required
@require_http_methods(GET_POST)
def shift_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_tasks", initiative)
    task = _task(initiative, pk)
    form = _shift_form(request, initiative, initial={"capacity": 4})
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_create(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The shift is added."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/shift_form.html",
        initiative,
        {"form": form, "task": task, "shift": None},
        status=_status(request, form),
        section="tasks",
    )


def _shift(initiative: Initiative, pk: int) -> Shift:
    return get_object_or_404(
        Shift.objects.select_related("task", "task__initiative", "professional"),
        pk=pk,
        task__initiative=initiative,
    )


@login_required
@require_http_methods(GET_POST)
def shift_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_tasks", initiative)
    shift = _shift(initiative, pk)
    form = _shift_form(
        request,
        initiative,
        initial={
            "starts_at": timezone.localtime(shift.starts_at),
            "ends_at": timezone.localtime(shift.ends_at),
            "capacity": shift.capacity,
            "professional": shift.professional,
            "notes": shift.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_update(actor=request.user, shift=shift, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The shift is saved."))
            return redirect("delivery:shift", slug=slug, pk=shift.pk)
    return _page(
        request,
        "delivery/shift_form.html",
        initiative,
        {"form": form, "task": shift.task, "shift": shift},
        status=_status(request, form),
        section="tasks",
    )


@require_http_methods(GET)
def shift_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    shift = _shift(initiative, pk)
    can_manage = request.user.has_perm("delivery.manage_shift", shift)
    mine = selectors.person_signups_for(request.user, [shift]).get(shift.pk)
    return _page(
        request,
        "delivery/shift_detail.html",
        initiative,
        {
            "shift": shift,
            "task": shift.task,
            "mine": mine,
            "position": selectors.waiting_position(mine)
            if mine and mine.status == ShiftSignup.Status.WAITING
            else None,
            "can_manage": can_manage,
            "roster": selectors.shift_roster(shift) if can_manage else [],
            "started": shift.starts_at <= timezone.now(),
        },
        section="tasks",
    )


@login_required
@require_POST
def shift_sign_up(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    shift = _shift(initiative, pk)
    try:
        signup = services.shift_sign_up(person=request.user, shift=shift)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if signup.status == ShiftSignup.Status.BOOKED:
            messages.success(request, _("You have a place on this shift. Thank you!"))
        else:
            messages.success(
                request,
                _(
                    "The shift is full: you are on the waiting list and will get a place "
                    "(and an email) as soon as one frees up."
                ),
            )
    return redirect("delivery:shift", slug=slug, pk=shift.pk)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    signup = get_object_or_404(
        ShiftSignup.objects.select_related("shift__task"), pk=pk, shift__task__initiative=initiative
    )
    try:
        services.shift_signup_cancel(actor=request.user, signup=signup)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The sign-up is cancelled."))
    if request.POST.get("next") == "my_shifts":
        return redirect("delivery:my_shifts")
    return redirect("delivery:shift", slug=slug, pk=signup.shift_id)


@login_required
@require_POST
def signup_hours(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    signup = get_object_or_404(
        ShiftSignup.objects.select_related("shift__task", "person"),
        pk=pk,
        shift__task__initiative=initiative,
    )
    _require(
        request,
        "delivery.manage_shift",
        signup.shift,
        _("Only the shift's professional or a co-lead may confirm hours."),
    )
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
        return redirect("delivery:shift", slug=slug, pk=signup.shift_id)
    try:
        services.shift_hours_confirm(
            actor=request.user, signup=signup, hours=form.cleaned_data["hours"]
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            _("%(hours)s hours confirmed for %(name)s.")
            % {"hours": number_format(form.cleaned_data["hours"]), "name": signup.person},
        )
    return redirect("delivery:shift", slug=slug, pk=signup.shift_id)


@require_http_methods(GET)
def task_map(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    return _page(
        request,
        "delivery/map.html",
        initiative,
        {
            "tasks": selectors.initiative_tasks(initiative),
            "points": selectors.map_points(initiative),
            "tile_url": getattr(
                settings,
                "DELIVERY_MAP_TILE_URL",
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            ),
        },
        section="map",
    )


@login_required
@require_http_methods(GET)
def my_shifts(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    initiative = _initiative(request, slug) if slug else None
    feed = services.calendar_feed_for(person=request.user)
    context = {
        "upcoming": selectors.person_shifts(request.user, initiative=initiative),
        "past": selectors.person_shifts(request.user, initiative=initiative, past=True)[:30],
        "feed_url": request.build_absolute_uri(
            reverse("delivery:person_calendar", args=[feed.token])
        ),
        "scope": initiative,
    }
    if initiative is None:
        return render(request, "delivery/my_shifts.html", context)
    return _page(request, "delivery/my_shifts.html", initiative, context, section="my_shifts")


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_reset(person=request.user)
    messages.success(
        request,
        _("Your calendar has a new address; the old one no longer works. Subscribe again."),
    )
    return redirect("delivery:my_shifts")


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(GET)
def person_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A person's shifts. The secret token stands in for a login: calendar apps cannot log in."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("person"), token=token)
    items = [
        FeedItem(signup.shift, waiting=signup.status == ShiftSignup.Status.WAITING)
        for signup in selectors.person_feed_signups(feed.person)
    ]
    content = shifts_calendar(
        name=_("My shifts – Coproduce"),
        items=items,
        domain=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/"),
    )
    return _calendar_response(content, "my-shifts.ics")


@require_http_methods(GET)
def initiative_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    content = shifts_calendar(
        name=_("Shifts – %(title)s") % {"title": initiative.title},
        items=[FeedItem(shift) for shift in selectors.initiative_feed_shifts(initiative)],
        domain=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/"),
    )
    return _calendar_response(content, f"{initiative.slug}-shifts.ics")


@login_required
@require_http_methods(GET_POST)
def requirements(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(
        request,
        "delivery.confirm_requirements",
        initiative,
        _("Only the initiative's professionals and co-leads may see and confirm requirements."),
    )
    can_define = request.user.has_perm("delivery.manage_tasks", initiative)
    which = request.POST.get("form") if request.method == "POST" else None
    define_form = RequirementForm(request.POST if which == "define" else None, prefix="define")
    confirm_form = RequirementConfirmForm(
        request.POST if which == "confirm" else None,
        prefix="confirm",
        requirements=initiative.delivery_requirements.all(),
        people=selectors.initiative_people(initiative),
    )
    if which == "define" and can_define and define_form.is_valid():
        try:
            services.requirement_create(
                actor=request.user, initiative=initiative, **define_form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(define_form, error)
        else:
            messages.success(request, _("The requirement is added."))
            return redirect("delivery:requirements", slug=slug)
    elif which == "define" and not can_define:
        raise PermissionDenied(str(CO_LEADS_ONLY))
    if which == "confirm" and confirm_form.is_valid():
        try:
            services.requirement_confirm(actor=request.user, **confirm_form.cleaned_data)
        except ValidationError as error:
            _add_errors(confirm_form, error)
        else:
            messages.success(
                request,
                _("Confirmed: %(person)s meets “%(requirement)s”.")
                % {
                    "person": confirm_form.cleaned_data["person"],
                    "requirement": confirm_form.cleaned_data["requirement"],
                },
            )
            return redirect("delivery:requirements", slug=slug)
    return _page(
        request,
        "delivery/requirements.html",
        initiative,
        {
            "requirements": selectors.initiative_requirements(initiative),
            "define_form": define_form,
            "confirm_form": confirm_form,
            "can_define": can_define,
            "today": timezone.localdate(),
        },
        status=_status(request, define_form, confirm_form),
        section="requirements",
    )


# --------------------------------------------------------------------------------------------
# The contributions ledger
# --------------------------------------------------------------------------------------------


def _money(currency: str):
    return lambda value: f"{number_format(round(value), force_grouping=True)} {currency}"


def _hours_text(value: float) -> str:
    return _("%(hours)s h") % {"hours": number_format(round(value), force_grouping=True)}


@require_http_methods(GET)
def contribution_totals(request: HttpRequest, slug: str) -> HttpResponse:
    """Public aggregates: hours and value by citizens, professionals and organisations."""
    initiative = _initiative(request, slug)
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
    return _page(
        request, "delivery/contributions.html", initiative, context, section="contributions"
    )


@login_required
@require_http_methods(GET)
def my_contributions(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    return _page(
        request,
        "delivery/my_contributions.html",
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
    initiative = _initiative(request, slug)
    for_others = request.user.has_perm("delivery.record_for_others", initiative)
    form = ContributionForm(
        request.POST or None,
        initiative=initiative,
        people=selectors.initiative_people(initiative) if for_others else None,
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
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The contribution is recorded. It counts once a co-lead confirms it."),
            )
            if person == request.user:
                return redirect("delivery:my_contributions", slug=slug)
            return redirect("delivery:ledger", slug=slug)
    return _page(
        request,
        "delivery/contribution_form.html",
        initiative,
        {"form": form},
        status=_status(request, form),
        section="contributions",
    )


@login_required
@require_http_methods(GET)
def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    """Every entry with names: for co-leads (and administrators) only."""
    initiative = _initiative(request, slug)
    _require(request, "delivery.view_ledger", initiative)
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
        "delivery/ledger.html",
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
            "person", "organisation", "task", "shift", "phase", "confirmed_by", "disputed_by"
        ),
        pk=pk,
        initiative=initiative,
    )


@login_required
@require_http_methods(GET)
def contribution_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    contribution = _contribution(initiative, pk)
    _require(
        request,
        "delivery.view_contribution",
        contribution,
        _("A contribution is seen by its contributor, the co-leads and the shift's professional."),
    )
    return _page(
        request,
        "delivery/contribution_detail.html",
        initiative,
        {
            "entry": contribution,
            "history": selectors.contribution_history(contribution),
            "corrected": selectors.contribution_is_corrected(contribution),
            "can_confirm": request.user.has_perm("delivery.confirm_contribution", contribution),
            "can_withdraw": request.user.has_perm("delivery.withdraw_contribution", contribution),
            "dispute_form": DisputeForm(),
            "currency": selectors.ledger_currency(initiative),
        },
        section="contributions",
    )


def _back_to(request: HttpRequest, slug: str, pk: int):
    if request.POST.get("next") == "ledger":
        return redirect("delivery:ledger", slug=slug)
    if request.POST.get("next") == "contributions":
        return redirect("delivery:contributions", slug=slug)
    return redirect("delivery:contribution", slug=slug, pk=pk)


@login_required
@require_POST
def contribution_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    contribution = _contribution(initiative, pk)
    try:
        services.contribution_confirm(actor=request.user, contribution=contribution)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The contribution is confirmed."))
    return _back_to(request, slug, pk)


@login_required
@require_POST
def contribution_confirm_all(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.confirm_all_contributions", initiative)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    count = services.contribution_confirm_bulk(
        actor=request.user, initiative=initiative, ids=ids or None
    )
    messages.success(request, _("%(count)d contributions confirmed.") % {"count": count})
    return redirect("delivery:ledger", slug=slug)


@login_required
@require_http_methods(GET_POST)
def contribution_dispute(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    contribution = _contribution(initiative, pk)
    _require(
        request,
        "delivery.confirm_contribution",
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
            _add_errors(form, error)
        else:
            messages.success(request, _("The contribution is disputed; the contributor sees why."))
            return redirect("delivery:contribution", slug=slug, pk=pk)
    return _page(
        request,
        "delivery/contribution_dispute.html",
        initiative,
        {"entry": contribution, "form": form},
        status=_status(request, form),
        section="contributions",
    )


@login_required
@require_POST
def contribution_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    contribution = _contribution(initiative, pk)
    try:
        services.contribution_withdraw(actor=request.user, contribution=contribution)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The contribution is withdrawn."))
    return redirect("delivery:my_contributions", slug=slug)


@login_required
@require_http_methods(GET_POST)
def contribution_correct(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    contribution = _contribution(initiative, pk)
    _require(
        request,
        "delivery.correct_contribution",
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
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The correction is recorded; the original entry is kept in the history.")
            )
            return redirect("delivery:contribution", slug=slug, pk=pk)
    return _page(
        request,
        "delivery/contribution_correct.html",
        initiative,
        {"entry": contribution, "form": form},
        status=_status(request, form),
        section="contributions",
    )


@login_required
@require_http_methods(GET_POST)
def contribution_import(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.import_contributions", initiative)
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
                    return redirect("delivery:ledger", slug=slug)
        status = 400 if form.errors or (report and report.rejected) else 200
    return _page(
        request,
        "delivery/import.html",
        initiative,
        {"form": form, "report": report},
        status=status,
        section="ledger",
    )


@login_required
@require_http_methods(GET_POST)
def rates(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.set_rates", initiative)
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
        return redirect("delivery:rates", slug=slug)
    if which == "rate" and rate_form.is_valid():
        try:
            services.valuation_rate_set(
                actor=request.user, initiative=initiative, **rate_form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(rate_form, error)
        else:
            messages.success(
                request, _("The rate is saved. It values contributions recorded from now on.")
            )
            return redirect("delivery:rates", slug=slug)
    if which == "delete":
        rate = get_object_or_404(
            ValuationRate, pk=request.POST.get("rate", "0") or 0, initiative=initiative
        )
        services.valuation_rate_delete(actor=request.user, rate=rate)
        messages.success(request, _("The rate is removed."))
        return redirect("delivery:rates", slug=slug)
    return _page(
        request,
        "delivery/rates.html",
        initiative,
        {
            "rates": selectors.valuation_rates(initiative),
            "currency_form": currency_form,
            "rate_form": rate_form,
            "currency": selectors.ledger_currency(initiative),
        },
        status=_status(request, currency_form, rate_form),
        section="ledger",
    )


# --------------------------------------------------------------------------------------------
# The timebank
# --------------------------------------------------------------------------------------------


def _timebank_or_404(initiative: Initiative):
    timebank = selectors.timebank_of(initiative)
    if timebank is None:
        raise Http404
    return timebank


@require_http_methods(GET)
def timebank(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    bank = selectors.timebank_of(initiative)
    context = {"timebank": bank}
    if bank is not None:
        form = ListingFilterForm(request.GET or None)
        status = 200
        listings = selectors.timebank_listings(bank)
        if request.GET and not form.is_valid():
            status, listings = 400, listings.none()
        elif request.GET:
            listings = selectors.timebank_listings(bank, **form.cleaned_data)
        account = selectors.account_of(request.user, bank)
        context.update(
            {
                "form": form,
                "listings": listings[:200],
                "account": account,
                "waiting": selectors.account_exchanges(account).filter(
                    status=Exchange.Status.PROPOSED
                )
                if account
                else [],
            }
        )
        return _page(
            request,
            "delivery/timebank.html",
            initiative,
            context,
            status=status,
            section="timebank",
        )
    return _page(request, "delivery/timebank.html", initiative, context, section="timebank")


@login_required
@require_http_methods(GET_POST)
def timebank_settings(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_timebank", initiative)
    bank = selectors.timebank_of(initiative)
    form = TimebankForm(request.POST or None, instance=bank)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if bank is None:
                services.timebank_open(
                    actor=request.user,
                    initiative=initiative,
                    min_balance=data["min_balance"],
                    max_balance=data["max_balance"],
                )
            else:
                services.timebank_update(actor=request.user, timebank=bank, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The timebank is saved."))
            return redirect("delivery:timebank", slug=slug)
    return _page(
        request,
        "delivery/timebank_settings.html",
        initiative,
        {"form": form, "timebank": bank},
        status=_status(request, form),
        section="timebank",
    )


@login_required
@require_http_methods(GET_POST)
def listing_create(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    bank = _timebank_or_404(initiative)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(
                person=request.user, timebank=bank, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your listing is published."))
            return redirect("delivery:listing", slug=slug, pk=listing.pk)
    return _page(
        request,
        "delivery/listing_form.html",
        initiative,
        {"form": form, "timebank": bank},
        status=_status(request, form),
        section="timebank",
    )


def _listing(initiative: Initiative, pk: int) -> Listing:
    return get_object_or_404(
        Listing.objects.select_related("account__person", "timebank"),
        pk=pk,
        timebank__initiative=initiative,
    )


@require_http_methods(GET_POST)
def listing_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    listing = _listing(initiative, pk)
    form = ExchangeForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                services.exchange_propose(actor=request.user, listing=listing, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Exchange proposed. When the help has been given, the person who "
                        "received it marks it done and the hours move."
                    ),
                )
                return redirect("delivery:timebank_account", slug=slug)
    account = selectors.account_of(request.user, listing.timebank)
    return _page(
        request,
        "delivery/listing_detail.html",
        initiative,
        {
            "listing": listing,
            "form": form,
            "is_mine": account is not None and account.pk == listing.account_id,
        },
        status=_status(request, form),
        section="timebank",
    )


@login_required
@require_POST
def listing_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    listing = _listing(initiative, pk)
    try:
        services.listing_close(actor=request.user, listing=listing)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The listing is closed."))
    return redirect("delivery:timebank", slug=slug)


def _exchange(initiative: Initiative, pk: int) -> Exchange:
    return get_object_or_404(
        Exchange.objects.select_related("giver", "receiver", "timebank__initiative", "listing"),
        pk=pk,
        timebank__initiative=initiative,
    )


@login_required
@require_POST
def exchange_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    exchange = _exchange(initiative, pk)
    try:
        services.exchange_complete(actor=request.user, exchange=exchange)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request, _("Done: %(hours)s hours moved.") % {"hours": number_format(exchange.hours)}
        )
    return redirect("delivery:timebank_account", slug=slug)


@login_required
@require_POST
def exchange_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    exchange = _exchange(initiative, pk)
    try:
        services.exchange_cancel(actor=request.user, exchange=exchange)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The exchange is cancelled."))
    return redirect("delivery:timebank_account", slug=slug)


@login_required
@require_http_methods(GET)
def timebank_account(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """A member's balance, movements and exchanges: seen by the member and the co-leads."""
    initiative = _initiative(request, slug)
    bank = _timebank_or_404(initiative)
    if pk is None:
        account = selectors.account_of(request.user, bank)
    else:
        account = get_object_or_404(
            TimebankAccount.objects.select_related("person", "timebank__initiative"),
            pk=pk,
            timebank=bank,
        )
        _require(
            request,
            "delivery.view_account",
            account,
            _("A balance is seen by its member and the co-leads only."),
        )
    return _page(
        request,
        "delivery/timebank_account.html",
        initiative,
        {
            "timebank": bank,
            "account": account,
            "movements": selectors.account_movements(account)[:200] if account else [],
            "exchanges": selectors.account_exchanges(account)[:200] if account else [],
        },
        section="timebank",
    )


@login_required
@require_http_methods(GET_POST)
def timebank_accounts(request: HttpRequest, slug: str) -> HttpResponse:
    """Every balance, the double-entry check, and a coordinator's transfer form."""
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_timebank", initiative)
    bank = _timebank_or_404(initiative)
    form = TransferForm(request.POST or None, accounts=bank.accounts.select_related("person"))
    if request.method == "POST" and form.is_valid():
        try:
            services.timebank_transfer(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The transfer is recorded."))
            return redirect("delivery:timebank_accounts", slug=slug)
    return _page(
        request,
        "delivery/timebank_accounts.html",
        initiative,
        {
            "timebank": bank,
            "accounts": selectors.timebank_accounts(bank),
            "report": selectors.timebank_check(bank),
            "form": form,
        },
        status=_status(request, form),
        section="timebank",
    )


# --------------------------------------------------------------------------------------------
# Service requests
# --------------------------------------------------------------------------------------------


@require_http_methods(GET)
def request_list(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    form = RequestStatusFilterForm(request.GET or None)
    status = 200
    requests = selectors.initiative_requests(initiative)
    if request.GET and not form.is_valid():
        status, requests = 400, requests.none()
    elif request.GET:
        requests = selectors.initiative_requests(initiative, status=form.cleaned_data["status"])
    counts = dict(
        ServiceRequest.objects.filter(category__initiative=initiative)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _page(
        request,
        "delivery/requests.html",
        initiative,
        {
            "form": form,
            "requests": requests[:300],
            "counts": counts,
            "categories": selectors.initiative_request_categories(initiative),
        },
        status=status,
        section="requests",
    )


@login_required
@require_http_methods(GET)
def request_choose(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    return _page(
        request,
        "delivery/request_choose.html",
        initiative,
        {"categories": selectors.initiative_request_categories(initiative)},
        section="requests",
    )


@login_required
@require_http_methods(GET_POST)
def request_create(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    category = get_object_or_404(
        RequestCategory.objects.prefetch_related("attributes"),
        code=code,
        initiative=initiative,
        is_active=True,
    )
    form = ServiceRequestForm(request.POST or None, request.FILES or None, category=category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.service_request_create(
                category=category,
                reporter=request.user,
                description=data["description"],
                address=data["address"],
                zipcode=data["zipcode"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                photo=data["photo"] or None,
                attributes=form.attribute_answers(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    field = f"attribute[{name}]" if f"attribute[{name}]" in form.fields else name
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                category.service_notice or _("Thank you: the problem is reported."),
            )
            return redirect("delivery:request", slug=slug, pk=report.pk)
    return _page(
        request,
        "delivery/request_form.html",
        initiative,
        {"form": form, "category": category},
        status=_status(request, form),
        section="requests",
    )


def _service_request(initiative: Initiative, pk: int) -> ServiceRequest:
    return get_object_or_404(
        ServiceRequest.objects.select_related("category", "assigned_to", "reported_by"),
        pk=pk,
        category__initiative=initiative,
    )


@require_http_methods(GET_POST)
def request_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    report = _service_request(initiative, pk)
    can_handle = request.user.has_perm("delivery.handle_service_requests", initiative)
    form = RequestUpdateForm(request.POST or None, initial={"status": report.status})
    if request.method == "POST":
        if not can_handle:
            raise PermissionDenied(
                _("Only the initiative's participants may update service requests.")
            )
        if form.is_valid():
            try:
                services.service_request_update(
                    actor=request.user, request=report, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The request is updated."))
                return redirect("delivery:request", slug=slug, pk=pk)
    answers = []
    for attribute in report.category.attributes.all():
        if attribute.code in report.attributes:
            value = report.attributes[attribute.code]
            names = {str(v.get("key")): v.get("name") for v in attribute.values}
            values = value if isinstance(value, list) else [value]
            answers.append((attribute.description, ", ".join(str(names.get(v, v)) for v in values)))
    return _page(
        request,
        "delivery/request_detail.html",
        initiative,
        {
            "report": report,
            "updates": report.updates.select_related("actor"),
            "answers": answers,
            "form": form,
            "can_handle": can_handle,
            "is_reporter": request.user.is_authenticated
            and report.reported_by_id == request.user.pk,
        },
        status=_status(request, form),
        section="requests",
    )


@login_required
@require_POST
def request_pick_up(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(
        request,
        "delivery.handle_service_requests",
        initiative,
        _("Only the initiative's participants may pick up service requests."),
    )
    report = _service_request(initiative, pk)
    try:
        services.service_request_pick_up(actor=request.user, request=report)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("You picked up this request."))
    return redirect("delivery:request", slug=slug, pk=pk)


@require_http_methods(GET)
def request_photo(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    initiative = _initiative(request, slug)
    report = _service_request(initiative, pk)
    if not report.photo:
        raise Http404
    response = FileResponse(report.photo.open("rb"))
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_http_methods(GET_POST)
def request_categories(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative(request, slug)
    _require(request, "delivery.manage_request_categories", initiative)
    form = RequestCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_category_create(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The category is added."))
            return redirect("delivery:request_categories", slug=slug)
    return _page(
        request,
        "delivery/request_categories.html",
        initiative,
        {
            "form": form,
            "categories": selectors.initiative_request_categories(
                initiative, active_only=False
            ).annotate(open_count=Count("requests", filter=~Q(requests__status="closed"))),
        },
        status=_status(request, form),
        section="requests",
    )
