"""Files on the demand page: the forms that carry them (new files and those kept from a failed
try), the move and its files in one transaction, the files at their step in the timeline,
and the files panel grouped by who filed them and at which step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ValidationFailed
from mashang.core.models import PendingUpload
from mashang.core.uploads import held_files, held_get, held_release, uploads_hold
from mashang.demands.forms import MSG_CHOOSE_FILES, AttachForm
from mashang.demands.models import OPEN_STATUSES, Attachment, Demand
from mashang.demands.permissions import can_attach
from mashang.demands.selectors import DemandDetail
from mashang.demands.services.attachments import ATTACH_ACTION, SUBMIT_STEP, demand_attach
from mashang.org.models import User

STEP_LABELS = {
    SUBMIT_STEP: _("with the demand"),
    ATTACH_ACTION: _("added later"),
}


def takes_files(form) -> bool:
    return bool(getattr(form, "takes_files", False))


def attach_form(
    actor: User, detail: DemandDetail, *, failed: str, failed_form, message: str
) -> dict[str, Any] | None:
    """The files panel's "add files" form, for those who may add files while the demand is
    open (the one that failed, with its message, when it did)."""
    demand = detail.demand
    if demand.status not in OPEN_STATUSES or not can_attach(actor, demand, list(detail.assignments)):
        return None
    again = failed == ATTACH_ACTION and failed_form is not None
    form = failed_form if again else AttachForm(auto_id="id_attach_%s", label_suffix="")
    return {"form": form, "message": message if again else "", "open": again}


def files_keep(request: HttpRequest, form) -> list[PendingUpload]:
    """On a form that failed: hold its acceptable new files with those already held (the
    sender's own only) and send the form back listing them as kept."""
    if not takes_files(form):
        return []
    files = request.FILES.getlist(form.add_prefix("attachments"))
    ids = form.fields["held"].to_python(request.POST.getlist(form.add_prefix("held")))
    held = uploads_hold(actor=request.user, files=files, held=held_get(actor=request.user, ids=ids))
    form.held_show(held)
    return held


def files_act(
    request: HttpRequest,
    form,
    *,
    demand_id: int,
    action: str,
    move: Callable[..., Demand] | None,
) -> Demand:
    """Make the move with the form's data and file its files at that step, in one transaction:
    a refused file undoes the move. ``move`` is None for adding files on their own."""
    actor = request.user
    if not takes_files(form):
        assert move is not None
        return move(actor=actor, demand_id=demand_id, **form.cleaned_data)
    new, held_ids = form.files_pop()
    held = held_get(actor=actor, ids=held_ids)
    files = [*new, *held_files(held)]
    if move is None and not files:
        raise ValidationFailed(MSG_CHOOSE_FILES, fields={"attachments": MSG_CHOOSE_FILES})
    with transaction.atomic():
        demand = move(actor=actor, demand_id=demand_id, **form.cleaned_data) if move else None
        created = demand_attach(actor=actor, demand_id=demand_id, files=files, step=action)
        held_release(held)
    if demand is None:
        demand = created[0].demand
    return demand


def event_files(demand: Demand, event) -> dict[str, Any]:
    """The files an ``attach`` event names, each with its download link, and its step."""
    payload = event.payload or {}
    if event.action != ATTACH_ACTION:
        return {"files": []}
    names = payload.get("files", [])
    ids = payload.get("attachments", [])
    files = [
        {
            "name": name,
            "url": reverse("demands:attachment", args=[demand.pk, ids[i]]) if i < len(ids) else "",
        }
        for i, name in enumerate(names)
    ]
    return {
        "files": files,
        "_step": payload.get("step", ""),
        "_actor": event.actor_id,
    }


def timeline_fold(rows: list[dict[str, Any]], events) -> list[dict[str, Any]]:
    """Files at the step they came with: the files of an ``attach`` event that follows the
    move they were filed with, by the same person, join that move's entry."""
    folded: list[dict[str, Any]] = []
    previous = None
    for row, event in zip(rows, events, strict=False):
        step = row.pop("_step", "")
        actor = row.pop("_actor", None)
        if (
            event.action == ATTACH_ACTION
            and previous is not None
            and folded
            and step
            and step == previous.action
            and actor == previous.actor_id
        ):
            folded[-1]["files"] = [*folded[-1].get("files", []), *row["files"]]
        else:
            folded.append(row)
            previous = event
    return folded


def file_groups(
    demand: Demand, attachments: list[Attachment], label: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The demand's files by who filed them (the enterprise, a unit, the service team) and the
    step they came with, in the order they were first filed."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for a in attachments:
        if a.unit_id:
            who = a.unit.name
        elif a.uploaded_by.role == User.Role.ENTERPRISE:
            who = demand.enterprise.name if demand.enterprise_id else gettext("the enterprise")
        else:
            who = gettext("the service team")
        step = str(STEP_LABELS[a.step]) if a.step in STEP_LABELS else (label(a.step) if a.step else "")
        group = groups.setdefault((who, step), {"who": who, "step": step, "files": []})
        group["files"].append(a)
    return list(groups.values())
