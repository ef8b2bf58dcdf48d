"""The view glue every app shares: find an initiative or answer 404, require a permission, turn a
service's refusal into form errors, render a page of the shared space.

Views stay thin because of it: they parse input, call one service or selector, and render.
Permissions are checked here *and* inside the services (ADR 0005): the view's check only decides
what to show; the service's check is the one that protects the data.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from coproduce.ids import InvalidInput
from coproduce.initiatives.components import tabs_for
from coproduce.initiatives.models import Initiative
from coproduce.initiatives.rules import CO_LEADS_ONLY
from coproduce.initiatives.selectors import initiative_visible_to
from coproduce.people import permissions

GET = ["GET", "HEAD"]
GET_POST = ["GET", "HEAD", "POST"]


def initiative_or_404(request: HttpRequest, slug: str) -> Initiative:
    """The initiative named in the URL, if this person may see it; 404 otherwise, so a draft's
    existence is not revealed."""
    initiative = get_object_or_404(
        Initiative.objects.select_related("service", "service__funder", "host"), slug=slug
    )
    if not initiative_visible_to(initiative, request.user):
        raise Http404
    return initiative


def require(request: HttpRequest, perm: str, obj=None, message: str | None = None) -> None:
    """Refuse with a 403 page that says who may do this (the services' own check, asked for the
    person making the request)."""
    permissions.require(request.user, perm, obj, message or str(CO_LEADS_ONLY))


def error_text(error: ValidationError) -> str:
    """A service's refusal as one sentence, for a flash message."""
    return " ".join(error.messages)


def run_service(request: HttpRequest, call: Callable[[], object], success: str) -> bool:
    """Run a service for a button (a POST without a form): its refusal becomes an error message,
    its success the confirmation ``success``. The caller redirects either way."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form, on the fields it names, so the person sees it next
    to what they typed (which the re-rendered form keeps)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_status(request: HttpRequest, *forms) -> int:
    """400 when a submitted form is re-rendered with errors, so tools and tests can tell."""
    return 400 if request.method == "POST" and any(form.errors for form in forms) else 200


def initiative_page(
    request: HttpRequest,
    template: str,
    initiative: Initiative,
    context: dict | None = None,
    *,
    status: int = 200,
    section: str = "",
    perms: dict[str, str] | None = None,
) -> HttpResponse:
    """Render a page of one initiative's component, with the tabs of the components it uses.

    ``perms`` names what the page may offer (``{"manage_tasks": "delivery.manage_tasks"}``); the
    template reads the answers as ``can.manage_tasks`` to decide which buttons to show.
    """
    can = {key: request.user.has_perm(perm, initiative) for key, perm in (perms or {}).items()}
    return render(
        request,
        template,
        {
            "initiative": initiative,
            "can": can,
            "section": section,
            "tabs": tabs_for(initiative, request.user, current=section),
            **(context or {}),
        },
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page; it names the field when the request was refused for one (``InvalidInput``),
    and says nothing more about other malformed requests."""
    detail = exception.message if isinstance(exception, InvalidInput) else ""
    return render(request, "400.html", {"detail": detail}, status=400)
