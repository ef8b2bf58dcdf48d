import pytest
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.people.models import Membership, Sector
from coproduce.people.selectors import person_is_professional
from factories import MembershipFactory, OrganisationFactory


@pytest.mark.django_db
def test_profile_edit_saves_and_audits(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("people:profile"),
        {"display_name": "Jo Bloggs", "area": "Northside", "preferred_language": "fr", "bio": ""},
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.display_name, outsider.area, outsider.preferred_language) == (
        "Jo Bloggs",
        "Northside",
        "fr",
    )
    entry = AuditEntry.objects.get(action="person.update_profile")
    assert '"display_name"' in entry.payload


@pytest.mark.django_db
def test_profile_rejects_an_unknown_language(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("people:profile"),
        {"display_name": "Jo", "area": "", "preferred_language": "xx", "bio": ""},
    )
    assert response.status_code == 400
    outsider.refresh_from_db()
    assert outsider.display_name != "Jo"


@pytest.mark.django_db
def test_one_person_may_belong_to_several_organisations(client, outsider):
    fire = OrganisationFactory(name="Fire Service", sectors=[Sector.PUBLIC])
    charity = OrganisationFactory(name="Age Together", sectors=[Sector.THIRD, Sector.PRIVATE])
    MembershipFactory(person=outsider, organisation=fire, role=Membership.Role.STAFF)
    MembershipFactory(person=outsider, organisation=charity, role=Membership.Role.VOLUNTEER)
    assert person_is_professional(outsider)
    assert charity.is_hybrid and not fire.is_hybrid
    client.force_login(outsider)
    page = client.get(reverse("people:profile")).content.decode()
    assert "Fire Service" in page and "Age Together" in page and "hybrid" in page


@pytest.mark.django_db
def test_a_volunteer_of_a_charity_is_not_a_professional(outsider):
    charity = OrganisationFactory(sectors=[Sector.THIRD])
    MembershipFactory(person=outsider, organisation=charity, role=Membership.Role.STAFF)
    assert not person_is_professional(outsider)
