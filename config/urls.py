from django.contrib import admin
from django.urls import path, re_path

from mashang.api.router import api, api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
]
