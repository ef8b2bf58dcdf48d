"""A funded project's milestone photo goes through the same checks as every uploaded picture and
is served by the site as a picture, with the budget's own visibility."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coproduce.commissioning import services
from coproduce.commissioning.models import Budget, Milestone
from coproduce.commissioning.services import Choices

from .conftest import code_of


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def funded(voting_budget, co_lead, citizen):
    """The Benches were funded and the result is published."""
    code = code_of(voting_budget, "Benches")
    services.ballot_cast(
        voter=citizen, budget=voting_budget, choices=Choices(approvals=frozenset({code}))
    )
    services.budget_advance(actor=co_lead, budget=voting_budget, to_stage=Budget.Stage.CLOSED)
    services.budget_tally(actor=co_lead, budget=voting_budget)
    services.budget_advance(actor=co_lead, budget=voting_budget, to_stage=Budget.Stage.PUBLISHED)
    return voting_budget.proposals.get(code=code)


def proposal_url(proposal) -> str:
    budget = proposal.budget
    return reverse(
        "commissioning:proposal", args=[budget.initiative.slug, budget.slug, proposal.code]
    )


def post_milestone(client, proposal, photo: SimpleUploadedFile):
    return client.post(
        proposal_url(proposal),
        {
            "form": "milestone",
            "title": "Benches installed",
            "photo": photo,
            "photo_description": "Two benches facing the river",
        },
    )


@pytest.mark.django_db
def test_a_milestone_photo_is_re_encoded_and_served_by_the_site_as_an_image(
    client, funded, co_lead
):
    client.force_login(co_lead)
    response = post_milestone(client, funded, SimpleUploadedFile("benches.svg", jpeg()))
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.photo.name.endswith(".jpg") and "benches" not in milestone.photo.name
    budget = funded.budget
    photo_url = reverse(
        "commissioning:milestone_photo", args=[budget.initiative.slug, budget.slug, milestone.pk]
    )
    assert f'src="{photo_url}"' in client.get(proposal_url(funded)).content.decode()
    client.logout()
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert photo["Content-Disposition"] == f'inline; filename="milestone-{milestone.pk}.jpg"'


@pytest.mark.django_db
def test_a_milestone_photo_that_is_not_a_picture_is_refused_on_the_photo_field(
    client, funded, co_lead
):
    client.force_login(co_lead)
    page = post_milestone(
        client, funded, SimpleUploadedFile("benches.jpg", b"\xff\xd8\xff<script>alert(1)</script>")
    )
    assert page.status_code == 400
    assert 'id="id_photo_errors"' in page.content.decode()
    assert "Send a JPEG, PNG or WebP image" in page.content.decode()
    assert not Milestone.objects.exists()


@pytest.mark.django_db
def test_an_unknown_milestone_photo_is_not_found(client, funded):
    budget = funded.budget
    url = reverse("commissioning:milestone_photo", args=[budget.initiative.slug, budget.slug, 999])
    assert client.get(url).status_code == 404
