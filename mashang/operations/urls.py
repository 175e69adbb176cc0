"""Health, readiness and metrics, for the load balancer and the operator's monitoring."""

urlpatterns: list = []
