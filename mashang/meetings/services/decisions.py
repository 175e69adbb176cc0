"""Deciding and applying: a decision per accepted item with what it plans, closing the
record, and approving the minutes, which applies the rule changes, opens the action items
and moves the projects in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mashang.audit.services import event_record
from mashang.core.errors import (
    ApplicationError,
    Conflict,
    ValidationFailed,
)
from mashang.demands.services.action_items import action_item_open
from mashang.meetings.models import (
    LAND_KINDS,
    ActionItem,
    AgendaItem,
    ItemStatus,
    Meeting,
    ProjectMove,
    ProjectOutcome,
    RuleChange,
    RuleField,
)
from mashang.meetings.services.common import (
    CATEGORY_SUBJECT,
    MSG_APPLY_FAILED,
    MSG_BAD_DAYS,
    MSG_BAD_LIMIT,
    MSG_BAD_OUTCOME,
    MSG_BAD_RULE,
    MSG_ITEM_NOT_ACCEPTED,
    MSG_LEAD_AMONG_CO,
    MSG_PROJECT_NOT_AT_REVIEW,
    MSG_REQUIRED,
    MSG_UNDECIDED,
    MSG_UNKNOWN_CATEGORY,
    MSG_UNKNOWN_PROJECT,
    RULE_CHANGE,
    Change,
    _audience,
    _item,
    _person,
    _raise,
    _text,
    _transition,
    _units,
)
from mashang.meetings.transitions import Action
from mashang.notify.services import notification_enqueue
from mashang.org.models import Category, Unit, User
from mashang.projects.models import Project
from mashang.projects.services import project_review_decide
from mashang.projects.services.land import REVIEW_OUTCOMES
from mashang.projects.transitions import target_of
from mashang.workcal.selectors import calendar_get


@dataclass
class _Plan:
    action_items: list[tuple[dict[str, Any], list[Unit]]]
    rule_changes: list[dict[str, Any]]
    project_moves: list[dict[str, Any]]


def _decision_clean(
    item: AgendaItem,
    meeting: Meeting,
    action_items: Sequence[Mapping[str, Any]],
    rule_changes: Sequence[Mapping[str, Any]],
    project_moves: Sequence[Mapping[str, Any]],
) -> _Plan:
    errors: dict[str, str] = {}
    plan = _Plan([], [], [])
    for n, raw in enumerate(action_items or ()):
        at = f"action_items.{n}."
        title = _text(raw.get("title"), at + "title", errors)
        lead = _units(
            [raw.get("lead_unit")] if raw.get("lead_unit") else [], at + "lead_unit", errors
        )
        if not raw.get("lead_unit"):
            errors[at + "lead_unit"] = str(MSG_REQUIRED)
        co = _units(raw.get("co_units") or (), at + "co_units", errors)
        if lead and any(u.pk == lead[0].pk for u in co):
            errors[at + "co_units"] = str(MSG_LEAD_AMONG_CO)
        owner = None
        if raw.get("owner"):
            owner = _person(
                raw["owner"],
                [r for r in User.Role.values if r != User.Role.ENTERPRISE],
                at + "owner",
                errors,
            )
        days = raw.get("working_days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            try:
                days = int(str(days))
            except ValueError:
                days = 0
            if not 1 <= days <= 90:
                errors[at + "working_days"] = str(MSG_BAD_DAYS)
        closing = _text(raw.get("closing_rule"), at + "closing_rule", errors, limit=300)
        if lead:
            plan.action_items.append(
                (
                    {
                        "title": title,
                        "lead_unit": lead[0],
                        "owner": owner,
                        "working_days": days,
                        "closing_rule": closing,
                    },
                    co,
                )
            )
    for n, raw in enumerate(rule_changes or ()):
        at = f"rule_changes.{n}."
        category = Category.objects.filter(
            code=str(raw.get("category") or "").strip(), is_active=True
        ).first()
        if category is None:
            errors[at + "category"] = str(MSG_UNKNOWN_CATEGORY)
        rule = str(raw.get("field") or "")
        value = str(raw.get("value") or "").strip()
        if rule not in RuleField.values:
            errors[at + "field"] = str(MSG_BAD_RULE).format(choices=", ".join(RuleField.values))
        elif rule == RuleField.DEFAULT_LEAD_UNIT:
            _units([value], at + "value", errors) if value else errors.__setitem__(
                at + "value", str(MSG_REQUIRED)
            )
        else:
            try:
                number = Decimal(value)
            except (InvalidOperation, TypeError, ValueError):
                number = Decimal(-1)
            if not number.is_finite():  # NaN cannot be compared, Infinity is no limit
                number = Decimal(-1)
            if not Decimal("0.25") <= number <= Decimal("999"):
                errors[at + "value"] = str(MSG_BAD_LIMIT)
            else:
                value = str(number.quantize(Decimal("0.01")))
        plan.rule_changes.append({"category": category, "field": rule, "value": value})
    for n, raw in enumerate(project_moves or ()):
        at = f"project_moves.{n}."
        if meeting.kind not in LAND_KINDS:
            errors[at + "project"] = str(MSG_PROJECT_NOT_AT_REVIEW)
            continue
        number = str(raw.get("project") or "").strip() or (
            item.project.number if item.project_id else ""
        )
        project = Project.objects.filter(number=number).first() if number else None
        if project is None:
            errors[at + "project"] = str(MSG_UNKNOWN_PROJECT)
        outcome = str(raw.get("outcome") or "")
        if outcome not in ProjectOutcome.values:
            errors[at + "outcome"] = str(MSG_BAD_OUTCOME).format(
                choices=", ".join(ProjectOutcome.values)
            )
        reason = _text(
            raw.get("reason"),
            at + "reason",
            errors,
            required=outcome == ProjectOutcome.DEFER,
            limit=500,
        )
        if project is not None and outcome in (ProjectOutcome.APPROVE, ProjectOutcome.DEFER):
            try:  # refused now, not only when the minutes are approved
                target_of(
                    action=REVIEW_OUTCOMES[outcome],
                    stage=project.stage,
                    project_type=project.project_type,
                    stage_before_pause=project.stage_before_pause,
                )
            except ApplicationError as refused:
                errors[at + "outcome"] = refused.message
        plan.project_moves.append({"project": project, "outcome": outcome, "reason": reason})
    _raise(errors)
    return plan


def item_decide(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    item: Any,
    decision: str,
    action_items: Sequence[Mapping[str, Any]] = (),
    rule_changes: Sequence[Mapping[str, Any]] = (),
    project_moves: Sequence[Mapping[str, Any]] = (),
    at: datetime | None = None,
) -> Meeting:
    """Record (or correct) the decision on one accepted item, with the action items, rule
    changes and project moves it plans. They replace what the item planned before; none takes
    effect before the minutes are approved."""
    errors: dict[str, str] = {}
    text = _text(decision, "decision", errors, limit=5000)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        row = _item(meeting, item)
        if row.status != ItemStatus.ACCEPTED:
            raise ValidationFailed(MSG_ITEM_NOT_ACCEPTED, fields={"item": MSG_ITEM_NOT_ACCEPTED})
        plan = _decision_clean(row, meeting, action_items, rule_changes, project_moves)
        row.action_items.all().delete()
        row.rule_changes.all().delete()
        row.project_moves.all().delete()
        for fields, co in plan.action_items:
            planned = ActionItem.objects.create(item=row, **fields)
            planned.co_units.set(co)
        RuleChange.objects.bulk_create(RuleChange(item=row, **c) for c in plan.rule_changes)
        ProjectMove.objects.bulk_create(ProjectMove(item=row, **m) for m in plan.project_moves)
        row.decision, row.decided_at = text, now
        row.save(update_fields=["decision", "decided_at"])
        return Change(
            payload={
                "item": row.pk,
                "decision": text,
                "action_items": len(plan.action_items),
                "rule_changes": len(plan.rule_changes),
                "project_moves": len(plan.project_moves),
            }
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.DECIDE,
        at=at,
        change=change,
    )


def meeting_hold(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Close the record of a meeting that took place: every accepted item has its decision."""

    def change(meeting: Meeting, now: datetime) -> Change:
        undecided = list(
            AgendaItem.objects.filter(
                meeting=meeting, status=ItemStatus.ACCEPTED, decided_at__isnull=True
            )
            .order_by("position")
            .values_list("position", flat=True)
        )
        if undecided:
            message = str(MSG_UNDECIDED).format(items="、".join(str(p) for p in undecided))
            raise ValidationFailed(message, fields={"items": message})
        return Change(fields={"held_at": now})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.HOLD,
        at=at,
        change=change,
    )


