"""Every write about public services, initiatives, phases and participation.

Each function takes keyword arguments only, checks its actor's permission with the rules of
``initiatives.rules``, runs in one transaction and appends to the audit log, so the web, the API,
commands and the admin behave identically.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coproduce.audit.services import audit_record
from coproduce.people.mail import send_in_language
from coproduce.people.models import Organisation, Person
from coproduce.people.permissions import require

from .components import run_leave_hooks
from .models import CoLeadInvitation, Initiative, Participation, Phase, Service
from .rules import is_participant

INITIATIVE_EDITABLE = ("title", "summary", "description", "area", "level", "status", "host")


def _co_leads_only() -> str:
    return _("Only the initiative's co-leads and administrators may do this.")


def service_create(
    *,
    actor: Person,
    name: str,
    sector: str,
    funder: Organisation | None = None,
    description: str = "",
) -> Service:
    """Register a publicly financed service, which initiatives are then built around."""
    require(
        actor,
        "initiatives.create_service",
        None,
        _("Only administrators may add a public service."),
    )
    with transaction.atomic():
        service = Service(name=name, sector=sector, funder=funder, description=description)
        service.full_clean()
        service.save()
        audit_record(
            actor=actor,
            action="service.create",
            target=service,
            payload={"sector": sector, "funder": funder.pk if funder else None},
        )
    return service


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
    require(
        actor,
        "initiatives.create_initiative",
        None,
        _("Only administrators may open an initiative."),
    )
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
            _participation_write(
                actor=actor,
                person=person,
                initiative=initiative,
                role=Participation.Role.CO_LEAD,
                organisation=organisation,
                channel=Participation.Channel.FOUNDER,
            )
    return initiative


def initiative_update(*, actor: Person, initiative: Initiative, **fields) -> Initiative:
    """Edit an initiative's description, level, status or host (the page "edit", the admin and
    the demo all come here). Only the fields that really change are saved and audited."""
    unknown = set(fields) - set(INITIATIVE_EDITABLE)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} here")
    require(actor, "initiatives.edit_initiative", initiative, _co_leads_only())
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
    """Plan or move one of the four stages; co-leads decide when each stage runs."""
    require(actor, "initiatives.edit_initiative", phase.initiative, _co_leads_only())
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
    actor: Person,
    person: Person,
    initiative: Initiative,
    role: str,
    channel: str,
    organisation: Organisation | None = None,
    joined_at: dt.datetime | None = None,
) -> Participation:
    """A co-lead or an administrator adds someone to an initiative. Only an administrator adds
    a co-lead directly: otherwise a co-lead shares the lead by invitation, which the new co-lead
    accepts (:func:`co_lead_invite`)."""
    _require_participants_change(actor, initiative, role)
    return _participation_write(
        actor=actor,
        person=person,
        initiative=initiative,
        role=role,
        channel=channel,
        organisation=organisation,
        joined_at=joined_at,
    )


def _require_participants_change(actor: Person, initiative: Initiative, *roles: str) -> None:
    require(actor, "initiatives.manage_participants", initiative, _co_leads_only())
    if Participation.Role.CO_LEAD in roles:
        require(
            actor,
            "initiatives.appoint_co_lead",
            initiative,
            _("Only administrators appoint or remove a co-lead; co-leads invite one instead."),
        )


def _participation_write(
    *,
    actor: Person,
    person: Person,
    initiative: Initiative,
    role: str,
    channel: str,
    organisation: Organisation | None = None,
    joined_at: dt.datetime | None = None,
) -> Participation:
    """Write a participation; the public service calling this has checked the permission."""
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
    """A person joins as a citizen on their own initiative (drafts take nobody new)."""
    if initiative.status in (Initiative.Status.ARCHIVED, Initiative.Status.COMPLETED):
        raise ValidationError(_("This initiative is closed to new members."))
    if is_participant(person, initiative):
        raise ValidationError(_("You already take part in this initiative."))
    require(person, "initiatives.join_initiative", initiative)
    return _participation_write(
        actor=person,
        person=person,
        initiative=initiative,
        role=Participation.Role.CITIZEN,
        channel=Participation.Channel.SELF,
    )


def initiative_leave(*, person: Person, initiative: Initiative) -> None:
    """Leave an initiative. The last co-lead cannot leave: someone must stay accountable."""
    if getattr(person, "is_authenticated", False) and not is_participant(person, initiative):
        raise ValidationError(_("You do not take part in this initiative."))
    require(person, "initiatives.leave_initiative", initiative)
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update()
            .filter(person=person, initiative=initiative)
            .first()
        )
        if participation is None:
            raise ValidationError(_("You do not take part in this initiative."))
        if _is_last_co_lead(participation):
            raise ValidationError(
                _("You are the only co-lead. Invite another co-lead before you leave.")
            )
        _participation_delete(actor=person, participation=participation)


def _is_last_co_lead(participation: Participation) -> bool:
    """Whether this is the initiative's only co-lead; locks the co-leads' rows to decide."""
    if participation.role != Participation.Role.CO_LEAD:
        return False
    others = (
        Participation.objects.select_for_update()
        .filter(initiative_id=participation.initiative_id, role=Participation.Role.CO_LEAD)
        .exclude(pk=participation.pk)
    )
    return not others.exists()


def _participation_delete(*, actor: Person, participation: Participation) -> None:
    """Remove a participation after the components have released what they hold for the
    person (their places on shifts to come), all in the caller's transaction."""
    run_leave_hooks(participation.person, participation.initiative, actor)
    audit_record(
        actor=actor,
        action="participation.remove",
        target=participation,
        payload={
            "person": participation.person_id,
            "initiative": participation.initiative_id,
            "role": participation.role,
        },
    )
    participation.delete()


