"""Calling a meeting and building its agenda: plan, propose, edit, accept, drop and add
items, freeze (the agenda goes out), cancel."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import (
    PermissionDenied,
    ValidationFailed,
)
from mashang.core.numbering import number_next
from mashang.demands.models import Demand
from mashang.meetings import agenda as rules
from mashang.meetings.models import (
    AgendaItem,
    ItemStatus,
    Kind,
    Meeting,
    MeetingSequence,
    Source,
)
from mashang.meetings.services.common import (
    CHAIRS,
    MSG_ALREADY_ON_AGENDA,
    MSG_BAD_KIND,
    MSG_BAD_PERIOD,
    MSG_ITEM_ALREADY,
    MSG_MAY_NOT_PLAN,
    MSG_NOTHING_ACCEPTED,
    MSG_UNKNOWN_DEMAND,
    MSG_UNKNOWN_PROJECT,
    SECRETARIES,
    SUBJECT,
    Change,
    _audience,
    _day,
    _item,
    _people,
    _person,
    _raise,
    _text,
    _transition,
    _units,
    _when,
)
from mashang.meetings.transitions import Action, can_plan
from mashang.notify.services import notification_enqueue
from mashang.org.models import User
from mashang.projects.models import Project

# --- planning ---------------------------------------------------------------------------------


def meeting_plan(
    *,
    actor: User,
    kind: str = Kind.DEMAND_REVIEW,
    title: str,
    starts_at: Any,
    place: str = "",
    chair: Any,
    secretary: Any,
    participants: Iterable[Any] = (),
    units: Iterable[Any] = (),
    period_start: Any = None,
    period_end: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Meeting:
    """Call a meeting and propose its agenda from the data. Without a period, a demand review
    reviews the calendar month before the meeting's month."""
    at = at or timezone.now()
    if not can_plan(actor):
        raise PermissionDenied(MSG_MAY_NOT_PLAN)
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = str(MSG_BAD_KIND).format(choices=", ".join(Kind.values))
    title = _text(title, "title", errors)
    place = _text(place, "place", errors, required=False)
    note = _text(note, "note", errors, required=False, limit=2000)
    starts = _when(starts_at, "starts_at", errors)
    chair_person = _person(chair, CHAIRS, "chair", errors)
    secretary_person = _person(secretary, SECRETARIES, "secretary", errors)
    people = _people(participants, "participants", errors)
    unit_rows = _units(units, "units", errors)
    start, end = _day(period_start, "period_start", errors), _day(period_end, "period_end", errors)
    if starts and not errors.get("period_start") and not errors.get("period_end"):
        if start is None or end is None:
            first_of_month = timezone.localtime(starts).date().replace(day=1)
            default_start, default_end = rules.month_of(first_of_month - timedelta(days=1))
            start, end = start or default_start, end or default_end
        if end <= start:
            errors["period_end"] = str(MSG_BAD_PERIOD)
    _raise(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            number=number_next(MeetingSequence, year=timezone.localtime(starts).year),
            kind=kind,
            title=title,
            starts_at=starts,
            place=place,
            chair=chair_person,
            secretary=secretary_person,
            period_start=start,
            period_end=end,
            note=note,
            created_by=actor,
            created_at=at,
        )
        meeting.participants.set(people)
        meeting.units.set(unit_rows)
        event_record(
            subject_type=SUBJECT,
            subject_id=meeting.pk,
            action=Action.PLAN,
            actor=actor,
            at=at,
            to_state=meeting.status,
            payload={
                "number": meeting.number,
                "kind": kind,
                "period": [start.isoformat(), end.isoformat()],
            },
        )
        added = _propose(meeting, at)
        if added:
            # The proposal is the meeting's second change: its own version and event.
            versioned_save(
                meeting,
                subject_type=SUBJECT,
                action=Action.PROPOSE,
                actor=actor,
                at=at,
                from_state=meeting.status,
                to_state=meeting.status,
                payload={"proposed": added},
            )
    return meeting


