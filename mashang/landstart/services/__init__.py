"""Every write of the land-start app: templates, runs, steps, documents."""

from mashang.landstart.services.documents import landstart_document_attach
from mashang.landstart.services.runs import landstart_award, landstart_cancel, landstart_open
from mashang.landstart.services.steps import (
    landstart_step_complete,
    landstart_step_return,
    landstart_step_stage,
)
from mashang.landstart.services.templates import template_create, template_install_default

__all__ = [
    "landstart_award",
    "landstart_cancel",
    "landstart_document_attach",
    "landstart_open",
    "landstart_step_complete",
    "landstart_step_return",
    "landstart_step_stage",
    "template_create",
    "template_install_default",
]
