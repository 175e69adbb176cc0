"""The site's URLs and two that fail, for the error page tests."""

from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as site


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("api/boom/", _boom), *site]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
