"""Bad input gets a helpful page with the right status, never a server error."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_unknown_initiative_is_a_helpful_404(client):
    response = client.get("/initiatives/no-such-thing/")
    assert response.status_code == 404
    assert "cannot find that page" in response.content.decode()


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client, outsider):
    client.force_login(outsider)
    assert client.get("/initiatives/invitations/nope/").status_code == 404


@pytest.mark.django_db
def test_wrong_method_is_a_helpful_405(client, initiative, outsider):
    client.force_login(outsider)
    response = client.get(reverse("initiatives:join", args=[initiative.slug]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "only accepts" in response.content.decode()
    response = client.delete(reverse("initiatives:list"))
    assert response.status_code == 405


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused(initiative, outsider):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)
    response = client.post(reverse("initiatives:join", args=[initiative.slug]))
    assert response.status_code == 403
    assert not initiative.participations.filter(person=outsider).exists()


def test_debug_is_off_and_security_headers_are_on(client, settings):
    assert settings.DEBUG is False
    response = client.get("/admin/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
