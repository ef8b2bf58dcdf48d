import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services, throttle
from .forms import ProfileForm
from .models import Person
from .selectors import person_memberships

# Which throttled action each account page counts (settings.ACCOUNT_RATE_LIMITS).
_THROTTLED_PAGES = {
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_email": "confirm_email",
    "account_email_verification_sent": "confirm_email",
    "account_change_password": "change_password",
}


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The page a throttled request gets: what was refused and when to try again."""
    match = request.resolver_match
    action = _THROTTLED_PAGES.get(match.url_name if match else "", "")
    key = (request.POST.get("email") or "").strip().lower() or None
    wait = throttle.seconds_to_wait(request, action=action, key=key) if action else 0
    wait = wait or 60
    response = render(
        request, "429.html", {"wait_message": throttle.wait_message(wait)}, status=429
    )
    response["Retry-After"] = str(math.ceil(wait))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    person = request.user
    form = ProfileForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        services.person_update_profile(
            person=person,
            actor=person,
            **{name: form.cleaned_data[name] for name in ProfileForm.Meta.fields},
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("people:profile")
    return render(
        request,
        "people/profile.html",
        {"form": form, "memberships": person_memberships(person)},
        status=400 if form.errors else 200,
    )
