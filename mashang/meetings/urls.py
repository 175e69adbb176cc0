from django.urls import path

from mashang.meetings.views import detail, index, tracker

app_name = "meetings"
urlpatterns = [
    path("", index.meeting_index, name="index"),
    path("new/", index.meeting_new, name="new"),
    path("action-items/", tracker.action_item_index, name="action-items"),
    path("action-items/export.xlsx", tracker.action_item_export, name="action-items-export"),
    path("difficult-cases/", tracker.difficult_cases, name="difficult-cases"),
    path("<int:meeting_id>/", detail.meeting_detail, name="detail"),
    path("<int:meeting_id>/act/<slug:action>/", detail.meeting_act, name="act"),
    path("<int:meeting_id>/minutes.docx", detail.meeting_minutes, {"ext": "docx"}, name="docx"),
    path("<int:meeting_id>/minutes.pdf", detail.meeting_minutes, {"ext": "pdf"}, name="pdf"),
]
