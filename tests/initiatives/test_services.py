import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from coproduce.audit.models import AuditEntry
from coproduce.audit.selectors import audit_verify
from coproduce.initiatives import services
from coproduce.initiatives.models import CoLeadInvitation, Initiative, Participation, Phase
from factories import InitiativeFactory, OrganisationFactory, PersonFactory, ServiceFactory


@pytest.mark.django_db
def test_initiative_create_makes_four_phases_co_leads_and_audit_entries(administrator):
    lead = PersonFactory()
    fire = OrganisationFactory()
    initiative = services.initiative_create(
        actor=administrator,
        title="Safe and Well visits",
        slug="safe-and-well",
        service=ServiceFactory(),
        level=Initiative.Level.CO_PRODUCTION,
        area="Riverside",
        summary="Volunteers and firefighters visit homes together.",
        host=fire,
        co_leads=[(lead, fire)],
        phases={"deliver": {"status": Phase.Status.OPEN}},
    )
    assert [p.kind for p in initiative.phases.order_by("id")] == list(Phase.ORDER)
    assert initiative.phases.get(kind="deliver").status == Phase.Status.OPEN
    assert initiative.participations.get().role == Participation.Role.CO_LEAD
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["initiative.create", "participation.add"]
    assert audit_verify().ok


@pytest.mark.django_db
def test_an_invalid_initiative_is_refused_and_nothing_is_written(administrator):
    with pytest.raises(ValidationError):
        services.initiative_create(
            actor=administrator,
            title="",
            slug="x",
            service=ServiceFactory(),
            level="not-a-level",
            area="",
            summary="",
        )
    assert not Initiative.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_join_and_leave(initiative, outsider):
    services.initiative_join(person=outsider, initiative=initiative)
    participation = initiative.participations.get(person=outsider)
    assert participation.role == Participation.Role.CITIZEN
    assert participation.channel == Participation.Channel.SELF
    with pytest.raises(ValidationError):
        services.initiative_join(person=outsider, initiative=initiative)
    services.initiative_leave(person=outsider, initiative=initiative)
    assert not initiative.participations.filter(person=outsider).exists()
    assert AuditEntry.objects.filter(action="participation.remove").count() == 1


@pytest.mark.django_db
def test_a_completed_initiative_takes_no_new_members(initiative, outsider):
    initiative.status = Initiative.Status.COMPLETED
    initiative.save()
    with pytest.raises(ValidationError):
        services.initiative_join(person=outsider, initiative=initiative)


@pytest.mark.django_db
def test_the_last_co_lead_cannot_leave(initiative, co_lead):
    with pytest.raises(ValidationError, match="only co-lead"):
        services.initiative_leave(person=co_lead, initiative=initiative)
    assert initiative.participations.filter(person=co_lead).exists()


@pytest.mark.django_db
def test_phase_update_refuses_reversed_dates(initiative, co_lead):
    phase = initiative.phases.get(kind=Phase.Kind.DESIGN)
    with pytest.raises(ValidationError):
        services.phase_update(
            actor=co_lead,
            phase=phase,
            starts_on=dt.date(2026, 6, 1),
            ends_on=dt.date(2026, 5, 1),
            status=Phase.Status.PLANNED,
        )


@pytest.mark.django_db
def test_invite_a_co_lead_from_another_organisation(
    initiative, co_lead, django_capture_on_commit_callbacks
):
    charity = OrganisationFactory(name="Tenants Together", sectors=["third"])
    invitee = PersonFactory(email="lead2@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.co_lead_invite(
            actor=co_lead, initiative=initiative, email="Lead2@Example.org", organisation=charity
        )
    assert mail.outbox[0].to == ["lead2@example.org"]
    assert invitation.token in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.co_lead_invite(actor=co_lead, initiative=initiative, email="lead2@example.org")
    with pytest.raises(PermissionDenied):
        services.co_lead_invitation_answer(
            person=co_lead, invitation=invitation, token=invitation.token, accept=True
        )

    services.co_lead_invitation_answer(
        person=invitee, invitation=invitation, token=invitation.token, accept=True
    )
    participation = initiative.participations.get(person=invitee)
    assert participation.role == Participation.Role.CO_LEAD
    assert participation.organisation == charity
    assert participation.channel == Participation.Channel.INVITATION
    with pytest.raises(ValidationError):
        services.co_lead_invitation_answer(
            person=invitee, invitation=invitation, token=invitation.token, accept=False
        )
    # Two co-leads now: the first may leave.
    services.initiative_leave(person=co_lead, initiative=initiative)


