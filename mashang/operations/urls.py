"""Health, readiness and metrics, for the load balancer and the operator's monitoring."""

from django.urls import path

from mashang.operations import views

urlpatterns: list = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
