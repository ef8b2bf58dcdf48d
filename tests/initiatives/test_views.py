import pytest
from django.urls import reverse

from coproduce.initiatives.models import Initiative, Participation, Phase
from factories import InitiativeFactory, OrganisationFactory, ServiceFactory


def edit_data(initiative, **overrides):
    data = {
        "title": initiative.title,
        "summary": "A new summary",
        "description": "Longer text",
        "area": initiative.area,
        "level": initiative.level,
        "status": initiative.status,
        "host": initiative.host_id or "",
    }
    for phase in initiative.phases.all():
        data[f"{phase.kind}-starts_on"] = "2026-02-01"
        data[f"{phase.kind}-ends_on"] = "2026-03-01"
        data[f"{phase.kind}-status"] = phase.status
        data[f"{phase.kind}-notes"] = ""
    data.update(overrides)
    return data


@pytest.fixture
def pages(initiative):
    slug = initiative.slug
    return {
        "home": reverse("home"),
        "list": reverse("initiatives:list"),
        "detail": reverse("initiatives:detail", args=[slug]),
        "sign_up": reverse("account_signup"),
        "login": reverse("account_login"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "co_lead"])
def test_every_public_page_renders_for_everyone(client, request, pages, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for name, url in pages.items():
        response = client.get(url, follow=True)
        assert response.status_code == 200, name
        assert b'<main id="main"' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["citizen", "co_lead"])
def test_member_pages_render(client, request, initiative, who):
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("initiatives:mine"), reverse("people:profile")):
        assert client.get(url).status_code == 200
    mine = client.get(reverse("initiatives:mine")).content.decode()
    assert initiative.title in mine


@pytest.mark.django_db
def test_detail_shows_service_host_level_phases_co_leads_and_organisations(
    client, initiative, co_lead
):
    page = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    for text in (
        initiative.service.name,
        initiative.host.name,
        "Co-production",
        "Co-commissioning",
        "Co-design",
        "Co-delivery",
        "Co-assessment",
        "Under way",
        co_lead.display_name,
        initiative.service.funder.name,
    ):
        assert text in page, text


@pytest.mark.django_db
def test_a_shared_space_initiative_says_so(client):
    initiative = InitiativeFactory(host=None)
    page = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    assert "Shared space" in page


@pytest.mark.django_db
def test_list_filters_by_sector_level_stage_and_area(client):
    fire = InitiativeFactory(
        title="Fire visits", service=ServiceFactory(sector="fire_rescue"), area="Northside"
    )
    crèche = InitiativeFactory(
        title="Parent crèche",
        service=ServiceFactory(sector="childcare"),
        level=Initiative.Level.CO_MANAGEMENT,
        phases={Phase.Kind.DELIVER: Phase.Status.OPEN},
    )
    InitiativeFactory(title="Hidden draft", status=Initiative.Status.DRAFT)

    def titles(**query):
        response = client.get(reverse("initiatives:list"), query)
        assert response.status_code == 200
        return {i.title for i in response.context["initiatives"]}

    assert titles() == {fire.title, crèche.title}
    assert titles(sector="childcare") == {crèche.title}
    assert titles(level="co_management") == {crèche.title}
    assert titles(stage="deliver") == {crèche.title}
    assert titles(stage="commission") == {fire.title}
    assert titles(area="Northside") == {fire.title}
    assert titles(q="crèche") == {crèche.title}


@pytest.mark.django_db
def test_an_unknown_filter_value_is_a_clear_400(client, initiative):
    response = client.get(reverse("initiatives:list"), {"level": "empire"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_a_draft_is_hidden_from_the_public(client, outsider):
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)
    url = reverse("initiatives:detail", args=[draft.slug])
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_only_co_leads_and_administrators_may_edit(client, initiative, citizen, outsider):
    url = reverse("initiatives:edit", args=[initiative.slug])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for person in (citizen, outsider):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 403
        assert "co-leads" in response.content.decode()
        response = client.post(url, edit_data(initiative, summary="Hijacked"))
        assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.summary != "Hijacked"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["co_lead", "administrator"])
def test_co_lead_or_administrator_edits_description_and_phase_dates(
    client, request, initiative, who
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("initiatives:edit", args=[initiative.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(initiative, **{"design-status": "open"}))
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.summary == "A new summary"
    design = initiative.phases.get(kind="design")
    assert design.status == "open"
    assert str(design.starts_on) == "2026-02-01"


@pytest.mark.django_db
def test_a_bad_edit_keeps_what_was_typed_and_changes_nothing(client, initiative, co_lead):
    client.force_login(co_lead)
    url = reverse("initiatives:edit", args=[initiative.slug])
    data = edit_data(initiative, summary="Typed text kept", **{"assess-ends_on": "2025-01-01"})
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot end before it starts" in page
    assert "Typed text kept" in page
    initiative.refresh_from_db()
    assert initiative.summary != "Typed text kept"


@pytest.mark.django_db
def test_join_then_leave_through_the_page(client, initiative, outsider):
    client.force_login(outsider)
    client.post(reverse("initiatives:join", args=[initiative.slug]))
    assert initiative.participations.filter(person=outsider).exists()
    mine = client.get(reverse("initiatives:mine")).content.decode()
    assert initiative.title in mine
    client.post(reverse("initiatives:leave", args=[initiative.slug]))
    assert not initiative.participations.filter(person=outsider).exists()


@pytest.mark.django_db
def test_invite_and_accept_through_the_pages(client, initiative, co_lead, outsider):
    partner = OrganisationFactory(name="Residents' Association", sectors=["community"])
    client.force_login(co_lead)
    response = client.post(
        reverse("initiatives:invite", args=[initiative.slug]),
        {"email": outsider.email, "organisation": partner.pk},
    )
    assert response.status_code == 302
    client.force_login(outsider)
    mine = client.get(reverse("initiatives:mine")).content.decode()
    invitation = initiative.invitations.get()
    assert reverse("initiatives:invitation", args=[invitation.token]) in mine
    url = reverse("initiatives:invitation", args=[invitation.token])
    assert client.post(url, {"answer": "maybe"}).status_code == 400
    client.post(url, {"answer": "accept"})
    assert initiative.participations.get(person=outsider).role == Participation.Role.CO_LEAD
    detail = client.get(reverse("initiatives:detail", args=[initiative.slug])).content.decode()
    assert "Residents&#x27; Association" in detail


@pytest.mark.django_db
def test_someone_else_cannot_use_an_invitation(client, initiative, co_lead, outsider, citizen):
    client.force_login(co_lead)
    client.post(reverse("initiatives:invite", args=[initiative.slug]), {"email": outsider.email})
    token = initiative.invitations.get().token
    client.force_login(citizen)
    url = reverse("initiatives:invitation", args=[token])
    assert client.post(url, {"answer": "accept"}).status_code == 403
    assert initiative.participations.get(person=citizen).role == Participation.Role.CITIZEN


@pytest.mark.django_db
def test_invitations_are_throttled_per_address_and_say_when_to_try_again(
    client, initiative, co_lead
):
    client.force_login(co_lead)
    url = reverse("initiatives:invite", args=[initiative.slug])
    for _ in range(3):
        client.post(url, {"email": "someone@example.org"})
        initiative.invitations.all().delete()
    response = client.post(url, {"email": "Someone@example.org"})
    assert response.status_code == 400
    assert "Try again in" in " ".join(response.context["form"].errors["email"])
    assert not initiative.invitations.exists()
    assert client.post(url, {"email": "someone-else@example.org"}).status_code == 302
