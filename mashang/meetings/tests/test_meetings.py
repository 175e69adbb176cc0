"""A review meeting from call to approved minutes: who may do what, the agenda going out, and
what approval applies — a routing default, a time limit, action items, a project's land supply."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from mashang.audit.models import Event
from mashang.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.demands import services as S
from mashang.demands.models import Demand, Kind, Status
from mashang.meetings import services as M
from mashang.meetings.models import ActionItem, AgendaItem, ItemStatus, Meeting, RuleChange
from mashang.meetings.models import Status as MeetingStatus
from mashang.notify.models import Channel, Notification
from mashang.org.models import Category, User
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.scorecards.formulas import Period
from mashang.supervision.scorecards.selectors import scorecard_compute
from tests.kit.clocks import at
from tests.kit.sweeps import sweep_every_quarter
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

CALLED = at(2026, 12, 1, 9, 0)
HELD = at(2026, 12, 3, 10, 0)


def plan(zone, **kw) -> Meeting:
    args = {
        "title": "12 月企业诉求研判会",
        "starts_at": "2026-12-03T10:00",
        "place": "管委会 301 会议室",
        "chair": "leader",
        "secretary": "supervisor",
        "participants": ["officer"],
        "units": ["zrzy", "zjj"],
        **kw,
    }
    return M.meeting_plan(actor=zone.supervisor, at=CALLED, **args)


def added(
    zone, meeting: Meeting, title="调整用地类诉求的默认主办单位"
) -> tuple[Meeting, AgendaItem]:
    meeting = M.agenda_item_add(
        actor=zone.supervisor,
        meeting_id=meeting.pk,
        version=meeting.version,
        title=title,
        evidence="11 月用地类诉求退单 5 次",
        at=CALLED,
    )
    return meeting, AgendaItem.objects.filter(meeting=meeting).latest("id")


def frozen(zone, **kw) -> tuple[Meeting, AgendaItem]:
    meeting, item = added(zone, plan(zone, **kw))
    meeting = M.meeting_freeze(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=CALLED
    )
    return meeting, item


def decide(zone, meeting, item, **kw) -> Meeting:
    return M.item_decide(
        actor=zone.supervisor,
        meeting_id=meeting.pk,
        version=meeting.version,
        item=item.pk,
        decision=kw.pop("decision", "会议议定：按下述办理"),
        at=HELD,
        **kw,
    )


def hold_and_approve(zone, meeting) -> Meeting:
    meeting = M.meeting_hold(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=HELD
    )
    return M.meeting_approve(
        actor=zone.leader,
        meeting_id=meeting.pk,
        version=meeting.version,
        at=HELD + timedelta(hours=2),
    )


def dispatched_by_default(zone, when) -> Demand:
    d = submit(zone, when=when)
    d = S.demand_triage(
        actor=zone.officer, demand_id=d.pk, version=d.version, category="land", at=when
    )
    return S.demand_dispatch(actor=zone.officer, demand_id=d.pk, version=d.version, at=when)


def test_a_meeting_is_called_numbered_and_reviews_the_month_before(zone):
    meeting = plan(zone)
    assert meeting.number == "YP-2026-001"
    assert (meeting.period_start.isoformat(), meeting.period_end.isoformat()) == (
        "2026-11-01",
        "2026-12-01",
    )
    assert meeting.status == MeetingStatus.PLANNED
    events = list(
        Event.objects.filter(subject_type="meeting", subject_id=meeting.pk).values_list(
            "action", flat=True
        )
    )
    assert events[0] == "plan" and meeting.version == len(events)


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(zone):
    with pytest.raises(ValidationFailed) as refused:
        plan(
            zone,
            title="",
            starts_at="next week",
            chair="ent-a",
            secretary="nobody",
            units=["zrzy", "xx"],
            period_start="2026-11-30",
            period_end="2026-11-01",
        )
    assert set(refused.value.fields) == {"title", "starts_at", "chair", "secretary", "units"}
    with pytest.raises(ValidationFailed) as refused:
        plan(zone, period_start="2026-11-30", period_end="2026-11-01")
    assert set(refused.value.fields) == {"period_end"}
    assert not Meeting.objects.exists()


def test_who_may_call_and_run_a_meeting(zone):
    with pytest.raises(PermissionDenied):
        M.meeting_plan(
            actor=zone.land_staff,
            title="x",
            starts_at="2026-12-03T10:00",
            chair="leader",
            secretary="supervisor",
        )
    meeting = plan(zone)
    with pytest.raises(NotFound):
        M.meeting_freeze(actor=zone.contact, meeting_id=meeting.pk, version=meeting.version)
    with pytest.raises(PermissionDenied):
        M.meeting_freeze(actor=zone.land_staff, meeting_id=meeting.pk, version=meeting.version)
    with pytest.raises(Conflict):
        M.meeting_freeze(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version - 1)
    with pytest.raises(TransitionNotAllowed):
        M.meeting_approve(actor=zone.leader, meeting_id=meeting.pk, version=meeting.version)


def test_the_frozen_agenda_goes_to_the_participants_and_units_and_leaves_out_what_was_not_accepted(
    zone,
):
    d = dispatched_by_default(zone, at(2026, 11, 2, 9, 0))  # a month overdue: proposed
    meeting = plan(zone)
    proposed = AgendaItem.objects.get(meeting=meeting, demand=d)
    assert proposed.status == ItemStatus.PROPOSED
    with pytest.raises(ValidationFailed):  # nothing accepted yet
        M.meeting_freeze(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version)
    meeting, mine = added(zone, meeting)
    meeting = M.meeting_freeze(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=CALLED
    )
    assert meeting.status == MeetingStatus.AGENDA_FROZEN
    proposed.refresh_from_db()
    assert proposed.status == ItemStatus.DROPPED
    told = Notification.objects.filter(kind="meeting.agenda", channel=Channel.INBOX)
    assert {n.recipient.username for n in told} == {
        "leader",
        "supervisor",
        "officer",
        "unit-zrzy",
        "unit-zjj",
    }
    assert "1. 调整用地类诉求的默认主办单位" in told[0].body
    with pytest.raises(TransitionNotAllowed):  # the agenda is fixed now
        M.agenda_item_add(
            actor=zone.supervisor,
            meeting_id=meeting.pk,
            version=meeting.version,
            title="迟到的议题",
        )


def test_a_routing_change_takes_effect_only_when_the_minutes_are_approved(zone):
    meeting, item = frozen(zone)
    meeting = decide(
        zone,
        meeting,
        item,
        decision="用地类诉求改由住建局牵头",
        rule_changes=[{"category": "land", "field": "default_lead_unit", "value": "zjj"}],
    )
    meeting = M.meeting_hold(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=HELD
    )
    # Decided and held, not approved: demands still go to natural resources.
    assert dispatched_by_default(zone, HELD + timedelta(minutes=30)).lead_unit == zone.land
    with pytest.raises(PermissionDenied):  # the secretary does not approve the minutes
        M.meeting_approve(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version)
    meeting = M.meeting_approve(
        actor=zone.leader,
        meeting_id=meeting.pk,
        version=meeting.version,
        at=HELD + timedelta(hours=1),
    )
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    assert Category.objects.get(code="land").default_lead_unit == zone.housing
    assert dispatched_by_default(zone, HELD + timedelta(hours=2)).lead_unit == zone.housing
    history = Event.objects.get(subject_type="category", subject_id=zone.category.pk)
    assert (history.action, history.actor, history.reason) == (
        "rule-change",
        zone.leader,
        "用地类诉求改由住建局牵头",
    )
    assert history.payload["meeting"] == meeting.number
    assert (history.payload["from"], history.payload["to"]) == ("zrzy", "zjj")
    assert RuleChange.objects.get().previous == "zrzy"


def test_a_time_limit_change_applies_to_demands_dispatched_after_approval(zone):
    meeting, item = frozen(zone)
    meeting = decide(
        zone,
        meeting,
        item,
        rule_changes=[{"category": "land", "field": "resolution_days", "value": "3"}],
    )
    hold_and_approve(zone, meeting)
    assert Category.objects.get(code="land").resolution_days == Decimal("3.00")


def test_a_bad_decision_is_refused_per_field_and_the_item_keeps_what_it_had(zone):
    meeting, item = frozen(zone)
    with pytest.raises(ValidationFailed) as refused:
        decide(
            zone,
            meeting,
            item,
            action_items=[
                {
                    "title": "",
                    "lead_unit": "zrzy",
                    "co_units": ["zrzy"],
                    "working_days": 0,
                    "closing_rule": "经督查室确认",
                }
            ],
            rule_changes=[{"category": "land", "field": "resolution_days", "value": "-2"}],
        )
    assert set(refused.value.fields) == {
        "action_items.0.title",
        "action_items.0.co_units",
        "action_items.0.working_days",
        "rule_changes.0.value",
    }
    item.refresh_from_db()
    assert (
        item.decision == "" and not ActionItem.objects.exists() and not RuleChange.objects.exists()
    )


def test_the_record_closes_only_with_a_decision_on_every_item(zone):
    meeting, item = frozen(zone)
    with pytest.raises(ValidationFailed) as refused:
        M.meeting_hold(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version)
    assert "1" in refused.value.message


def test_an_action_item_is_opened_on_approval_and_tracked_like_a_demand(zone):
    """Decided on Thu 12-03, approved 12:00 with 2 working days: due Mon 12-07 12:00. Never
    signed for: the first-contact deadline (1 working hour, 14:30) raises the reminder, the
    yellow and the red notice as any demand's would; it counts for zrzy in December."""
    meeting, item = frozen(zone)
    meeting = decide(
        zone,
        meeting,
        item,
        action_items=[
            {
                "title": "梳理用地红线复核流程",
                "lead_unit": "zrzy",
                "co_units": ["zjj"],
                "owner": "unit-zrzy",
                "working_days": 2,
                "closing_rule": "流程印发并经督查室确认",
            }
        ],
    )
    approved_at = at(2026, 12, 3, 12, 0)
    meeting = M.meeting_hold(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=HELD
    )
    M.meeting_approve(
        actor=zone.leader, meeting_id=meeting.pk, version=meeting.version, at=approved_at
    )
    planned = ActionItem.objects.get()
    tracked = planned.demand
    assert tracked.kind == Kind.ACTION_ITEM and tracked.number == "DB-2026-00001"
    assert (
        tracked.status == Status.DISPATCHED
        and tracked.lead_unit == zone.land
        and tracked.enterprise is None
    )
    assert tracked.resolution_due_at == at(2026, 12, 7, 12, 0)
    assert "流程印发并经督查室确认" in tracked.description
    opened = Event.objects.get(subject_type="demand", subject_id=tracked.pk)
    assert opened.payload["meeting"] == meeting.number
    raised = sweep_every_quarter(at(2026, 12, 3, 12, 15), at(2026, 12, 3, 17, 30))
    assert [levels for _, levels in raised] == [{Level.REMINDER: 1}, {Level.YELLOW: 1}]
    raised = sweep_every_quarter(at(2026, 12, 4, 8, 30), at(2026, 12, 4, 12, 0))
    assert [levels for _, levels in raised] == [{Level.RED: 1}]
    assert {n.demand_id for n in SupervisionNotice.objects.all()} == {tracked.pk}
    december = Period(date(2026, 12, 1), date(2027, 1, 1))
    card = {u.code: u for u in scorecard_compute(period=december, now=at(2026, 12, 8, 9, 0)).units}
    assert card["zrzy"].counts["lead"] == 1
    assert (
        card["zrzy"].counts["first_contact_due"],
        card["zrzy"].counts["first_contact_on_time"],
    ) == (1, 0)
    assert card["zrzy"].counts["co"] == 0 and card["zjj"].counts["co"] == 1


