from django.urls import path

from mashang.landstart.views import batches as batch_views
from mashang.landstart.views import board, bundles, history, runs
from mashang.landstart.views import capacity as capacity_views
from mashang.landstart.views import commitments as commitment_views
from mashang.landstart.views import plan as plan_views
from mashang.landstart.views import screen as screen_views
from mashang.landstart.views import workgroup as workgroup_views

app_name = "landstart"
urlpatterns = [
    path("", runs.runs, name="runs"),
    path("open/", runs.run_open, name="open"),
    path("history/", history.history, name="history"),
    path("history/export.xlsx", history.history_export, name="history-export"),
    # bundle templates
    path("templates/", bundles.template_index, name="templates"),
    path("templates/new/", bundles.template_edit, name="template-new"),
    path("templates/import/", bundles.template_import, name="template-import"),
    path("templates/<slug:code>/", bundles.template_page, name="template"),
    path("templates/<slug:code>/edit/", bundles.template_edit, name="template-edit"),
    # land-supply batches (供地批次)
    path("batches/", batch_views.batches, name="batches"),
    path("batches/new/", batch_views.batch_edit, name="batch-new"),
    path("batches/<int:batch_id>/", batch_views.batch_page, name="batch"),
    path("batches/<int:batch_id>/live/", batch_views.batch_live, name="batch-live"),
    path("batches/<int:batch_id>/edit/", batch_views.batch_edit, name="batch-edit"),
    path("batches/<int:batch_id>/runs/add/", batch_views.batch_run_add, name="batch-run-add"),
    path("batches/<int:batch_id>/runs/<int:run_id>/remove/", batch_views.batch_run_remove, name="batch-run-remove"),
    path("batches/<int:batch_id>/export.xlsx", batch_views.batch_export, name="batch-export"),
    # planning the day by the units' capacities
    path("batches/<int:batch_id>/plan/", plan_views.batch_plan_page, name="batch-plan"),
    path("capacity/", capacity_views.capacity_page, name="capacity"),
    # commitments in place of missing papers (容缺受理)
    path("commitments/", commitment_views.commitments_page, name="commitments"),
    path("commitments/export.xlsx", commitment_views.commitments_export, name="commitments-export"),
    path(
        "commitments/<int:commitment_id>/<slug:action>/",
        commitment_views.commitment_act,
        name="commitment-act",
    ),
    # one run: the board, its live fragment, its actions
    path("<int:run_id>/", board.board_page, name="board"),
    path("<int:run_id>/live/", board.board_fragment, name="board-live"),
    path("<int:run_id>/act/<slug:action>/", board.run_act, name="run-act"),
    path("<int:run_id>/steps/<str:code>/<slug:action>/", board.step_act, name="step-act"),
    path("<int:run_id>/documents/<int:document_id>/", board.document_download, name="document"),
    path("<int:run_id>/work-group/", workgroup_views.work_group_set, name="work-group"),
    # the big screens (大屏) of a batch and of a run, and their live parts
    path("batches/<int:batch_id>/screen/", screen_views.batch_screen, name="batch-screen"),
    path(
        "batches/<int:batch_id>/screen/live/",
        screen_views.batch_screen_live,
        name="batch-screen-live",
    ),
    path("<int:run_id>/screen/", screen_views.run_screen, name="run-screen"),
    path("<int:run_id>/screen/live/", screen_views.run_screen_live, name="run-screen-live"),
]
