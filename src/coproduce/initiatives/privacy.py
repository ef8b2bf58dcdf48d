"""What the initiatives app holds about a person (see ``people.personal_data``): the initiatives
they take part in and the co-lead invitations sent to their address."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coproduce.people.personal_data import Section, register, rows

from .models import CoLeadInvitation, Initiative, Participation


def _participations(person) -> list[dict[str, Any]]:
    return rows(
        Participation.objects.filter(person=person).order_by("joined_at", "id"),
        "id",
        "initiative_id",
        "initiative__title",
        "role",
        "organisation_id",
        "joined_at",
        "channel",
    )


def _only_co_lead_of(person) -> list[Initiative]:
    """Running initiatives of which this person is the sole co-lead."""
    led = Participation.objects.filter(person=person, role=Participation.Role.CO_LEAD)
    others = Participation.objects.filter(role=Participation.Role.CO_LEAD).exclude(person=person)
    return list(
        Initiative.objects.filter(pk__in=led.values("initiative_id"))
        .exclude(pk__in=others.values("initiative_id"))
        .exclude(status__in=(Initiative.Status.COMPLETED, Initiative.Status.ARCHIVED))
        .order_by("title")
    )


def _blockers(person) -> list[str]:
    """Someone must stay accountable for a running initiative, as when a co-lead leaves."""
    return [
        _(
            "You are the only co-lead of “%(initiative)s”. Invite another co-lead (or ask an "
            "administrator to close it) before you delete your account."
        )
        % {"initiative": initiative.title}
        for initiative in _only_co_lead_of(person)
    ]


def _erase_participations(person, now: dt.datetime) -> int:
    deleted, _by_model = Participation.objects.filter(person=person).delete()
    return deleted


def _invitations(person) -> list[dict[str, Any]]:
    return rows(
        CoLeadInvitation.objects.filter(
            Q(email__iexact=person.email) | Q(invited_by=person)
        ).order_by("id"),
        "id",
        "initiative_id",
        "initiative__title",
        "email",
        "invited_by_id",
        "status",
        "created_at",
    )


def _erase_invitations(person, now: dt.datetime) -> int:
    """Invitations to the person's address lose the address; a pending one is declined. The
    invitations they sent stay, naming them by number."""
    count = 0
    invitations = CoLeadInvitation.objects.filter(email__iexact=person.email)
    for invitation in invitations.select_for_update():
        invitation.email = f"erased-invitation-{invitation.pk}@erased.invalid"
        if invitation.status == CoLeadInvitation.Status.PENDING:
            invitation.status = CoLeadInvitation.Status.DECLINED
        invitation.save(update_fields=["email", "status"])
        count += 1
    return count


def register_sections() -> None:
    register(
        Section(
            "participations",
            (Participation,),
            _participations,
            _erase_participations,
            _blockers,
            label=gettext_lazy("Initiatives you take part in"),
            on_erasure=gettext_lazy("Deleted: you leave every initiative."),
        )
    )
    register(
        Section(
            "co_lead_invitations",
            (CoLeadInvitation,),
            _invitations,
            _erase_invitations,
            label=gettext_lazy("Invitations to co-lead"),
            on_erasure=gettext_lazy("Your address is erased; a pending invitation is declined."),
        )
    )
