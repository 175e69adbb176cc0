from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandstartConfig(AppConfig):
    name = "mashang.landstart"
    label = "landstart"
    verbose_name = _("Land start")

    def ready(self) -> None:
        from mashang.landstart.permissions import project_unit_concern
        from mashang.projects.permissions import unit_concern_register

        # A unit with a step in a project's run sees the project (projects keeps the rule's list).
        unit_concern_register(project_unit_concern)

        # A listed plot gets its bundle without anyone applying: the listing opens the run.
        from mashang.landstart.services import listing
        from mashang.projects.signals import project_listed

        project_listed.connect(listing.project_listed_receive, dispatch_uid="landstart.listing")

