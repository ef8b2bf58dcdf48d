from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .forms import EmailAuthenticationForm, ProfileForm, SignUpForm
from .models import Person
from .selectors import person_memberships


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("initiatives:mine")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.person_sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
            area=form.cleaned_data["area"],
            preferred_language=get_language()[:2] if get_language() else "en",
            base_url=request.build_absolute_uri("/"),
        )
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s. We sent a confirmation link to %(email)s.")
            % {"name": person.display_name, "email": person.email},
        )
        return redirect("initiatives:list")
    return render(
        request, "people/sign_up.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        person = services.person_confirm_email(token=token)
    except (signing.BadSignature, Person.DoesNotExist, KeyError, TypeError):
        return render(request, "people/confirm_failed.html", status=400)
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": person.email})
    return redirect("initiatives:list")


class LoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


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