def _propose(meeting: Meeting, at: datetime) -> int:
    """Add the items the rules call for that the agenda does not hold yet; how many were added."""
    proposals = rules.agenda_propose(
        kind=meeting.kind, start=meeting.period_start, end=meeting.period_end, at=at
    )
    known = set(AgendaItem.objects.filter(meeting=meeting).values_list("key", flat=True))
    position = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
    rows = []
    for p in proposals:
        if p.key in known:
            continue
        position += 1
        rows.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                source=p.source,
                key=p.key,
                title=p.title[:300],
                # A difficult case goes on the agenda by itself; the other proposals wait for
                # the secretary.
                status=ItemStatus.ACCEPTED if p.source == Source.DIFFICULT else ItemStatus.PROPOSED,
                evidence=p.evidence,
                figures=p.figures,
                demand_id=p.demand_id,
                project_id=p.project_id,
                unit_id=p.unit_id,
                category_id=p.category_id,
            )
        )
    AgendaItem.objects.bulk_create(rows)
    return len(rows)


def meeting_propose(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Run the rules again (the data moved since): new items are added, decided ones kept."""

    def change(meeting: Meeting, now: datetime) -> Change:
        return Change(payload={"proposed": _propose(meeting, now)})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.PROPOSE,
        at=at,
        change=change,
    )


def meeting_edit(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None, **raw: Any
) -> Meeting:
    """Change the title, time, place, note, participants or units (before the meeting is held)."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    if "title" in raw:
        fields["title"] = _text(raw["title"], "title", errors)
    if "place" in raw:
        fields["place"] = _text(raw["place"], "place", errors, required=False)
    if "note" in raw:
        fields["note"] = _text(raw["note"], "note", errors, required=False, limit=2000)
    if "starts_at" in raw:
        fields["starts_at"] = _when(raw["starts_at"], "starts_at", errors)
    people = _people(raw["participants"], "participants", errors) if "participants" in raw else None
    unit_rows = _units(raw["units"], "units", errors) if "units" in raw else None
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        if people is not None:
            meeting.participants.set(people)
        if unit_rows is not None:
            meeting.units.set(unit_rows)
        shown = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}
        if people is not None:
            shown["participants"] = [p.username for p in people]
        if unit_rows is not None:
            shown["units"] = [u.code for u in unit_rows]
        return Change(fields=fields, payload=shown)

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.EDIT,
        at=at,
        change=change,
    )


def _item_status(
    actor: User, meeting_id: int, version: int, item_id: Any, status: str, action: str, at
) -> Meeting:
    def change(meeting: Meeting, now: datetime) -> Change:
        item = _item(meeting, item_id)
        before = item.status
        if before == status:
            message = str(MSG_ITEM_ALREADY).format(status=ItemStatus(status).label)
            raise ValidationFailed(message, fields={"item": message})
        item.status = status
        item.save(update_fields=["status"])
        return Change(payload={"item": item.pk, "key": item.key, "from": before, "to": status})

    return _transition(
        actor=actor, meeting_id=meeting_id, version=version, action=action, at=at, change=change
    )


def agenda_item_accept(
    *, actor: User, meeting_id: int, version: int, item: Any, at: datetime | None = None
) -> Meeting:
    return _item_status(
        actor, meeting_id, version, item, ItemStatus.ACCEPTED, Action.ACCEPT_ITEM, at
    )


def agenda_item_drop(
    *, actor: User, meeting_id: int, version: int, item: Any, at: datetime | None = None
) -> Meeting:
    return _item_status(actor, meeting_id, version, item, ItemStatus.DROPPED, Action.DROP_ITEM, at)