def participation_remove(*, actor: Person, participation: Participation) -> None:
    """A co-lead or an administrator removes someone from an initiative (the admin's action).
    Removing a co-lead is an administrator's decision, and the last co-lead stays."""
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        _require_participants_change(actor, participation.initiative, participation.role)
        if _is_last_co_lead(participation):
            raise ValidationError(
                _("This is the initiative's only co-lead: appoint another co-lead first.")
            )
        _participation_delete(actor=actor, participation=participation)


def participation_change_role(
    *, actor: Person, participation: Participation, role: str
) -> Participation:
    """Change someone's role in an initiative. Making or unmaking a co-lead is an
    administrator's decision, and the last co-lead keeps the role."""
    if role not in Participation.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        _require_participants_change(actor, participation.initiative, participation.role, role)
        if participation.role == role:
            return participation
        if role != Participation.Role.CO_LEAD and _is_last_co_lead(participation):
            raise ValidationError(
                _("This is the initiative's only co-lead: appoint another co-lead first.")
            )
        _role_write(actor=actor, participation=participation, role=role)
    return participation


def _role_write(
    *,
    actor: Person,
    participation: Participation,
    role: str,
    organisation: Organisation | None = None,
) -> None:
    previous = participation.role
    participation.role = role
    participation.organisation = organisation or participation.organisation
    participation.save(update_fields=["role", "organisation"])
    audit_record(
        actor=actor,
        action="participation.change_role",
        target=participation,
        payload={"from": previous, "to": role},
    )


def _send_invitation(invitation: CoLeadInvitation, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("initiatives:invitation", args=[invitation.token])
    # In the invitee's language if they already have an account, else in the inviter's.
    reader = Person.objects.filter(email__iexact=invitation.email).first() or invitation.invited_by
    language = reader.preferred_language if reader is not None else None

    def compose() -> tuple[str, str]:
        subject = _("You are invited to co-lead “%(title)s”") % {"title": invitation.initiative}
        body = _(
            "%(inviter)s invites you to share the lead of “%(title)s” on Coproduce.\n\n"
            "Open this link to accept or decline (sign up first with this email address if you "
            "have no account):\n%(link)s\n"
        ) % {"inviter": invitation.invited_by, "title": invitation.initiative, "link": link}
        return subject, body

    send_in_language(address=invitation.email, language=language, compose=compose)


def co_lead_invite(
    *,
    actor: Person,
    initiative: Initiative,
    email: str,
    organisation: Organisation | None = None,
    base_url: str | None = None,
) -> CoLeadInvitation:
    """Invite someone to share the lead; the email links to ``base_url`` (default
    ``settings.SITE_URL``)."""
    require(actor, "initiatives.invite_co_lead", initiative, _co_leads_only())
    base_url = base_url or settings.SITE_URL
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
    *, person: Person, invitation: CoLeadInvitation, token: str, accept: bool
) -> CoLeadInvitation:
    """Accept or decline. Accepting makes the person a co-lead (promoting an existing role).

    Only with the token that was emailed, and only by an account that has confirmed the invited
    address: whoever merely signs up with that address can neither see nor take the lead.
    """
    if not secrets.compare_digest(str(token), invitation.token):
        raise PermissionDenied(_("This invitation link is not valid."))
    if getattr(person, "is_authenticated", False) and not person.email_confirmed:
        raise PermissionDenied(
            _("Confirm your email address first: the link is in the email we sent you.")
        )
    require(
        person,
        "initiatives.answer_invitation",
        invitation,
        _("This invitation was sent to another email address."),
    )
    with transaction.atomic():
        invitation = CoLeadInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != CoLeadInvitation.Status.PENDING:
            raise ValidationError(_("This invitation has already been answered."))
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
                _participation_write(
                    actor=person,
                    person=person,
                    initiative=invitation.initiative,
                    role=Participation.Role.CO_LEAD,
                    organisation=invitation.organisation,
                    channel=Participation.Channel.INVITATION,
                )
            else:
                _role_write(
                    actor=person,
                    participation=existing,
                    role=Participation.Role.CO_LEAD,
                    organisation=invitation.organisation,
                )
    return invitation


def participation_ensure(*, person: Person, initiative: Initiative) -> None:
    """Taking part in a task or a timebank makes a person a participant (as a citizen): join
    them unless they already take part in some role."""
    if not is_participant(person, initiative):
        initiative_join(person=person, initiative=initiative)
