from django.urls import path

from . import views

app_name = "commissioning"

urlpatterns = [
    path("", views.budget_list, name="list"),
    path("new/<slug:initiative_slug>/", views.budget_create, name="create"),
    path("import/<slug:initiative_slug>/", views.budget_import, name="import"),
    path("<slug:slug>/", views.budget_detail, name="detail"),
    path("<slug:slug>/advance/", views.budget_advance, name="advance"),
    path("<slug:slug>/propose/", views.proposal_submit, name="propose"),
    path("<slug:slug>/projects/<path:code>/", views.proposal_detail, name="proposal"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/receipt/", views.receipt_check, name="receipt"),
    path("<slug:slug>/paper/", views.paper_ballots, name="paper"),
    path("<slug:slug>/census/", views.census_upload, name="census"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/export.pb", views.budget_export, name="export"),
]