def test_the_categorys_admin_page_shows_the_change_and_the_meeting(zone, client):
    meeting, item = frozen(zone)
    meeting = decide(
        zone, meeting, item, decision="用地类诉求改由住建局牵头",
        rule_changes=[{"category": "land", "field": "default_lead_unit", "value": "zjj"}],
    )
    meeting = hold_and_approve(zone, meeting)
    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    page = client.get(f"/admin/org/category/{zone.category.pk}/change/").content.decode()
    assert "default_lead_unit: zrzy → zjj" in page
    assert meeting.number in page and "用地类诉求改由住建局牵头" in page


def test_an_action_item_reports_its_progress_every_month_until_it_is_replied(zone):
    """Opened Mon 12-07 09:00 with 60 working days: the first report is due 01-07 09:00; the
    report of 12-28 sets the next one a month on, 01-28; the reply ends the reports."""
    meeting, item = frozen(zone)
    meeting = decide(
        zone, meeting, item,
        action_items=[{"title": "推进标准地出让改革", "lead_unit": "zrzy", "working_days": 60,
                       "closing_rule": "改革方案印发"}],
    )
    meeting = M.meeting_hold(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=HELD)
    M.meeting_approve(actor=zone.leader, meeting_id=meeting.pk, version=meeting.version, at=at(2026, 12, 7, 9, 0))
    d = ActionItem.objects.get().demand
    assert d.interim_reply_due_at == at(2027, 1, 7, 9, 0)
    d = S.demand_respond(actor=zone.land_staff, demand_id=d.pk, version=d.version, note="已签收", at=at(2026, 12, 7, 9, 30),
                         method="visit", contact_with="李经理")
    assert d.next_due_at == at(2027, 1, 7, 9, 0)
    d = S.demand_assess(actor=zone.land_staff, demand_id=d.pk, version=d.version, assessment="方案初稿完成",
                        at=at(2026, 12, 28, 10, 0))
    assert (d.interim_reply_due_at, d.next_due_at) == (at(2027, 1, 28, 10, 0), at(2027, 1, 28, 10, 0))
    raised = sweep_every_quarter(at(2027, 1, 28, 9, 0), at(2027, 1, 28, 10, 0))
    assert raised == [(at(2027, 1, 28, 9, 0), {Level.REMINDER: 1}), (at(2027, 1, 28, 10, 0), {Level.YELLOW: 1})]
    assert {n.kind for n in SupervisionNotice.objects.all()} == {"interim_reply"}
    d.refresh_from_db()
    d = S.demand_reply(actor=zone.land_staff, demand_id=d.pk, version=d.version, reply="方案已印发", at=at(2027, 1, 29, 9, 0))
    assert d.next_due_at is None  # replied: the service team confirms it closed


