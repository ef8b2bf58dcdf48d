import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_a_french_page_really_is_french(client, initiative):
    response = client.get(
        reverse("initiatives:detail", args=[initiative.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Co-commissionnement" in page
    assert "Les quatre phases" in page
    assert "Aller au contenu principal" in page
    assert "The four phases" not in page


@pytest.mark.django_db
def test_the_language_switcher_works_without_javascript(client):
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("initiatives:list")}
    )
    assert response.status_code == 302
    page = client.get(reverse("initiatives:list")).content.decode()
    assert '<html lang="fr">' in page
    assert "Initiatives" in page and "Filtrer" in page


@pytest.mark.django_db
def test_sign_up_errors_are_translated(client):
    response = client.post(
        reverse("account_signup"),
        {"display_name": "", "email": "x", "password1": "a", "password2": "b"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()