def agenda_item_add(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    title: str,
    evidence: str = "",
    demand: str = "",
    project: str = "",
    at: datetime | None = None,
) -> Meeting:
    """The secretary adds an item of their own (accepted), about a demand or project if named."""
    errors: dict[str, str] = {}
    title = _text(title, "title", errors, limit=300)
    evidence = _text(evidence, "evidence", errors, required=False, limit=2000)
    demand_row = project_row = None
    if (demand or "").strip():
        demand_row = Demand.objects.filter(number=demand.strip()).first()
        if demand_row is None:
            errors["demand"] = str(MSG_UNKNOWN_DEMAND)
    if (project or "").strip():
        project_row = Project.objects.filter(number=project.strip()).first()
        if project_row is None:
            errors["project"] = str(MSG_UNKNOWN_PROJECT)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        position = (
            AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
        ) + 1
        # About a demand or project: the same key as the rules give it, so it is on the agenda once.
        key = (
            f"demand:{demand_row.pk}"
            if demand_row
            else f"project:{project_row.pk}"
            if project_row
            else f"manual:{position}"
        )
        if AgendaItem.objects.filter(meeting=meeting, key=key).exists():
            field = "demand" if demand_row else "project"
            raise ValidationFailed(MSG_ALREADY_ON_AGENDA, fields={field: MSG_ALREADY_ON_AGENDA})
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            source=Source.MANUAL,
            key=key,
            status=ItemStatus.ACCEPTED,
            title=title,
            evidence=[line for line in evidence.splitlines() if line.strip()],
            demand=demand_row,
            project=project_row,
            unit_id=demand_row.lead_unit_id if demand_row else None,
            category_id=demand_row.category_id if demand_row else None,
        )
        return Change(payload={"item": item.pk, "title": title})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.ADD_ITEM,
        at=at,
        change=change,
    )


# --- freezing, deciding, holding ---------------------------------------------------------------


def meeting_freeze(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Fix the agenda (items still only proposed are left out) and send it to the participants."""

    def change(meeting: Meeting, now: datetime) -> Change:
        accepted = list(
            AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.ACCEPTED).order_by(
                "position"
            )
        )
        if not accepted:
            raise ValidationFailed(MSG_NOTHING_ACCEPTED, fields={"items": MSG_NOTHING_ACCEPTED})
        left_out = AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.PROPOSED).update(
            status=ItemStatus.DROPPED
        )
        lines = [
            gettext("{when}, {place}").format(
                when=timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                place=meeting.place or "—",
            ),
            gettext("Agenda:"),
            *(f"{n}. {item.title}" for n, item in enumerate(accepted, start=1)),
        ]
        notification_enqueue(
            kind="meeting.agenda",
            subject=gettext("Agenda of {number} {title}").format(
                number=meeting.number, title=meeting.title
            ),
            body="\n".join(lines),
            link=f"/meetings/{meeting.pk}/",
            audience=_audience(meeting),
            dedupe_key=f"meeting:{meeting.pk}:agenda:{meeting.version + 1}",
            payload={"meeting": meeting.pk, "number": meeting.number},
            at=now,
        )
        return Change(
            fields={"frozen_at": now}, payload={"accepted": len(accepted), "left_out": left_out}
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.FREEZE,
        at=at,
        change=change,
    )


def meeting_cancel(
    *, actor: User, meeting_id: int, version: int, reason: str, at: datetime | None = None
) -> Meeting:
    errors: dict[str, str] = {}
    why = _text(reason, "reason", errors, limit=2000)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        if meeting.frozen_at:
            notification_enqueue(
                kind="meeting.cancelled",
                subject=gettext("Cancelled: {number} {title}").format(
                    number=meeting.number, title=meeting.title
                ),
                body=why,
                link=f"/meetings/{meeting.pk}/",
                audience=_audience(meeting),
                dedupe_key=f"meeting:{meeting.pk}:cancelled",
                payload={"meeting": meeting.pk, "number": meeting.number},
                at=now,
            )
        return Change(fields={"cancel_reason": why}, reason=why)

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.CANCEL,
        at=at,
        change=change,
    )


#: The service of each move, for pages and the API (planning aside).
