from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from mashang.api.router import api, api_not_found

urlpatterns = [
    path("", include("mashang.operations.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("i18n/setlang/", set_language, name="set_language"),
    path("account/", include("mashang.org.urls")),
    path("demands/", include("mashang.demands.urls")),
    path("inbox/", include("mashang.notify.urls")),
    path("supervision/", include("mashang.supervision.urls")),
    path("projects/", include("mashang.projects.urls")),
    path("landstart/", include("mashang.landstart.urls")),
    path("meetings/", include("mashang.meetings.urls")),
    path("routing/", include("mashang.routing.urls")),
    path("audit/", include("mashang.audit.urls")),
    path("", include("mashang.web.urls")),
]

# Pages in the site's layout; JSON under /api/ (mashang.web.errors).
handler403 = "mashang.web.errors.forbidden"
handler404 = "mashang.web.errors.not_found"
handler500 = "mashang.web.errors.server_error"
