from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("log-in/", views.LoginView.as_view(), name="login"),
    path("log-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
]
