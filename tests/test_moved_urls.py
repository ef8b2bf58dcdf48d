"""The first layout's addresses answer with a permanent redirect to where the page lives now, so
bookmarks, links in old emails and calendar subscriptions keep working."""

import importlib

import pytest
from django.urls import Resolver404, resolve

SLUG = "green-alleyways"

# Every address of the first layout's co-delivery URLs, with where it lives now.
MOVED = [
    ("/delivery/my-shifts/", "/my-shifts/"),
    ("/delivery/my-shifts/calendar/reset/", "/my-shifts/calendar/reset/"),
    ("/delivery/calendar/abc_DEF-123.ics", "/calendar/abc_DEF-123.ics"),
    (f"/delivery/{SLUG}/", f"/initiatives/{SLUG}/delivery/"),
    (f"/delivery/{SLUG}/tasks/", f"/initiatives/{SLUG}/tasks/"),
    (f"/delivery/{SLUG}/tasks/new/", f"/initiatives/{SLUG}/tasks/new/"),
    (f"/delivery/{SLUG}/tasks/3/", f"/initiatives/{SLUG}/tasks/3/"),
    (f"/delivery/{SLUG}/tasks/3/edit/", f"/initiatives/{SLUG}/tasks/3/edit/"),
    (f"/delivery/{SLUG}/tasks/3/shifts/new/", f"/initiatives/{SLUG}/tasks/3/shifts/new/"),
    (f"/delivery/{SLUG}/shifts/4/", f"/initiatives/{SLUG}/shifts/4/"),
    (f"/delivery/{SLUG}/shifts/4/edit/", f"/initiatives/{SLUG}/shifts/4/edit/"),
    (f"/delivery/{SLUG}/shifts/4/sign-up/", f"/initiatives/{SLUG}/shifts/4/sign-up/"),
    (f"/delivery/{SLUG}/sign-ups/5/cancel/", f"/initiatives/{SLUG}/sign-ups/5/cancel/"),
    (f"/delivery/{SLUG}/sign-ups/5/hours/", f"/initiatives/{SLUG}/sign-ups/5/hours/"),
    (f"/delivery/{SLUG}/map/", f"/initiatives/{SLUG}/map/"),
    (f"/delivery/{SLUG}/shifts.ics", f"/initiatives/{SLUG}/shifts.ics"),
    (f"/delivery/{SLUG}/my-shifts/", f"/initiatives/{SLUG}/my-shifts/"),
    (f"/delivery/{SLUG}/requirements/", f"/initiatives/{SLUG}/requirements/"),
    (f"/delivery/{SLUG}/contributions/", f"/initiatives/{SLUG}/contributions/"),
    (f"/delivery/{SLUG}/contributions/mine/", f"/initiatives/{SLUG}/contributions/mine/"),
    (f"/delivery/{SLUG}/contributions/new/", f"/initiatives/{SLUG}/contributions/new/"),
    (f"/delivery/{SLUG}/contributions/ledger/", f"/initiatives/{SLUG}/contributions/ledger/"),
    (
        f"/delivery/{SLUG}/contributions/confirm-all/",
        f"/initiatives/{SLUG}/contributions/confirm-all/",
    ),
    (f"/delivery/{SLUG}/contributions/import/", f"/initiatives/{SLUG}/contributions/import/"),
    (f"/delivery/{SLUG}/contributions/rates/", f"/initiatives/{SLUG}/contributions/rates/"),
    (f"/delivery/{SLUG}/contributions/6/", f"/initiatives/{SLUG}/contributions/6/"),
    (f"/delivery/{SLUG}/contributions/6/confirm/", f"/initiatives/{SLUG}/contributions/6/confirm/"),
    (f"/delivery/{SLUG}/contributions/6/dispute/", f"/initiatives/{SLUG}/contributions/6/dispute/"),
    (
        f"/delivery/{SLUG}/contributions/6/withdraw/",
        f"/initiatives/{SLUG}/contributions/6/withdraw/",
    ),
    (f"/delivery/{SLUG}/contributions/6/correct/", f"/initiatives/{SLUG}/contributions/6/correct/"),
    (f"/delivery/{SLUG}/timebank/", f"/initiatives/{SLUG}/timebank/"),
    (f"/delivery/{SLUG}/timebank/settings/", f"/initiatives/{SLUG}/timebank/settings/"),
    (f"/delivery/{SLUG}/timebank/listings/new/", f"/initiatives/{SLUG}/timebank/listings/new/"),
    (f"/delivery/{SLUG}/timebank/listings/7/", f"/initiatives/{SLUG}/timebank/listings/7/"),
    (
        f"/delivery/{SLUG}/timebank/listings/7/close/",
        f"/initiatives/{SLUG}/timebank/listings/7/close/",
    ),
    (
        f"/delivery/{SLUG}/timebank/exchanges/8/complete/",
        f"/initiatives/{SLUG}/timebank/exchanges/8/complete/",
    ),
    (
        f"/delivery/{SLUG}/timebank/exchanges/8/cancel/",
        f"/initiatives/{SLUG}/timebank/exchanges/8/cancel/",
    ),
    (f"/delivery/{SLUG}/timebank/account/", f"/initiatives/{SLUG}/timebank/account/"),
    (f"/delivery/{SLUG}/timebank/accounts/", f"/initiatives/{SLUG}/timebank/accounts/"),
    (f"/delivery/{SLUG}/timebank/accounts/9/", f"/initiatives/{SLUG}/timebank/accounts/9/"),
    (f"/delivery/{SLUG}/requests/", f"/initiatives/{SLUG}/requests/"),
    (f"/delivery/{SLUG}/requests/new/", f"/initiatives/{SLUG}/requests/new/"),
    (
        f"/delivery/{SLUG}/requests/new/streetlight/",
        f"/initiatives/{SLUG}/requests/new/streetlight/",
    ),
    (f"/delivery/{SLUG}/requests/categories/", f"/initiatives/{SLUG}/requests/categories/"),
    (f"/delivery/{SLUG}/requests/10/", f"/initiatives/{SLUG}/requests/10/"),
    (f"/delivery/{SLUG}/requests/10/pick-up/", f"/initiatives/{SLUG}/requests/10/pick-up/"),
    (f"/delivery/{SLUG}/requests/10/photo/", f"/initiatives/{SLUG}/requests/10/photo/"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_address_redirects_permanently_to_a_page_that_exists(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    resolved = resolve(new)
    assert resolved.url_name and resolved.namespace in {
        "delivery",
        "ledger",
        "timebank",
        "service_requests",
    }


def test_the_query_string_follows_and_a_posted_form_is_posted_again(client):
    response = client.get(f"/delivery/{SLUG}/contributions/ledger/?status=pending")
    assert response["Location"] == f"/initiatives/{SLUG}/contributions/ledger/?status=pending"
    posted = client.post(f"/delivery/{SLUG}/shifts/4/sign-up/")
    assert posted.status_code == 308
    assert posted["Location"] == f"/initiatives/{SLUG}/shifts/4/sign-up/"


@pytest.mark.parametrize("path", ["/delivery/x//evil.example/", "/delivery/%2F%2Fevil.example/"])
def test_a_redirect_never_leaves_the_site(client, path):
    response = client.get(path)
    if response.status_code in (301, 308):
        assert not response["Location"].startswith("//")
        assert "evil.example" not in response["Location"].split("/")[0:3]


def test_every_page_of_the_moved_components_has_an_old_address_walked_above():
    """A page that moved without a row above would go untested (and maybe unredirected)."""
    covered = set()
    for _old, new in MOVED:
        match = resolve(new)
        covered.add(f"{match.namespace}:{match.url_name}")
    expected = set()
    for app in ("delivery", "ledger", "timebank", "service_requests"):
        module = importlib.import_module(f"coproduce.{app}.urls")
        expected |= {f"{app}:{pattern.name}" for pattern in module.urlpatterns}
    assert covered == expected
    with pytest.raises(Resolver404):
        resolve("/delivery/")
