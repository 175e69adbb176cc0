from django.urls import path

from mashang.audit import views

app_name = "audit"

urlpatterns = [
    path("security/", views.security_log, name="security"),
    path("security/export/", views.security_log_export, name="security-export"),
]
