"""Accounts: sign-up with a confirmed address, log-in by email in any case, password reset and
change, throttling that says when to try again (django-allauth, ADR 0006)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from coproduce.audit.models import AuditEntry
from coproduce.people.models import Person
from factories import PersonFactory

PASSWORD = "green-alleys-2026"


def sign_up(client, **overrides):
    data = {
        "display_name": "Amina Okafor",
        "email": "amina@example.org",
        "area": "Riverside",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.mark.django_db
def test_sign_up_creates_the_account_and_emails_a_link_that_confirms_the_address(client):
    response = sign_up(client)
    assert response.status_code == 302
    person = Person.objects.get(email="amina@example.org")
    assert (person.display_name, person.area) == ("Amina Okafor", "Riverside")
    assert not person.email_confirmed
    assert AuditEntry.objects.filter(action="person.sign_up", object_id=str(person.pk)).exists()
    assert [message.to for message in mail.outbox] == [["amina@example.org"]]
    assert client.get(reverse("initiatives:mine")).status_code == 200

    link = link_in(mail.outbox[0])
    # Opening the link asks to confirm (a mail scanner following links confirms nothing).
    assert client.get(link).status_code == 200
    person.refresh_from_db()
    assert not person.email_confirmed
    assert client.post(link).status_code == 302
    person.refresh_from_db()
    assert person.email_confirmed
    assert EmailAddress.objects.get(user=person).verified
    assert AuditEntry.objects.filter(action="person.confirm_email", actor_id=person.pk).exists()


@pytest.mark.django_db
def test_the_confirmation_email_is_in_the_language_the_person_signed_up_in(client):
    client.cookies["django_language"] = "fr"
    sign_up(client)
    assert Person.objects.get().preferred_language == "fr"
    assert "Confirmez" in mail.outbox[0].subject
    assert "adresse" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "numeric"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password2": "something-else-2026"}, "password2", "same password"),
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
def test_an_address_can_only_have_one_account_whatever_its_case(client, outsider):
    response = sign_up(client, email=outsider.email.upper())
    assert response.status_code == 400
    assert "already registered" in response.context["form"].errors["email"][0]
    assert Person.objects.filter(email__iexact=outsider.email).count() == 1


@pytest.mark.django_db
def test_a_tampered_confirmation_link_is_refused(client):
    response = client.post(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code in (200, 404)
    assert not Person.objects.filter(email_confirmed=True).exists()


@pytest.mark.django_db
def test_log_in_ignores_the_case_of_the_address_and_log_out(client, outsider, password):
    response = client.post(
        reverse("account_login"), {"login": outsider.email.capitalize(), "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("initiatives:mine")
    assert client.get(reverse("people:profile")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("people:profile")).status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message(client, outsider):
    response = client.post(
        reverse("account_login"), {"login": outsider.email, "password": "wrong-password-1"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_repeated_failed_log_ins_lock_the_address_and_say_when_to_try_again(
    client, outsider, password
):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": outsider.email, "password": "nope-1234"})
    response = client.post(
        reverse("account_login"), {"login": outsider.email, "password": password}
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert re.search(r"Try again in 1[45] minutes", errors), errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_too_many_sign_ups_from_one_place_get_a_page_saying_when_to_try_again(client):
    for number in range(5):
        assert sign_up(client, email=f"person{number}@example.org").status_code == 302
        client.post(reverse("account_logout"))
    response = sign_up(client, email="one-more@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 3000
    assert b"Try again in" in response.content
    assert not Person.objects.filter(email="one-more@example.org").exists()


@pytest.mark.django_db
def test_password_reset_by_email_link(client, outsider):
    response = client.post(reverse("account_reset_password"), {"email": outsider.email.upper()})
    assert response.status_code == 302
    link = link_in(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-secret-77"
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert (
        client.login(email=outsider.email, password=new_password)
        or client.post(
            reverse("account_login"), {"login": outsider.email, "password": new_password}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_password_change_needs_the_current_password(client, outsider, password):
    client.force_login(outsider)
    url = reverse("account_change_password")
    new_password = "another-new-secret-88"
    refused = client.post(
        url, {"oldpassword": "wrong", "password1": new_password, "password2": new_password}
    )
    assert refused.status_code == 400
    accepted = client.post(
        url, {"oldpassword": password, "password1": new_password, "password2": new_password}
    )
    assert accepted.status_code == 302
    outsider.refresh_from_db()
    assert outsider.check_password(new_password)


@pytest.mark.django_db
def test_the_confirmation_link_can_be_sent_again_from_the_profile(client):
    person = PersonFactory(email_confirmed=False)
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=False)
    client.force_login(person)
    page = client.get(reverse("people:profile"))
    assert b"Send the confirmation link again" in page.content
    response = client.post(reverse("account_email"), {"email": person.email, "action_send": ""})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [person.email]
    client.post(link_in(mail.outbox[-1]))
    person.refresh_from_db()
    assert person.email_confirmed


@pytest.mark.django_db
def test_a_new_address_counts_only_once_confirmed(client, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("account_email"), {"email": "new-address@example.org", "action_add": ""}
    )
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.email != "new-address@example.org"
    assert outsider.email_confirmed
    client.post(link_in(mail.outbox[-1]))
    outsider.refresh_from_db()
    assert outsider.email == "new-address@example.org"
    assert outsider.email_confirmed


@pytest.mark.django_db
def test_the_address_page_shows_the_pending_change_and_can_cancel_it(client, outsider):
    EmailAddress.objects.create(user=outsider, email=outsider.email, primary=True, verified=True)
    client.force_login(outsider)
    url = reverse("account_email")
    client.post(url, {"email": "new-address@example.org", "action_add": ""})
    page = client.get(url).content.decode()
    assert outsider.email in page and "new-address@example.org" in page
    assert "style=" not in page
    client.post(url, {"email": "new-address@example.org", "action_remove": ""})
    assert "Changing to" not in client.get(url).content.decode()
    outsider.refresh_from_db()
    assert outsider.email != "new-address@example.org"
