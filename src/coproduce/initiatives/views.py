"""Thin views: parse input, check a named permission, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coproduce.people import throttle
from coproduce.web import initiative_or_404, require

from . import selectors, services
from .components import leaving_consequences, panels_for
from .forms import InitiativeFilterForm, InitiativeForm, InviteCoLeadForm, PhaseForm
from .models import CoLeadInvitation, Initiative, Phase


@require_http_methods(["GET", "HEAD"])
def initiative_list(request: HttpRequest) -> HttpResponse:
    form = InitiativeFilterForm(request.GET or None, areas=selectors.initiative_areas())
    if request.GET and not form.is_valid():
        initiatives = Initiative.objects.none()
        status = 400
    else:
        data = form.cleaned_data if request.GET else {}
        initiatives = selectors.initiative_list(
            selectors.InitiativeFilters(**{k: v for k, v in data.items() if v})
        )
        status = 200
    return render(
        request,
        "initiatives/list.html",
        {"form": form, "initiatives": initiatives},
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "phases": selectors.initiative_phases(initiative),
            "current_phase": selectors.current_phase(initiative),
            "co_leads": selectors.initiative_co_leads(initiative),
            "organisations": selectors.initiative_organisations(initiative),
            "role_counts": selectors.initiative_role_counts(initiative),
            "my_participation": selectors.participation_of(request.user, initiative),
            "can_edit": request.user.has_perm("initiatives.edit_initiative", initiative),
            "panels": panels_for(request, initiative),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "initiatives.edit_initiative", initiative)
    phases = selectors.initiative_phases(initiative)
    data = request.POST if request.method == "POST" else None
    form = InitiativeForm(data, instance=Initiative.objects.get(pk=initiative.pk))
    phase_forms = [
        PhaseForm(data, instance=Phase.objects.get(pk=phase.pk), prefix=phase.kind)
        for phase in phases
    ]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in phase_forms):
        with transaction.atomic():
            services.initiative_update(
                actor=request.user,
                initiative=initiative,
                **{name: form.cleaned_data[name] for name in InitiativeForm.Meta.fields},
            )
            for phase, phase_form in zip(phases, phase_forms, strict=True):
                # The form has already written its values into its own instance, so the
                # service gets the untouched phase to compare and audit the change.
                services.phase_update(actor=request.user, phase=phase, **phase_form.cleaned_data)
        messages.success(request, _("The initiative is saved."))
        return redirect("initiatives:detail", slug=initiative.slug)
    return render(
        request,
        "initiatives/edit.html",
        {"initiative": initiative, "form": form, "phase_forms": phase_forms},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def co_lead_invite(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    require(request, "initiatives.invite_co_lead", initiative)
    form = InviteCoLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Per inviting account and per invited address (settings.ACCOUNT_RATE_LIMITS["invite"]).
        wait = throttle.consume(request, action="invite", key=form.cleaned_data["email"].lower())
        if wait:
            form.add_error("email", throttle.wait_message(wait))
    if request.method == "POST" and form.is_valid():
        try:
            services.co_lead_invite(
                actor=request.user,
                initiative=initiative,
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("initiatives:detail", slug=initiative.slug)
    return render(
        request,
        "initiatives/invite.html",
        {"initiative": initiative, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        CoLeadInvitation.objects.select_related("initiative", "invited_by"), token=token
    )
    if invitation.email.lower() != request.user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another email address."))
    if not request.user.email_confirmed:
        raise PermissionDenied(
            _("Confirm your email address first: the link is in the email we sent you.")
        )
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            return render(
                request,
                "initiatives/invitation.html",
                {"invitation": invitation, "error": _("Choose to accept or to decline.")},
                status=400,
            )
        try:
            services.co_lead_invitation_answer(
                person=request.user, invitation=invitation, token=token, accept=answer == "accept"
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if answer == "accept":
                messages.success(request, _("You are now a co-lead of this initiative."))
        return redirect("initiatives:detail", slug=invitation.initiative.slug)
    return render(request, "initiatives/invitation.html", {"invitation": invitation})


@login_required
@require_POST
def initiative_join(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_or_404(request, slug)
    try:
        services.initiative_join(person=request.user, initiative=initiative)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You joined “%(title)s”.") % {"title": initiative.title})
    return redirect("initiatives:detail", slug=initiative.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def initiative_leave(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation and says what leaving will cancel; POST leaves."""
    initiative = initiative_or_404(request, slug)
    if request.method != "POST":
        if selectors.participation_of(request.user, initiative) is None:
            return redirect("initiatives:detail", slug=initiative.slug)
        return render(
            request,
            "initiatives/leave.html",
            {
                "initiative": initiative,
                "consequences": leaving_consequences(request.user, initiative),
            },
        )
    try:
        services.initiative_leave(person=request.user, initiative=initiative)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You left “%(title)s”.") % {"title": initiative.title})
    return redirect("initiatives:detail", slug=initiative.slug)


@login_required
@require_http_methods(["GET", "HEAD"])
def my_initiatives(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "initiatives/mine.html",
        {
            "participations": selectors.person_initiatives(request.user),
            "invitations": selectors.person_pending_invitations(request.user),
        },
    )