def _apply_rule_change(change: RuleChange, *, actor: User, meeting: Meeting, at: datetime) -> None:
    category = Category.objects.select_for_update().get(pk=change.category_id)
    if change.field == RuleField.DEFAULT_LEAD_UNIT:
        unit = Unit.objects.get(code=change.value)
        before = category.default_lead_unit.code if category.default_lead_unit_id else ""
        category.default_lead_unit = unit
        category.save(update_fields=["default_lead_unit"])
    else:
        before = str(getattr(category, change.field))
        setattr(category, change.field, Decimal(change.value))
        category.save(update_fields=[change.field])
    change.previous, change.applied_at = before, at
    change.save(update_fields=["previous", "applied_at"])
    event_record(
        subject_type=CATEGORY_SUBJECT,
        subject_id=category.pk,
        action=RULE_CHANGE,
        actor=actor,
        at=at,
        reason=change.item.decision,
        payload={
            "field": change.field,
            "from": before,
            "to": change.value,
            "meeting": meeting.number,
            "meeting_id": meeting.pk,
            "item": change.item.position,
        },
    )


def meeting_approve(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Approve the minutes and apply what they decided: the rule changes, the action items
    (opened as tracked demands, due in working days from now) and the project moves."""

    def change(meeting: Meeting, now: datetime) -> Change:
        cal = calendar_get()
        items = list(
            AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.ACCEPTED).order_by(
                "position"
            )
        )
        opened = applied = moved = 0
        for row in items:
            for rule in RuleChange.objects.filter(item=row).select_related("item").order_by("id"):
                _apply_rule_change(rule, actor=actor, meeting=meeting, at=now)
                applied += 1
            for planned in (
                ActionItem.objects.filter(item=row).select_related("lead_unit").order_by("id")
            ):
                description = "\n".join(
                    [
                        gettext("Decided at {number} {title}, item {position}: {decision}").format(
                            number=meeting.number,
                            title=meeting.title,
                            position=row.position,
                            decision=row.decision,
                        ),
                        gettext("Closing rule: {rule}").format(rule=planned.closing_rule),
                        *(
                            [gettext("Owner: {name}").format(name=planned.owner)]
                            if planned.owner_id
                            else []
                        ),
                    ]
                )
                demand = action_item_open(
                    actor=actor,
                    title=planned.title,
                    description=description,
                    lead_unit=planned.lead_unit,
                    co_units=list(planned.co_units.all()),
                    due_at=cal.add_working_days(now, planned.working_days),
                    enterprise=row.demand.enterprise if row.demand_id else None,
                    category=row.demand.category if row.demand_id else None,
                    origin={
                        "meeting": meeting.number,
                        "meeting_id": meeting.pk,
                        "item": row.position,
                    },
                    at=now,
                )
                planned.demand = demand
                planned.save(update_fields=["demand"])
                opened += 1
            for move in ProjectMove.objects.filter(item=row).order_by("id"):
                try:
                    with transaction.atomic():
                        project_review_decide(
                            actor=actor,
                            project_id=move.project_id,
                            outcome=move.outcome,
                            reason=move.reason or row.decision[:2000],
                            at=now,
                            origin={"meeting": meeting.number, "meeting_id": meeting.pk},
                        )
                except ApplicationError as problem:
                    # The project moved meanwhile: nothing of the minutes is applied.
                    raise Conflict(
                        str(MSG_APPLY_FAILED).format(problem=problem.message)
                    ) from problem
                move.applied_at = now
                move.save(update_fields=["applied_at"])
                moved += 1
        notification_enqueue(
            kind="meeting.minutes",
            subject=gettext("Minutes of {number} {title} approved").format(
                number=meeting.number, title=meeting.title
            ),
            body=gettext("{items} items decided; {opened} action items opened.").format(
                items=len(items), opened=opened
            ),
            link=f"/meetings/{meeting.pk}/",
            audience=_audience(meeting),
            dedupe_key=f"meeting:{meeting.pk}:minutes",
            payload={"meeting": meeting.pk, "number": meeting.number},
            at=now,
        )
        return Change(
            fields={"approved_at": now, "approved_by": actor},
            payload={"action_items": opened, "rule_changes": applied, "project_moves": moved},
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.APPROVE,
        at=at,
        change=change,
    )
