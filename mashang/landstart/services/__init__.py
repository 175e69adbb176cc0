"""Every write of the land-start app: templates, runs, steps, documents."""

from mashang.landstart.services.batches import (
    batch_create,
    batch_run_add,
    batch_run_remove,
    batch_update,
)
from mashang.landstart.services.capacity import unit_capacity_set
from mashang.landstart.services.documents import landstart_document_attach
from mashang.landstart.services.runs import landstart_award, landstart_cancel, landstart_open
from mashang.landstart.services.steps import (
    landstart_step_complete,
    landstart_step_return,
    landstart_step_stage,
)
from mashang.landstart.services.templates import template_create, template_install_default
from mashang.landstart.services.workgroup import landstart_work_group_set

__all__ = [
    "batch_create",
    "batch_run_add",
    "batch_run_remove",
    "batch_update",
    "landstart_award",
    "landstart_cancel",
    "landstart_document_attach",
    "landstart_open",
    "landstart_step_complete",
    "landstart_step_return",
    "landstart_step_stage",
    "landstart_work_group_set",
    "template_create",
    "template_install_default",
    "unit_capacity_set",
]
