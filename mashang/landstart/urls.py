from django.urls import path

from mashang.landstart.views import board, bundles, history, runs

app_name = "landstart"
urlpatterns = [
    path("", runs.runs, name="runs"),
    path("open/", runs.run_open, name="open"),
    path("history/", history.history, name="history"),
    # bundle templates
    path("templates/", bundles.template_index, name="templates"),
    path("templates/new/", bundles.template_edit, name="template-new"),
    path("templates/import/", bundles.template_import, name="template-import"),
    path("templates/<slug:code>/", bundles.template_page, name="template"),
    path("templates/<slug:code>/edit/", bundles.template_edit, name="template-edit"),
    # one run: the board, its live fragment, its actions
    path("<int:run_id>/", board.board_page, name="board"),
    path("<int:run_id>/live/", board.board_fragment, name="board-live"),
    path("<int:run_id>/act/<slug:action>/", board.run_act, name="run-act"),
    path("<int:run_id>/steps/<str:code>/<slug:action>/", board.step_act, name="step-act"),
    path("<int:run_id>/documents/<int:document_id>/", board.document_download, name="document"),
]
