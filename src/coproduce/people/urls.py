from django.urls import path

from . import privacy_views, views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/your-data/", privacy_views.my_data, name="my_data"),
    path("profile/your-data.json", privacy_views.my_data_download, name="my_data_download"),
    path("profile/delete/", privacy_views.delete_account, name="delete_account"),
]
