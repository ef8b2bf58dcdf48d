from django.urls import path

from . import views

app_name = "delivery"

urlpatterns = [
    path("my-shifts/", views.my_shifts, name="my_shifts"),
    path("my-shifts/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.person_calendar, name="person_calendar"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/tasks/", views.task_list, name="tasks"),
    path("<slug:slug>/tasks/new/", views.task_create, name="task_create"),
    path("<slug:slug>/tasks/<int:pk>/", views.task_detail, name="task"),
    path("<slug:slug>/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<slug:slug>/tasks/<int:pk>/shifts/new/", views.shift_create, name="shift_create"),
    path("<slug:slug>/shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("<slug:slug>/shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("<slug:slug>/shifts/<int:pk>/sign-up/", views.shift_sign_up, name="shift_sign_up"),
    path("<slug:slug>/sign-ups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("<slug:slug>/sign-ups/<int:pk>/hours/", views.signup_hours, name="signup_hours"),
    path("<slug:slug>/map/", views.task_map, name="map"),
    path("<slug:slug>/shifts.ics", views.initiative_calendar, name="initiative_calendar"),
    path("<slug:slug>/my-shifts/", views.my_shifts, name="my_initiative_shifts"),
    path("<slug:slug>/requirements/", views.requirements, name="requirements"),
    path("<slug:slug>/contributions/", views.contribution_totals, name="contributions"),
    path("<slug:slug>/contributions/mine/", views.my_contributions, name="my_contributions"),
    path("<slug:slug>/contributions/new/", views.contribution_create, name="contribution_create"),
    path("<slug:slug>/contributions/ledger/", views.ledger, name="ledger"),
    path(
        "<slug:slug>/contributions/confirm-all/",
        views.contribution_confirm_all,
        name="contribution_confirm_all",
    ),
    path(
        "<slug:slug>/contributions/import/",
        views.contribution_import,
        name="contribution_import",
    ),
    path("<slug:slug>/contributions/rates/", views.rates, name="rates"),
    path("<slug:slug>/contributions/<int:pk>/", views.contribution_detail, name="contribution"),
    path(
        "<slug:slug>/contributions/<int:pk>/confirm/",
        views.contribution_confirm,
        name="contribution_confirm",
    ),
    path(
        "<slug:slug>/contributions/<int:pk>/dispute/",
        views.contribution_dispute,
        name="contribution_dispute",
    ),
    path(
        "<slug:slug>/contributions/<int:pk>/withdraw/",
        views.contribution_withdraw,
        name="contribution_withdraw",
    ),
    path(
        "<slug:slug>/contributions/<int:pk>/correct/",
        views.contribution_correct,
        name="contribution_correct",
    ),
    path("<slug:slug>/timebank/", views.timebank, name="timebank"),
    path("<slug:slug>/timebank/settings/", views.timebank_settings, name="timebank_settings"),
    path("<slug:slug>/timebank/listings/new/", views.listing_create, name="listing_create"),
    path("<slug:slug>/timebank/listings/<int:pk>/", views.listing_detail, name="listing"),
    path(
        "<slug:slug>/timebank/listings/<int:pk>/close/", views.listing_close, name="listing_close"
    ),
    path(
        "<slug:slug>/timebank/exchanges/<int:pk>/complete/",
        views.exchange_complete,
        name="exchange_complete",
    ),
    path(
        "<slug:slug>/timebank/exchanges/<int:pk>/cancel/",
        views.exchange_cancel,
        name="exchange_cancel",
    ),
    path("<slug:slug>/timebank/account/", views.timebank_account, name="timebank_account"),
    path("<slug:slug>/timebank/accounts/", views.timebank_accounts, name="timebank_accounts"),
    path(
        "<slug:slug>/timebank/accounts/<int:pk>/",
        views.timebank_account,
        name="timebank_account_of",
    ),
    path("<slug:slug>/requests/", views.request_list, name="requests"),
    path("<slug:slug>/requests/new/", views.request_choose, name="request_choose"),
    path("<slug:slug>/requests/new/<slug:code>/", views.request_create, name="request_create"),
    path("<slug:slug>/requests/categories/", views.request_categories, name="request_categories"),
    path("<slug:slug>/requests/<int:pk>/", views.request_detail, name="request"),
    path("<slug:slug>/requests/<int:pk>/pick-up/", views.request_pick_up, name="request_pick_up"),
    path("<slug:slug>/requests/<int:pk>/photo/", views.request_photo, name="request_photo"),
]
