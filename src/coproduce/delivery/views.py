"""Thin views: parse input, check a named permission, call a selector or a service, render."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.initiatives.models import Initiative
from coproduce.initiatives.selectors import initiative_people, initiative_professionals
from coproduce.ledger.selectors import contribution_totals
from coproduce.web import (
    CO_LEADS_ONLY,
    GET,
    GET_POST,
    add_service_errors,
    error_text,
    form_status,
    initiative_or_404,
    initiative_page,
    require,
    run_service,
)

from . import selectors, services
from .forms import (
    HoursForm,
    RequirementConfirmForm,
    RequirementForm,
    ShiftForm,
    TaskForm,
)
from .ical import FeedItem, shifts_calendar
from .models import CalendarFeed, Shift, ShiftSignup, Task

PER_PAGE = 100


#: What this component's pages may offer, answered per person as ``can.<key>`` in templates.
PAGE_PERMS = {
    "manage_tasks": "delivery.manage_tasks",
    "confirm_requirements": "delivery.confirm_requirements",
    "view_ledger": "ledger.view_ledger",
}
_page = partial(initiative_page, perms=PAGE_PERMS)


@require_http_methods(GET)
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    return _page(
        request,
        "delivery/overview.html",
        initiative,
        {
            "tasks": selectors.initiative_tasks(initiative)[:6],
            "upcoming": selectors.upcoming_shifts(initiative)[:5],
            "totals": contribution_totals(initiative),
        },
        section="overview",
    )


@require_http_methods(GET)
def task_list(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
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
    initiative = initiative_or_404(request, slug)
    require(request, "delivery.manage_tasks", initiative)
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
            add_service_errors(form, error)
        else:
            messages.success(request, _("The task is published. Now add its shifts."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/task_form.html",
        initiative,
        {"form": form, "task": None},
        status=form_status(request, form),
        section="tasks",
    )


def _task(initiative: Initiative, pk: int) -> Task:
    return get_object_or_404(
        Task.objects.prefetch_related("requirements"), pk=pk, initiative=initiative
    )


@login_required
@require_http_methods(GET_POST)
def task_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "delivery.manage_tasks", initiative)
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
            add_service_errors(form, error)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/task_form.html",
        initiative,
        {"form": form, "task": task},
        status=form_status(request, form),
        section="tasks",
    )


@require_http_methods(GET)
def task_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
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
        professionals=initiative_professionals(initiative),
    )


@login_required
@require_http_methods(GET_POST)
def shift_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "delivery.manage_tasks", initiative)
    task = _task(initiative, pk)
    form = _shift_form(request, initiative, initial={"capacity": 4})
    if request.method == "POST" and form.is_valid():
        try:
            services.shift_create(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The shift is added."))
            return redirect("delivery:task", slug=slug, pk=task.pk)
    return _page(
        request,
        "delivery/shift_form.html",
        initiative,
        {"form": form, "task": task, "shift": None},
        status=form_status(request, form),
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
    initiative = initiative_or_404(request, slug)
    require(request, "delivery.manage_tasks", initiative)
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
            add_service_errors(form, error)
        else:
            messages.success(request, _("The shift is saved."))
            return redirect("delivery:shift", slug=slug, pk=shift.pk)
    return _page(
        request,
        "delivery/shift_form.html",
        initiative,
        {"form": form, "task": shift.task, "shift": shift},
        status=form_status(request, form),
        section="tasks",
    )


@require_http_methods(GET)
def shift_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
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
    initiative = initiative_or_404(request, slug)
    shift = _shift(initiative, pk)
    try:
        signup = services.shift_sign_up(person=request.user, shift=shift)
    except ValidationError as error:
        messages.error(request, error_text(error))
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
    initiative = initiative_or_404(request, slug)
    signup = get_object_or_404(
        ShiftSignup.objects.select_related("shift__task"), pk=pk, shift__task__initiative=initiative
    )
    run_service(
        request,
        lambda: services.shift_signup_cancel(actor=request.user, signup=signup),
        _("The sign-up is cancelled."),
    )
    if request.POST.get("next") == "my_shifts":
        return redirect("delivery:my_shifts")
    return redirect("delivery:shift", slug=slug, pk=signup.shift_id)


@login_required
@require_POST
def signup_hours(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    signup = get_object_or_404(
        ShiftSignup.objects.select_related("shift__task", "person"),
        pk=pk,
        shift__task__initiative=initiative,
    )
    require(
        request,
        "delivery.manage_shift",
        signup.shift,
        _("Only the shift's professional or a co-lead may confirm hours."),
    )
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
        return redirect("delivery:shift", slug=slug, pk=signup.shift_id)
    try:
        services.shift_hours_confirm(
            actor=request.user, signup=signup, hours=form.cleaned_data["hours"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(hours)s hours confirmed for %(name)s.")
            % {"hours": number_format(form.cleaned_data["hours"]), "name": signup.person},
        )
    return redirect("delivery:shift", slug=slug, pk=signup.shift_id)


@require_http_methods(GET)
def task_map(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    return _page(
        request,
        "delivery/map.html",
        initiative,
        {
            "tasks": selectors.initiative_tasks(initiative),
            "points": selectors.map_points(initiative),
            "tile_url": settings.DELIVERY_MAP_TILE_URL,
        },
        section="map",
    )


@login_required
@require_http_methods(GET)
def my_shifts(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    initiative = initiative_or_404(request, slug) if slug else None
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
    initiative = initiative_or_404(request, slug)
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
    initiative = initiative_or_404(request, slug)
    require(
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
        people=initiative_people(initiative),
    )
    if which == "define" and can_define and define_form.is_valid():
        try:
            services.requirement_create(
                actor=request.user, initiative=initiative, **define_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(define_form, error)
        else:
            messages.success(request, _("The requirement is added."))
            return redirect("delivery:requirements", slug=slug)
    elif which == "define" and not can_define:
        raise PermissionDenied(str(CO_LEADS_ONLY))
    if which == "confirm" and confirm_form.is_valid():
        try:
            services.requirement_confirm(actor=request.user, **confirm_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(confirm_form, error)
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
        status=form_status(request, define_form, confirm_form),
        section="requirements",
    )
