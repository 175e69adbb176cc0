from django.urls import include, path

from mashang.supervision import views

app_name = "supervision"
urlpatterns = [
    path("scorecards/", include("mashang.supervision.scorecards.views")),
    path("notices/", views.notice_index, name="notices"),
    path("notices/<int:notice_id>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
    path("demands/<int:demand_id>/notices/", views.notice_issue, name="issue"),
]
