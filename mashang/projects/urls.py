from django.urls import path

from mashang.projects.views import create, detail, pipeline

app_name = "projects"
urlpatterns = [
    path("", pipeline.pipeline, name="pipeline"),
    path("export/", pipeline.export, name="export"),
    path("new/", create.project_new, name="new"),
    path("import/", create.project_import, name="import"),
    path("<int:project_id>/", detail.project_page, name="detail"),
    path("<int:project_id>/act/<slug:name>/", detail.project_post, name="act"),
]
