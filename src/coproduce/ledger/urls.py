"""The contributions ledger of an initiative, at /initiatives/<slug>/contributions/."""

from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("initiatives/<slug:slug>/contributions/", views.contribution_totals, name="contributions"),
    path(
        "initiatives/<slug:slug>/contributions/mine/",
        views.my_contributions,
        name="my_contributions",
    ),
    path(
        "initiatives/<slug:slug>/contributions/new/",
        views.contribution_create,
        name="contribution_create",
    ),
    path("initiatives/<slug:slug>/contributions/ledger/", views.ledger, name="ledger"),
    path(
        "initiatives/<slug:slug>/contributions/confirm-all/",
        views.contribution_confirm_all,
        name="contribution_confirm_all",
    ),
    path(
        "initiatives/<slug:slug>/contributions/import/",
        views.contribution_import,
        name="contribution_import",
    ),
    path("initiatives/<slug:slug>/contributions/rates/", views.rates, name="rates"),
    path(
        "initiatives/<slug:slug>/contributions/<id:pk>/",
        views.contribution_detail,
        name="contribution",
    ),
    path(
        "initiatives/<slug:slug>/contributions/<id:pk>/confirm/",
        views.contribution_confirm,
        name="contribution_confirm",
    ),
    path(
        "initiatives/<slug:slug>/contributions/<id:pk>/dispute/",
        views.contribution_dispute,
        name="contribution_dispute",
    ),
    path(
        "initiatives/<slug:slug>/contributions/<id:pk>/withdraw/",
        views.contribution_withdraw,
        name="contribution_withdraw",
    ),
    path(
        "initiatives/<slug:slug>/contributions/<id:pk>/correct/",
        views.contribution_correct,
        name="contribution_correct",
    ),
]
