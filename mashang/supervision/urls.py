from django.urls import include, path

from mashang.supervision import exports, views

app_name = "supervision"
urlpatterns = [
    path("scorecards/", include("mashang.supervision.scorecards.views")),
    path("notices/", views.notice_index, name="notices"),
    path("notices/export.xlsx", exports.notices_export, name="notices-export"),
    path("notices/<int:notice_id>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
    path("notices/acknowledge/", views.notices_acknowledge_many, name="acknowledge-many"),
    path("notices/issue/", views.notices_issue_many, name="issue-many"),
    path("demands/<int:demand_id>/notices/", views.notice_issue, name="issue"),
]
