from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("mine/", views.my_initiatives, name="mine"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/", views.initiative_detail, name="detail"),
    path("<slug:slug>/edit/", views.initiative_edit, name="edit"),
    path("<slug:slug>/invite/", views.co_lead_invite, name="invite"),
    path("<slug:slug>/join/", views.initiative_join, name="join"),
    path("<slug:slug>/leave/", views.initiative_leave, name="leave"),
]