@pytest.mark.django_db
def test_accepting_promotes_an_existing_citizen(initiative, co_lead, citizen):
    invitation = services.co_lead_invite(actor=co_lead, initiative=initiative, email=citizen.email)
    services.co_lead_invitation_answer(
        person=citizen, invitation=invitation, token=invitation.token, accept=True
    )
    assert initiative.participations.get(person=citizen).role == Participation.Role.CO_LEAD
    assert CoLeadInvitation.objects.get().status == CoLeadInvitation.Status.ACCEPTED


@pytest.mark.django_db
def test_co_leads_add_people_but_only_administrators_appoint_co_leads(
    initiative, co_lead, administrator
):
    newcomer, second = PersonFactory(), PersonFactory()
    services.participation_add(
        actor=co_lead, person=newcomer, initiative=initiative, role="citizen", channel="admin"
    )
    with pytest.raises(PermissionDenied):
        services.participation_add(
            actor=co_lead, person=second, initiative=initiative, role="co_lead", channel="admin"
        )
    participation = initiative.participations.get(person=newcomer)
    with pytest.raises(PermissionDenied):
        services.participation_change_role(
            actor=co_lead, participation=participation, role="co_lead"
        )
    services.participation_change_role(
        actor=administrator, participation=participation, role="co_lead"
    )
    assert initiative.participations.filter(role="co_lead").count() == 2


@pytest.mark.django_db
def test_the_last_co_lead_cannot_be_removed_or_demoted(initiative, co_lead, administrator):
    lead = initiative.participations.get(person=co_lead)
    with pytest.raises(ValidationError):
        services.participation_change_role(
            actor=administrator, participation=lead, role="professional"
        )
    with pytest.raises(ValidationError):
        services.participation_remove(actor=administrator, participation=lead)
    assert initiative.participations.get(person=co_lead).role == "co_lead"


@pytest.mark.django_db
def test_nobody_joins_a_draft(outsider):
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        services.initiative_join(person=outsider, initiative=draft)


@pytest.mark.django_db
def test_an_invitation_is_taken_only_with_its_token_by_a_confirmed_address(
    client, initiative, co_lead
):
    """Signing up with the invited address is not enough to take the lead: the address must be
    confirmed, and the answer must carry the token that was emailed."""
    invitation = services.co_lead_invite(
        actor=co_lead, initiative=initiative, email="lead3@example.org"
    )
    squatter = PersonFactory(email="Lead3@example.org", email_confirmed=False)
    with pytest.raises(PermissionDenied):
        services.co_lead_invitation_answer(
            person=squatter, invitation=invitation, token=invitation.token, accept=True
        )
    client.force_login(squatter)
    assert invitation.token not in client.get("/initiatives/mine/").content.decode()
    page = f"/initiatives/invitations/{invitation.token}/"
    assert client.get(page).status_code == 403
    assert client.post(page, {"answer": "accept"}).status_code == 403
    assert not initiative.participations.filter(person=squatter).exists()

    squatter.email_confirmed = True
    squatter.save(update_fields=["email_confirmed"])
    with pytest.raises(PermissionDenied):
        services.co_lead_invitation_answer(
            person=squatter, invitation=invitation, token="guessed", accept=True
        )
    assert invitation.token in client.get("/initiatives/mine/").content.decode()
    client.post(page, {"answer": "accept"})
    assert initiative.participations.get(person=squatter).role == Participation.Role.CO_LEAD
