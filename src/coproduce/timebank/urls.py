"""An initiative's timebank, at /initiatives/<slug>/timebank/."""

from django.urls import path

from . import views

app_name = "timebank"

urlpatterns = [
    path("initiatives/<slug:slug>/timebank/", views.timebank, name="timebank"),
    path(
        "initiatives/<slug:slug>/timebank/settings/",
        views.timebank_settings,
        name="timebank_settings",
    ),
    path(
        "initiatives/<slug:slug>/timebank/listings/new/",
        views.listing_create,
        name="listing_create",
    ),
    path(
        "initiatives/<slug:slug>/timebank/listings/<id:pk>/", views.listing_detail, name="listing"
    ),
    path(
        "initiatives/<slug:slug>/timebank/listings/<id:pk>/close/",
        views.listing_close,
        name="listing_close",
    ),
    path(
        "initiatives/<slug:slug>/timebank/exchanges/<id:pk>/complete/",
        views.exchange_complete,
        name="exchange_complete",
    ),
    path(
        "initiatives/<slug:slug>/timebank/exchanges/<id:pk>/cancel/",
        views.exchange_cancel,
        name="exchange_cancel",
    ),
    path(
        "initiatives/<slug:slug>/timebank/account/", views.timebank_account, name="timebank_account"
    ),
    path(
        "initiatives/<slug:slug>/timebank/accounts/",
        views.timebank_accounts,
        name="timebank_accounts",
    ),
    path(
        "initiatives/<slug:slug>/timebank/accounts/<id:pk>/",
        views.timebank_account,
        name="timebank_account_of",
    ),
]
