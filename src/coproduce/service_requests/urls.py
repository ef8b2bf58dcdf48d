"""Problems reported in an initiative, at /initiatives/<slug>/requests/."""

from django.urls import path

from . import views

app_name = "service_requests"

urlpatterns = [
    path("initiatives/<slug:slug>/requests/", views.request_list, name="requests"),
    path("initiatives/<slug:slug>/requests/new/", views.request_choose, name="request_choose"),
    path(
        "initiatives/<slug:slug>/requests/new/<slug:code>/",
        views.request_create,
        name="request_create",
    ),
    path(
        "initiatives/<slug:slug>/requests/categories/",
        views.request_categories,
        name="request_categories",
    ),
    path("initiatives/<slug:slug>/requests/<id:pk>/", views.request_detail, name="request"),
    path(
        "initiatives/<slug:slug>/requests/<id:pk>/pick-up/",
        views.request_pick_up,
        name="request_pick_up",
    ),
    path(
        "initiatives/<slug:slug>/requests/<id:pk>/photo/",
        views.request_photo,
        name="request_photo",
    ),
]