def test_a_difficult_case_is_on_the_next_agenda_from_the_start(zone):
    d = dispatched_by_default(zone, at(2026, 11, 30, 9, 0))
    d = S.demand_escalate(actor=zone.officer, demand_id=d.pk, version=d.version, reason="涉及多个部门",
                          at=at(2026, 11, 30, 9, 30))
    meeting = plan(zone)
    item = AgendaItem.objects.get(meeting=meeting, demand=d)
    assert (item.source, item.status) == ("difficult", ItemStatus.ACCEPTED)
    meeting = M.meeting_freeze(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=CALLED)
    assert meeting.status == MeetingStatus.AGENDA_FROZEN  # the case alone makes an agenda


def test_an_item_is_accepted_once_and_a_demand_is_on_the_agenda_once(zone):
    d = dispatched_by_default(zone, at(2026, 11, 2, 9, 0))  # overdue: proposed by the rules
    meeting = plan(zone)
    item = AgendaItem.objects.get(meeting=meeting, demand=d)
    meeting = M.agenda_item_accept(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, item=item.pk)
    with pytest.raises(ValidationFailed):
        M.agenda_item_accept(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, item=item.pk)
    with pytest.raises(ValidationFailed) as refused:
        M.agenda_item_add(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version,
                          title="再议此诉求", demand=d.number)
    assert "demand" in refused.value.fields
    assert AgendaItem.objects.filter(meeting=meeting, demand=d).count() == 1
    assert Meeting.objects.get(pk=meeting.pk).version == meeting.version
