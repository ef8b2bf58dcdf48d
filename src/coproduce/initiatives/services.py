"""Every write about initiatives, phases and participation.

Each function takes keyword arguments only, runs in one transaction and appends to the audit log,
so the web, the API and scripts behave identically.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.people.models import Organisation, Person

from .models import CoLeadInvitation, Initiative, Participation, Phase, Service

INITIATIVE_EDITABLE = ("title", "summary", "description", "area", "level", "status", "host")


def initiative_create(
    *,
    actor: Person | None,
    title: str,
    slug: str,
    service: Service,
    level: str,
    area: str,
    summary: str,
    host: Organisation | None = None,
    description: str = "",
    status: str = Initiative.Status.DRAFT,
    co_leads: list[tuple[Person, Organisation | None]] = (),
    phases: dict[str, dict] | None = None,
) -> Initiative:
    """Create an initiative with its four phases (all planned unless ``phases`` says otherwise)
    and its founding co-leads."""
    with transaction.atomic():
        initiative = Initiative(
            title=title,
            slug=slug,
            service=service,
            level=level,
            area=area,
            summary=summary,
            host=host,
            description=description,
            status=status,
        )
        initiative.full_clean()
        initiative.save()
        phases = phases or {}
        for kind in Phase.ORDER:
            phase = Phase(initiative=initiative, kind=kind, **phases.get(kind, {}))
            phase.full_clean()
            phase.save()
        audit_record(
            actor=actor,
            action="initiative.create",
            target=initiative,
            payload={"service": service.pk, "level": level, "host": host.pk if host else None},
        )
        for person, organisation in co_leads:
            participation_add(
                actor=actor,
                person=person,
                initiative=initiative,
                role=Participation.Role.CO_LEAD,
                organisation=organisation,
                channel=Participation.Channel.FOUNDER,
            )
    return initiative


def initiative_update(*, actor: Person, initiative: Initiative, **fields) -> Initiative:
    unknown = set(fields) - set(INITIATIVE_EDITABLE)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} here")
    with transaction.atomic():
        changed = [name for name, value in fields.items() if getattr(initiative, name) != value]
        for name in changed:
            setattr(initiative, name, fields[name])
        initiative.full_clean()
        if changed:
            initiative.save(update_fields=changed)
            audit_record(
                actor=actor,
                action="initiative.update",
                target=initiative,
                payload={"fields": changed},
            )
    return initiative


def phase_update(
    *,
    actor: Person,
    phase: Phase,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    status: str,
    notes: str | None = None,
) -> Phase:
    with transaction.atomic():
        before = (phase.starts_on, phase.ends_on, phase.status, phase.notes)
        phase.starts_on, phase.ends_on, phase.status = starts_on, ends_on, status
        if notes is not None:
            phase.notes = notes
        phase.full_clean()
        if before != (phase.starts_on, phase.ends_on, phase.status, phase.notes):
            phase.save()
            audit_record(
                actor=actor,
                action="phase.update",
                target=phase,
                payload={
                    "kind": phase.kind,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "status": status,
                },
            )
    return phase


def participation_add(
    *,
    actor: Person | None,
    person: Person,
    initiative: Initiative,
    role: str,
    channel: str,
    organisation: Organisation | None = None,
    joined_at: dt.datetime | None = None,
) -> Participation:
    with transaction.atomic():
        participation = Participation(
            person=person,
            initiative=initiative,
            role=role,
            organisation=organisation,
            channel=channel,
            joined_at=joined_at or timezone.now(),
        )
        participation.full_clean()
        participation.save()
        audit_record(
            actor=actor,
            action="participation.add",
            target=participation,
            payload={
                "person": person.pk,
                "initiative": initiative.pk,
                "role": role,
                "organisation": organisation.pk if organisation else None,
                "channel": channel,
            },
        )
    return participation


def initiative_join(*, person: Person, initiative: Initiative) -> Participation:
    """A person joins as a citizen on their own initiative."""
    if initiative.status in (Initiative.Status.ARCHIVED, Initiative.Status.COMPLETED):
        raise ValidationError(_("This initiative is closed to new members."))
    if Participation.objects.filter(person=person, initiative=initiative).exists():
        raise ValidationError(_("You already take part in this initiative."))
    return participation_add(
        actor=person,
        person=person,
        initiative=initiative,
        role=Participation.Role.CITIZEN,
        channel=Participation.Channel.SELF,
    )


def initiative_leave(*, person: Person, initiative: Initiative) -> None:
    """Leave an initiative. The last co-lead cannot leave: someone must stay accountable."""
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update()
            .filter(person=person, initiative=initiative)
            .first()
        )
        if participation is None:
            raise ValidationError(_("You do not take part in this initiative."))
        if participation.role == Participation.Role.CO_LEAD:
            others = (
                Participation.objects.select_for_update()
                .filter(initiative=initiative, role=Participation.Role.CO_LEAD)
                .exclude(pk=participation.pk)
            )
            if not others.exists():
                raise ValidationError(
                    _("You are the only co-lead. Invite another co-lead before you leave.")
                )
        audit_record(
            actor=person,
            action="participation.remove",
            target=participation,
            payload={"person": person.pk, "initiative": initiative.pk, "role": participation.role},
        )
        participation.delete()


def _send_invitation(invitation: CoLeadInvitation, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("initiatives:invitation", args=[invitation.token])
    send_mail(
        subject=_("You are invited to co-lead “%(title)s”") % {"title": invitation.initiative},
        message=_(
            "%(inviter)s invites you to share the lead of “%(title)s” on Coproduce.\n\n"
            "Open this link to accept or decline (sign up first with this email address if you "
            "have no account):\n%(link)s\n"
        )
        % {"inviter": invitation.invited_by, "title": invitation.initiative, "link": link},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def co_lead_invite(
    *,
    actor: Person,
    initiative: Initiative,
    email: str,
    organisation: Organisation | None = None,
    base_url: str = "http://127.0.0.1:8000",
) -> CoLeadInvitation:
    email = email.strip().lower()
    with transaction.atomic():
        if Participation.objects.filter(
            initiative=initiative, person__email__iexact=email, role=Participation.Role.CO_LEAD
        ).exists():
            raise ValidationError(_("This person is already a co-lead."))
        if CoLeadInvitation.objects.filter(
            initiative=initiative, email__iexact=email, status=CoLeadInvitation.Status.PENDING
        ).exists():
            raise ValidationError(_("An invitation to this address is already waiting."))
        invitation = CoLeadInvitation(
            initiative=initiative, email=email, organisation=organisation, invited_by=actor
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            actor=actor,
            action="co_lead.invite",
            target=invitation,
            payload={
                "initiative": initiative.pk,
                "organisation": organisation.pk if organisation else None,
            },
        )
        transaction.on_commit(lambda: _send_invitation(invitation, base_url))
    return invitation


def co_lead_invitation_answer(
    *, person: Person, invitation: CoLeadInvitation, accept: bool
) -> CoLeadInvitation:
    """Accept or decline. Accepting makes the person a co-lead (promoting an existing role)."""
    with transaction.atomic():
        invitation = CoLeadInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != CoLeadInvitation.Status.PENDING:
            raise ValidationError(_("This invitation has already been answered."))
        if invitation.email.lower() != person.email.lower():
            raise PermissionDenied(_("This invitation was sent to another email address."))
        invitation.status = (
            CoLeadInvitation.Status.ACCEPTED if accept else CoLeadInvitation.Status.DECLINED
        )
        invitation.save(update_fields=["status"])
        audit_record(
            actor=person,
            action="co_lead.accept" if accept else "co_lead.decline",
            target=invitation,
        )
        if accept:
            existing = (
                Participation.objects.select_for_update()
                .filter(person=person, initiative=invitation.initiative)
                .first()
            )
            if existing is None:
                participation_add(
                    actor=person,
                    person=person,
                    initiative=invitation.initiative,
                    role=Participation.Role.CO_LEAD,
                    organisation=invitation.organisation,
                    channel=Participation.Channel.INVITATION,
                )
            else:
                previous = existing.role
                existing.role = Participation.Role.CO_LEAD
                existing.organisation = invitation.organisation or existing.organisation
                existing.save(update_fields=["role", "organisation"])
                audit_record(
                    actor=person,
                    action="participation.change_role",
                    target=existing,
                    payload={"from": previous, "to": existing.role},
                )
    return invitation


def participation_ensure(*, person: Person, initiative: Initiative) -> None:
    """Taking part in a task or a timebank makes a person a participant (as a citizen): join
    them unless they already take part in some role."""
    if not Participation.objects.filter(person=person, initiative=initiative).exists():
        initiative_join(person=person, initiative=initiative)
