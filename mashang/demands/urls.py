from django.urls import path

from mashang.demands.views import detail, oversight, portal, workbench

app_name = "demands"
urlpatterns = [
    # enterprise portal
    path("my/", portal.my_demands, name="my"),
    path("new/", portal.new_demand, name="new"),
    # service team and units
    path("team/", workbench.team_queue, name="team"),
    path("unit/", workbench.unit_queue, name="unit"),
    path("all/", workbench.all_demands, name="all"),
    # supervisors and leaders
    path("watch/", oversight.watch, name="watch"),
    path("dashboard/", oversight.dashboard, name="dashboard"),
    path("dashboard/data.json", oversight.dashboard_data, name="dashboard-data"),
    # one demand, for every role that may see it
    path("<int:demand_id>/", detail.demand_detail, name="detail"),
    path("<int:demand_id>/act/<slug:action>/", detail.demand_act, name="act"),
    path("<int:demand_id>/attachments/<int:attachment_id>/", detail.attachment_download, name="attachment"),
]
