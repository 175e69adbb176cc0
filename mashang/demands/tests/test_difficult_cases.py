"""Difficult cases (难题专办): a leader takes an escalation on or sends it back; the case runs on
the demand's own clocks; its reply is signed off by the lead unit's head before it closes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mashang.audit.models import Event
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.demands import services as S
from mashang.demands.models import Assignment, Demand, Status
from mashang.demands.transitions import MSG_SIGN_OFF_FIRST, Action
from mashang.notify.models import Channel, Notification
from tests.kit.walk import act, walk_to, with_head

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
#: Monday 2026-11-02 10:00: ten working days later is Monday 2026-11-16 10:00.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)


def escalated(zone) -> Demand:
    with_head(zone)
    return walk_to(zone, Status.DIFFICULT, start=datetime(2026, 10, 30, 9, 0, tzinfo=TZ))


def test_a_leader_assigns_a_case_with_a_coordinator_units_and_a_deadline_in_working_days(zone):
    demand = escalated(zone)
    case = S.demand_assign_case(
        actor=zone.leader, demand_id=demand.pk, version=demand.version, coordinator="supervisor",
        lead_unit="zjj", co_units=["zrzy"], working_days=10, note="请住建牵头，两周内办结", at=MONDAY,
    )
    assert case.status == Status.DISPATCHED
    assert case.coordinator == zone.supervisor
    assert case.lead_unit == zone.housing
    assert case.resolution_due_at == datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
    current = {
        a.unit.code: a.role for a in Assignment.objects.filter(demand=case, is_current=True).select_related("unit")
    }
    assert current == {"zjj": Assignment.Role.LEAD, "zrzy": Assignment.Role.CO}
    event = Event.objects.filter(subject_type="demand", subject_id=case.pk).latest("id")
    assert (event.action, event.from_state, event.to_state) == ("assign-case", "difficult", "dispatched")
    assert event.payload["coordinator"] == "supervisor" and event.payload["working_days"] == 10
    # The new lead unit and the coordinator hear of it.
    told = set(
        Notification.objects.filter(kind="demand.case_assigned", channel=Channel.INBOX).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"unit-zjj", "unit-zrzy", "head-zrzy", "supervisor"}


def test_an_assignment_refuses_bad_input_field_by_field_and_changes_nothing(zone):
    demand = escalated(zone)
    for bad, field in (
        ({"coordinator": "ent-a"}, "coordinator"),  # an enterprise contact cannot coordinate
        ({"working_days": 0}, "working_days"),
        ({"working_days": 91}, "working_days"),
        ({"lead_unit": "nope"}, "lead_unit"),
        ({"co_units": ["zrzy"]}, "co_units"),  # the lead among the co-units
    ):
        args = {"coordinator": "supervisor", "lead_unit": "zrzy", "co_units": [], "working_days": 5, **bad}
        with pytest.raises(ValidationFailed) as refused:
            S.demand_assign_case(actor=zone.leader, demand_id=demand.pk, version=demand.version, **args)
        assert field in refused.value.fields, bad
    assert Demand.objects.get(pk=demand.pk).version == demand.version


def test_only_a_leader_decides_a_case(zone):
    demand = escalated(zone)
    for person in ("officer", "supervisor", "land_staff"):
        with pytest.raises(PermissionDenied):
            act(zone, Action.ASSIGN_CASE, person, demand)


def test_a_declined_case_goes_back_to_the_service_team_with_the_reason(zone):
    demand = escalated(zone)
    back = S.demand_decline_case(
        actor=zone.leader, demand_id=demand.pk, version=demand.version, reason="属一般诉求", at=MONDAY
    )
    assert back.status == Status.TRIAGED and back.coordinator is None
    assert back.triage_due_at > MONDAY
    assert Event.objects.filter(subject_id=back.pk, action="decline-case", reason="属一般诉求").exists()
    # The service team dispatches it as any demand.
    again = act(zone, Action.DISPATCH, "officer", back)
    assert again.status == Status.DISPATCHED


def test_a_case_closes_only_after_the_lead_unit_heads_sign_off(zone):
    demand = escalated(zone)
    case = act(zone, Action.ASSIGN_CASE, "leader", demand)
    case = act(zone, Action.RESPOND, "land_staff", case)
    case = act(zone, Action.REPLY, "land_staff", case)
    with pytest.raises(Conflict) as refused:
        act(zone, Action.CONFIRM, "contact", case)
    assert refused.value.message == str(MSG_SIGN_OFF_FIRST)
    with pytest.raises(PermissionDenied):
        act(zone, Action.SIGN_OFF, "land_staff", case)  # staff, not the head
    case = act(zone, Action.SIGN_OFF, "land_head", case)
    assert case.signed_off_by == zone.land_head and case.signed_off_at is not None
    closed = act(zone, Action.CONFIRM, "contact", case)
    assert closed.status == Status.CLOSED


def test_a_reopened_case_needs_a_new_sign_off(zone):
    demand = escalated(zone)
    case = act(zone, Action.ASSIGN_CASE, "leader", demand)
    case = act(zone, Action.RESPOND, "land_staff", case)
    case = act(zone, Action.REPLY, "land_staff", case)
    case = act(zone, Action.SIGN_OFF, "land_head", case)
    case = act(zone, Action.CONFIRM, "contact", case, resolved=False, rating="unsatisfied")
    case = act(zone, Action.REOPEN, "contact", case)
    case = act(zone, Action.RESPOND, "land_staff", case)
    case = act(zone, Action.REPLY, "land_staff", case)
    assert case.signed_off_at is None
    with pytest.raises(Conflict):
        act(zone, Action.CONFIRM, "contact", case)


def test_a_case_past_its_deadline_is_overdue_like_any_demand(zone):
    """The case runs on the demand's clocks: its next deadline is the first contact, then the
    case's own resolution deadline."""
    demand = escalated(zone)
    case = S.demand_assign_case(
        actor=zone.leader, demand_id=demand.pk, version=demand.version, coordinator="supervisor",
        lead_unit="zrzy", working_days=3, at=MONDAY,
    )
    assert case.next_due_at == case.first_response_due_at
    case = act(zone, Action.RESPOND, "land_staff", case, when=datetime(2026, 11, 2, 10, 30, tzinfo=TZ))
    assert case.resolution_due_at == datetime(2026, 11, 5, 10, 0, tzinfo=TZ)
    assert case.next_due_at <= case.resolution_due_at
