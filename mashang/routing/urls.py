from django.urls import path

from mashang.routing import classifier_views, topic_views, views

app_name = "routing"
urlpatterns = [
    path("rules/", views.rule_index, name="rules"),
    path("rules/new/", views.rule_new, name="rule-new"),
    path("rules/preview/", views.rule_preview_view, name="rule-preview"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("rules/<int:rule_id>/history/", views.rule_history, name="rule-history"),
    path("rules/<int:rule_id>/act/<slug:action>/", views.rule_act, name="rule-act"),
    path("classifiers/", classifier_views.classifier_index, name="classifiers"),
    path("classifiers/retrain/", classifier_views.classifier_retrain, name="classifiers-retrain"),
    path("classifiers/automatic/", classifier_views.auto_dispatch_settings_save, name="auto-dispatch"),
    path("classifiers/<int:classifier_id>/", classifier_views.classifier_detail, name="classifier"),
    path("classifiers/<int:classifier_id>/export.xlsx", classifier_views.classifier_export, name="classifier-export"),
    path("topics/", topic_views.topic_index, name="topics"),
    path("topics/<int:topic_id>/", topic_views.topic_detail, name="topic"),
]
