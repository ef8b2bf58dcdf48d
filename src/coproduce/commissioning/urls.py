"""Participatory budgets hang off their initiative: /initiatives/<slug>/budgets/<budget>/...;
the site-wide list stays at /budgets/, and the first layout's addresses redirect (ADR 0004)."""

from django.urls import path

from . import views

app_name = "commissioning"

BUDGET = "initiatives/<slug:initiative_slug>/budgets/<slug:slug>/"

urlpatterns = [
    path("budgets/", views.budget_list, name="list"),
    path("initiatives/<slug:initiative_slug>/budgets/new/", views.budget_create, name="create"),
    path("initiatives/<slug:initiative_slug>/budgets/import/", views.budget_import, name="import"),
    path(BUDGET, views.budget_detail, name="detail"),
    path(BUDGET + "advance/", views.budget_advance, name="advance"),
    path(BUDGET + "propose/", views.proposal_submit, name="propose"),
    path(BUDGET + "projects/<path:code>/", views.proposal_detail, name="proposal"),
    path(BUDGET + "milestones/<id:pk>/photo/", views.milestone_photo, name="milestone_photo"),
    path(BUDGET + "vote/", views.vote, name="vote"),
    path(BUDGET + "receipt/", views.receipt_check, name="receipt"),
    path(BUDGET + "paper/", views.paper_ballots, name="paper"),
    path(BUDGET + "census/", views.census_upload, name="census"),
    path(BUDGET + "results/", views.results, name="results"),
    path(BUDGET + "export.pb", views.budget_export, name="export"),
    # The first layout's addresses.
    path("budgets/new/<slug:initiative_slug>/", views.moved_create),
    path("budgets/import/<slug:initiative_slug>/", views.moved_import),
    path("budgets/<slug:slug>/", views.moved_budget),
    path("budgets/<slug:slug>/<path:rest>", views.moved_budget),
]
