"""Thin views of service requests (reported problems)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.initiatives.models import Initiative
from coproduce.uploads import image_response
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
from .forms import (
    RequestCategoryForm,
    RequestCommentForm,
    RequestStatusFilterForm,
    RequestUpdateForm,
    ServiceRequestForm,
)
from .models import (
    RequestCategory,
    ServiceRequest,
)

PER_PAGE = 100


#: What this component's pages may offer, answered per person as ``can.<key>`` in templates.
PAGE_PERMS = {
    "handle_requests": "service_requests.handle_service_requests",
}
_page = partial(initiative_page, perms=PAGE_PERMS)


@require_http_methods(GET)
def request_list(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
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
        "service_requests/requests.html",
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
    initiative = initiative_or_404(request, slug)
    return _page(
        request,
        "service_requests/request_choose.html",
        initiative,
        {"categories": selectors.initiative_request_categories(initiative)},
        section="requests",
    )


@login_required
@require_http_methods(GET_POST)
def request_create(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
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
            return redirect("service_requests:request", slug=slug, pk=report.pk)
    return _page(
        request,
        "service_requests/request_form.html",
        initiative,
        {"form": form, "category": category},
        status=form_status(request, form),
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
    initiative = initiative_or_404(request, slug)
    report = _service_request(initiative, pk)
    user = request.user
    can_handle = user.has_perm("service_requests.update_request", report)
    can_comment = user.has_perm("service_requests.comment_on_request", report)
    commenting = request.method == "POST" and request.POST.get("action") == "comment"
    data = request.POST if request.method == "POST" else None
    form = RequestUpdateForm(
        None if commenting else data, initial={"status": report.status, "public": True}
    )
    comment_form = RequestCommentForm(data if commenting else None)
    if request.method == "POST":
        if not (can_comment if commenting else can_handle):
            raise PermissionDenied(
                _("Only the person who reported it and those handling it may comment.")
                if commenting
                else _(
                    "Only the initiative's co-leads and professionals, or the person it is "
                    "assigned to, handle a reported problem."
                )
            )
        posted = comment_form if commenting else form
        if posted.is_valid():
            try:
                if commenting:
                    services.service_request_comment(
                        actor=user, request=report, **comment_form.cleaned_data
                    )
                else:
                    services.service_request_update(actor=user, request=report, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(posted, error)
            else:
                messages.success(
                    request,
                    _("Your comment is added.") if commenting else _("The request is updated."),
                )
                return redirect("service_requests:request", slug=slug, pk=pk)
    answers = []
    for attribute in report.category.attributes.all():
        if attribute.code in report.attributes:
            value = report.attributes[attribute.code]
            names = {str(v.get("key")): v.get("name") for v in attribute.values}
            values = value if isinstance(value, list) else [value]
            answers.append((attribute.description, ", ".join(str(names.get(v, v)) for v in values)))
    return _page(
        request,
        "service_requests/request_detail.html",
        initiative,
        {
            "report": report,
            "updates": selectors.request_updates_seen_by(report, user, can_handle=can_handle),
            "answers": answers,
            "form": form,
            "comment_form": comment_form,
            "can_handle": can_handle,
            "can_comment": can_comment,
            "contact": _contact(report, user),
            "retention_days": services.contact_retention_days(),
            "is_reporter": request.user.is_authenticated
            and report.reported_by_id == request.user.pk,
        },
        status=form_status(request, form, comment_form),
        section="requests",
    )


def _contact(report: ServiceRequest, user) -> list[tuple[str, str]]:
    """How to reach the reporter (sent through Open311), for those handling the request only."""
    if not user.has_perm("service_requests.see_contact_details", report):
        return []
    return [
        (str(report._meta.get_field(name).verbose_name), getattr(report, name))
        for name in ServiceRequest.CONTACT_FIELDS
        if getattr(report, name)
    ]


@login_required
@require_POST
def request_pick_up(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(
        request,
        "service_requests.handle_service_requests",
        initiative,
        _("Only the initiative's co-leads and professionals pick up reported problems."),
    )
    report = _service_request(initiative, pk)
    run_service(
        request,
        lambda: services.service_request_pick_up(actor=request.user, request=report),
        _("You picked up this request."),
    )
    return redirect("service_requests:request", slug=slug, pk=pk)


@require_http_methods(GET)
def request_photo(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    initiative = initiative_or_404(request, slug)
    report = _service_request(initiative, pk)
    return image_response(report.photo, download_name=f"request-{report.pk}")


@login_required
@require_http_methods(GET_POST)
def request_categories(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "service_requests.manage_request_categories", initiative)
    form = RequestCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_category_create(
                actor=request.user, initiative=initiative, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The category is added."))
            return redirect("service_requests:request_categories", slug=slug)
    return _page(
        request,
        "service_requests/request_categories.html",
        initiative,
        {
            "form": form,
            "categories": selectors.initiative_request_categories(
                initiative, active_only=False
            ).annotate(open_count=Count("requests", filter=~Q(requests__status="closed"))),
        },
        status=form_status(request, form),
        section="requests",
    )
