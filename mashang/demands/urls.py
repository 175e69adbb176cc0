from django.urls import path

from mashang.demands.views import (
    bulk,
    detail,
    exports,
    intake,
    oversight,
    portal,
    search,
    workbench,
)
from mashang.demands.views import print as printing

app_name = "demands"
urlpatterns = [
    # enterprise portal
    path("my/", portal.my_demands, name="my"),
    path("new/", portal.new_demand, name="new"),
    # service team and units
    path("intake/", intake.demand_intake, name="intake"),
    path("intake/enterprises/", intake.enterprise_picker, name="intake-enterprises"),
    path("team/", workbench.team_queue, name="team"),
    path("team/dispatch/", bulk.team_dispatch_bulk, name="team-dispatch"),
    path("unit/", workbench.unit_queue, name="unit"),
    path("all/", search.all_demands, name="all"),
    path("all/export.xlsx", exports.all_demands_export, name="all-export"),
    # supervisors and leaders
    path("watch/", oversight.watch, name="watch"),
    path("watch/export.xlsx", exports.watch_export, name="watch-export"),
    path("dashboard/", oversight.dashboard, name="dashboard"),
    path("dashboard/data.json", oversight.dashboard_data, name="dashboard-data"),
    # one demand, for every role that may see it
    path("<int:demand_id>/", detail.demand_detail, name="detail"),
    path("<int:demand_id>/act/<slug:action>/", detail.demand_act, name="act"),
    path("<int:demand_id>/print/", printing.demand_print, name="print"),
    path("<int:demand_id>/print.pdf", printing.demand_print_pdf, name="print-pdf"),
    path("<int:demand_id>/attachments/<int:attachment_id>/", detail.attachment_download, name="attachment"),
]
