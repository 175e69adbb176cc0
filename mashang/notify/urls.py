from django.urls import path

from mashang.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
]
