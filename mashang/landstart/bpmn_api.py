"""Import a bundle template from a BPMN 2.0 file: POST /landstart-templates/import."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.landstart import services
from mashang.landstart.api import TemplateOut, _template, landstart_template_read
from mashang.landstart.bpmn import MAX_BYTES, MSG_TOO_LARGE, bpmn_bundle_read
from mashang.landstart.permissions import can_manage
from mashang.landstart.selectors import template_get
from mashang.landstart.services.templates import MSG_MAY_NOT_WRITE

router = Router(tags=["landstart"])


class TemplateImportIn(Schema):
    code: str = Field(min_length=1, max_length=40, description="Template code.")
    award_unit: str = Field(min_length=1, max_length=32, description="The unit that records the award.")
    name: str = Field(default="", max_length=200, description="Empty: the name of the file's process.")
    note: str = Field(default="", max_length=2000)


@router.post("/landstart-templates/import", response={201: TemplateOut})
def landstart_template_import(
    request: HttpRequest, file: File[UploadedFile], payload: Form[TemplateImportIn]
):
    """Save a bundle template drawn in a BPMN 2.0 modeler (service team, administrators): tasks
    are steps, lanes (or ``mashang:unit``) name their units, sequence flows and parallel
    gateways their prerequisites (see docs/domain.md). An existing code gets its next version.
    A file that is not such a bundle, names an unknown unit or loops is refused (422) with the
    reason under ``file``."""
    if not can_manage(request.user):
        raise PermissionDenied(MSG_MAY_NOT_WRITE)
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationFailed(MSG_TOO_LARGE, fields={"file": MSG_TOO_LARGE})
    bundle = bpmn_bundle_read(file.read(MAX_BYTES + 1))
    try:
        template = services.template_create(
            actor=request.user,
            code=payload.code,
            name=payload.name.strip() or bundle.name,
            award_unit_code=payload.award_unit,
            note=payload.note,
            steps=bundle.steps,
        )
    except ValidationFailed as exc:
        # The steps came from the file: their faults (unknown unit, cycle…) are the file's.
        fields = dict(exc.fields)
        if "steps" in fields:
            fields["file"] = fields.pop("steps")
        raise ValidationFailed(exc.message, fields=fields) from exc
    detail = template_get(actor=request.user, code=template.code, version=template.version)
    return Status(201, _template(detail))


@router.get("/landstart-templates/import", response=TemplateOut, include_in_schema=False)
def landstart_template_read_import(request: HttpRequest, version: int | None = None):
    """GET of a template whose code is ``import``: this router is mounted first (so that the
    POST above is found), which puts this path here rather than in landstart.api."""
    return landstart_template_read(request, "import", version)
