"""A person's privacy rights: download every record about them, delete their account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import personal_data, services
from .forms import AccountDeleteForm


def personal_data_response(person) -> HttpResponse:
    """Every record about ``person`` as a JSON file to save (also the admin's download)."""
    body = json.dumps(
        personal_data.export(person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="coproduce-personal-data-{person.pk}-{day}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def my_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/my_data.html",
        {"sections": personal_data.sections(), "blockers": personal_data.blockers(request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def my_data_download(request: HttpRequest) -> HttpResponse:
    return personal_data_response(request.user)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    person = request.user
    form = AccountDeleteForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(actor=person, person=person)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request, _("Your account is deleted and your personal data erased. Goodbye.")
            )
            return redirect("home")
    return render(
        request,
        "people/delete_account.html",
        {"form": form, "blockers": personal_data.blockers(person)},
        status=400 if form.errors else 200,
    )
