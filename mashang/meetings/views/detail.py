"""One meeting: its facts; while planned, the agenda builder; once the agenda is frozen, the live
minutes (a decision form per accepted item); once approved, the decisions with the action items
they opened and the rules they changed; the minutes as .docx and PDF.

Every form posts to :func:`meeting_act`, which checks the shape with the action's form and calls
the service ``services.ACTIONS`` names, as the API does. A refusal re-renders the meeting as it
is now with the failed form open, its message on top and each field's message at the field, with
the error's status code (409 for a stale version, with a link to reload).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, is_stale, or_404, page_raise
from mashang.meetings import minutes as doc
from mashang.meetings import selectors as sel
from mashang.meetings.forms import ACTION_FORMS, ITEM_ACTIONS, DecideForm, decide_choices
from mashang.meetings.models import LAND_KINDS, AgendaItem, ItemStatus, Status
from mashang.meetings.services import ACTIONS
from mashang.meetings.transitions import Action

MSG_DONE = _("Done: {action}.")
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_UNKNOWN_ACTION = _("There is no such action.")
MSG_NOTHING_PROPOSED = _("Nothing new: the agenda already holds every item the data calls for.")
MSG_PROPOSED = ngettext_lazy(
    "%(count)d new item was proposed from the data.",
    "%(count)d new items were proposed from the data.",
    "count",
)

#: What a button says when the action's own label would not do.
SUBMIT_LABELS = {
    "accept-item": _("Accept"),
    "drop-item": _("Drop"),
    "add-item": _("Add the item"),
    "decide": _("Save the decision"),
    "edit": _("Save the changes"),
}
#: The meeting-wide actions, in the order the page offers them.
MEETING_ACTIONS = ("propose", "add-item", "freeze", "hold", "approve", "edit", "cancel")
#: The actions that accept or drop an item: their refusal shows on the item.
ITEM_STATUS = frozenset({"accept-item", "drop-item"})
#: While these, the minutes exist as a document (a draft until approved).
WITH_MINUTES = frozenset({Status.AGENDA_FROZEN, Status.HELD, Status.MINUTES_APPROVED})


def action_label(action: str) -> str:
    try:
        return str(Action(action).label)
    except ValueError:
        return action


def status_label(value: str) -> str:
    try:
        return str(Status(value).label) if value else ""
    except ValueError:
        return value


def _load(request: HttpRequest, meeting_id: int) -> sel.MeetingDetail:
    return or_404(sel.meeting_get, actor=request.user, meeting_id=meeting_id)


def _form(
    action: str,
    detail: sel.MeetingDetail,
    *,
    item: AgendaItem | None = None,
    data=None,
    choices: dict | None = None,
):
    meeting = detail.meeting
    auto_id = f"id_{action}_{item.pk}_%s" if item else f"id_{action}_%s"
    initial: dict[str, Any] = {"version": meeting.version}
    kwargs: dict[str, Any] = {"data": data, "auto_id": auto_id, "label_suffix": ""}
    if action == "decide":
        land = meeting.kind in LAND_KINDS
        return DecideForm(initial=initial, item=item, land=land, choices=choices, **kwargs)
    if item is not None:
        initial["item"] = item.pk
    if action == "edit":
        initial.update(
            title=meeting.title,
            starts_at=timezone.localtime(meeting.starts_at),
            place=meeting.place,
            note=meeting.note,
            participants=[p.username for p in detail.participants],
            units=[u.code for u in detail.units],
        )
    return ACTION_FORMS[action](initial=initial, **kwargs)


def _timeline(detail: sel.MeetingDetail) -> list[dict[str, Any]]:
    return [
        {
            "who": str(e.actor) if e.actor else gettext("the system"),
            "role": e.actor.get_role_display() if e.actor else "",
            "at": e.at,
            "action": action_label(e.action),
            "from": status_label(e.from_state) if e.from_state != e.to_state else "",
            "to": status_label(e.to_state) if e.from_state != e.to_state else "",
            "reason": e.reason,
        }
        for e in detail.events
    ]


def _changes(item: AgendaItem) -> list[str]:
    texts = [sel.rule_change_text(c) for c in item.rule_changes.all()]
    for move in item.project_moves.all():
        text = gettext("{project}: {outcome}").format(
            project=f"{move.project.number} {move.project.name}",
            outcome=move.get_outcome_display(),
        )
        if move.reason:
            text += f"（{move.reason}）"
        if move.applied_at:
            text += gettext(" (applied)")
        texts.append(text)
    return texts


def _context(
    request: HttpRequest,
    detail: sel.MeetingDetail,
    *,
    failed: str = "",
    failed_item: int | None = None,
    failed_form=None,
    message: str = "",
    stale: bool = False,
    notice: str = "",
) -> dict[str, Any]:
    meeting = detail.meeting
    allowed = set(detail.allowed_actions)
    shown: set[tuple[str, int | None]] = set()
    # The decision forms' choices, read once for every item.
    choices = decide_choices() if "decide" in allowed else None

    def offer(action: str, item: AgendaItem | None = None) -> dict[str, Any] | None:
        if action not in allowed:
            return None
        key = (action, item.pk if item else None)
        shown.add(key)
        mine = failed_form is not None and key == (failed, failed_item)
        return {
            "name": action,
            "label": action_label(action),
            "submit": str(SUBMIT_LABELS.get(action, "")) or action_label(action),
            "form": failed_form if mine else _form(action, detail, item=item, choices=choices),
            "open": mine,
            "message": message if mine else "",
            "stale": stale and mine,
        }

    planned = meeting.status == Status.PLANNED
    items = []
    for item in detail.items:
        if not planned and item.status != ItemStatus.ACCEPTED:
            continue
        items.append(
            {
                "item": item,
                "accept": offer("accept-item", item)
                if item.status != ItemStatus.ACCEPTED
                else None,
                "drop": offer("drop-item", item) if item.status != ItemStatus.DROPPED else None,
                "decide": offer("decide", item) if item.status == ItemStatus.ACCEPTED else None,
                "changes": _changes(item),
                "message": message if failed_item == item.pk and failed in ITEM_STATUS else "",
                "stale": stale and failed_item == item.pk and failed in ITEM_STATUS,
            }
        )
    forms = {name.replace("-", "_"): offer(name) for name in MEETING_ACTIONS}
    buttons = [forms[name] for name in ("propose", "freeze", "hold", "approve") if forms[name]]
    # A failure whose form is not on the page (done meanwhile, or no such item) shows on top.
    if failed in ITEM_STATUS:
        orphan = message if failed_item not in {row["item"].pk for row in items} else ""
    else:
        orphan = message if failed and (failed, failed_item) not in shown else ""
    left_out = [i for i in detail.items if i.status != ItemStatus.ACCEPTED] if not planned else []
    return {
        "meeting": meeting,
        "detail": detail,
        "items": items,
        "left_out": left_out,
        "forms": forms,
        "buttons": buttons,
        "period_last": meeting.period_end - timedelta(days=1),
        "planned": planned,
        "approved": meeting.status == Status.MINUTES_APPROVED,
        "with_minutes": meeting.status in WITH_MINUTES,
        "land": meeting.kind in LAND_KINDS,
        "timeline": _timeline(detail),
        "orphan_message": orphan,
        "orphan_stale": stale and bool(orphan),
        "notice": notice,
    }


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = (
        "meetings/_detail_body.html"
        if request.headers.get("HX-Request")
        else "meetings/detail.html"
    )
    return render(request, template, context, status=status)


@require_GET
@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _render(request, _context(request, _load(request, meeting_id)))


def _item_of(detail: sel.MeetingDetail, value: Any) -> AgendaItem | None:
    return next((i for i in detail.items if str(i.pk) == str(value)), None)


@require_POST
@login_required
def meeting_act(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404(MSG_UNKNOWN_ACTION)
    detail = _load(request, meeting_id)
    item = _item_of(detail, request.POST.get("item")) if action in ITEM_ACTIONS else None
    if action == "decide" and item is None:
        raise Http404(MSG_UNKNOWN_ACTION)
    form = _form(action, detail, item=item, data=request.POST)
    failed_item = item.pk if item else None
    if not form.is_valid():
        context = _context(
            request,
            detail,
            failed=action,
            failed_item=failed_item,
            failed_form=form,
            message=str(MSG_CHECK_FIELDS),
        )
        return _render(request, context, status=422)
    try:
        meeting = ACTIONS[action](actor=request.user, meeting_id=meeting_id, **form.call())
    except ApplicationError as exc:
        page_raise(exc)
        detail = _load(request, meeting_id)
        form_errors_add(form, exc, field_of=form.field_of)
        stale = is_stale(exc) and request.POST.get("version") != str(detail.meeting.version)
        context = _context(
            request,
            detail,
            failed=action,
            failed_item=failed_item,
            failed_form=form,
            message=exc.message,
            stale=stale,
        )
        return _render(request, context, status=exc.status_code)
    notice = str(MSG_DONE).format(action=action_label(action))
    fresh = None
    if action == "propose":
        fresh = _load(request, meeting.pk)
        added = len(fresh.items) - len(detail.items)
        notice = MSG_PROPOSED % {"count": added} if added else str(MSG_NOTHING_PROPOSED)
    if request.headers.get("HX-Request"):
        fresh = fresh or _load(request, meeting.pk)
        return _render(request, _context(request, fresh, notice=notice))
    messages.success(request, notice)
    return redirect("meetings:detail", meeting_id=meeting_id)


@require_GET
@login_required
def meeting_minutes(request: HttpRequest, meeting_id: int, ext: str) -> HttpResponse:
    """The minutes (会议纪要) as the document an office files (a draft until approved)."""
    record = sel.minutes_record(
        or_404(sel.meeting_get, actor=request.user, meeting_id=meeting_id, with_events=False)
    )
    if ext == "docx":
        body, content_type = doc.minutes_docx(record), doc.DOCX
    else:
        body, content_type = doc.minutes_pdf(record), doc.PDF
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.minutes_filename(record, ext)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
