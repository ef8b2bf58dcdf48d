import re

import pytest
from django.core import mail
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.people.models import Person


def sign_up(client, **overrides):
    data = {
        "display_name": "Amina Okafor",
        "email": "amina@example.org",
        "area": "Riverside",
        "password1": "green-alleys-2026",
        "password2": "green-alleys-2026",
        **overrides,
    }
    return client.post(reverse("people:sign_up"), data)


@pytest.mark.django_db
def test_sign_up_creates_the_account_logs_in_and_emails_a_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    person = Person.objects.get(email="amina@example.org")
    assert not person.email_confirmed
    assert AuditEntry.objects.filter(action="person.sign_up", object_id=str(person.pk)).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.org"]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert client.get(reverse("initiatives:mine")).status_code == 200

    response = client.get(link)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email_confirmed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "numeric"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password2": "something-else-2026"}, "password2", "differ"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"display_name": ""}, "display_name", "required"),
    ],
)
def test_bad_sign_up_input_is_explained_and_nothing_is_created(client, overrides, field, message):
    response = sign_up(client, **overrides)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field]).lower()
    assert not Person.objects.exists()
    assert not mail.outbox
    # What the person typed is kept (apart from passwords).
    if field != "display_name":
        assert b"Amina Okafor" in response.content


@pytest.mark.django_db
def test_an_address_can_only_have_one_account(client, outsider):
    response = sign_up(client, email=outsider.email.upper())
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["email"][0]


@pytest.mark.django_db
def test_a_tampered_confirmation_link_is_refused(client):
    response = client.get(reverse("people:confirm_email", args=["not-a-real-token"]))
    assert response.status_code == 400
    assert b"does not work" in response.content


@pytest.mark.django_db
def test_log_in_and_log_out(client, outsider, password):
    response = client.post(
        reverse("people:login"), {"username": outsider.email, "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("initiatives:mine")
    assert client.get(reverse("people:profile")).status_code == 200
    client.post(reverse("people:logout"))
    assert client.get(reverse("people:profile")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(client, outsider):
    response = client.post(
        reverse("people:login"), {"username": outsider.email, "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
