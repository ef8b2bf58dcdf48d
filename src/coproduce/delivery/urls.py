"""Co-delivery pages: an initiative's tasks, shifts, map and calendar, and a person's shifts."""

from django.urls import path

from . import views

app_name = "delivery"

urlpatterns = [
    path("my-shifts/", views.my_shifts, name="my_shifts"),
    path("my-shifts/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.person_calendar, name="person_calendar"),
    path("initiatives/<slug:slug>/delivery/", views.overview, name="overview"),
    path("initiatives/<slug:slug>/tasks/", views.task_list, name="tasks"),
    path("initiatives/<slug:slug>/tasks/new/", views.task_create, name="task_create"),
    path("initiatives/<slug:slug>/tasks/<id:pk>/", views.task_detail, name="task"),
    path("initiatives/<slug:slug>/tasks/<id:pk>/edit/", views.task_edit, name="task_edit"),
    path(
        "initiatives/<slug:slug>/tasks/<id:pk>/shifts/new/",
        views.shift_create,
        name="shift_create",
    ),
    path("initiatives/<slug:slug>/shifts/<id:pk>/", views.shift_detail, name="shift"),
    path("initiatives/<slug:slug>/shifts/<id:pk>/edit/", views.shift_edit, name="shift_edit"),
    path(
        "initiatives/<slug:slug>/shifts/<id:pk>/sign-up/",
        views.shift_sign_up,
        name="shift_sign_up",
    ),
    path(
        "initiatives/<slug:slug>/sign-ups/<id:pk>/cancel/",
        views.signup_cancel,
        name="signup_cancel",
    ),
    path(
        "initiatives/<slug:slug>/sign-ups/<id:pk>/hours/", views.signup_hours, name="signup_hours"
    ),
    path("initiatives/<slug:slug>/map/", views.task_map, name="map"),
    path(
        "initiatives/<slug:slug>/shifts.ics", views.initiative_calendar, name="initiative_calendar"
    ),
    path("initiatives/<slug:slug>/my-shifts/", views.my_shifts, name="my_initiative_shifts"),
    path("initiatives/<slug:slug>/requirements/", views.requirements, name="requirements"),
]
