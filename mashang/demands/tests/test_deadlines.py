"""Deadlines as a unit notices them: the clock pauses while the enterprise is asked, an approved
extension moves the resolution deadline in working days, a second round starts fresh clocks,
a category's own limits apply, and no deadline ever falls on a holiday or outside office hours.

Office hours are 08:30–12:00 and 14:00–17:30, so a working day has 7 working hours.
March 2026 has no holiday; 15–23 Feb 2026 is the Spring Festival (Sat 14 and Sat 28 Feb are
make-up working days); 1–7 Oct 2026 is National Day (Sat 10 Oct is a make-up working day).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import chinese_calendar
import pytest

from mashang.audit.models import Event
from mashang.demands import deadlines
from mashang.demands.models import Status
from mashang.demands.transitions import Action
from mashang.workcal.selectors import calendar_get
from tests.kit.clocks import CST, at
from tests.kit.factories import CategoryFactory
from tests.kit.walk import act, submit

HOUR = timedelta(hours=1)
DAY = 7 * HOUR  # one working day of the zone


def dispatched(zone, when: datetime, *, category: str = "land"):
    """A demand filed 20 minutes and triaged 10 minutes before ``when``, dispatched at ``when``."""
    demand = submit(zone, when=when - 20 * timedelta(minutes=1))
    demand = act(
        zone,
        Action.TRIAGE,
        "officer",
        demand,
        when=when - 10 * timedelta(minutes=1),
        category=category,
    )
    return act(
        zone,
        Action.DISPATCH,
        "officer",
        demand,
        when=when,
        lead_unit=demand.category.default_lead_unit.code,
        co_units=[],
    )


def unit_deadlines(demand) -> tuple[datetime, datetime, datetime]:
    return demand.first_response_due_at, demand.interim_reply_due_at, demand.resolution_due_at


def test_waiting_on_the_enterprise_pauses_the_clock_in_working_time(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))  # Monday
    assert unit_deadlines(demand) == (
        at(2026, 3, 2, 10, 0),
        at(2026, 3, 5, 9, 0),
        at(2026, 3, 9, 9, 0),
    )
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 2, 9, 30))

    # Thursday 10:00 the unit asks the enterprise; the interim reply (Thu 09:00) is already late.
    demand = act(zone, Action.WAIT, "land_staff", demand, when=at(2026, 3, 5, 10, 0))
    assert demand.status == Status.WAITING and demand.next_due_at is None

    # The answer comes on Monday 10:00: four calendar days, but two working days.
    demand = act(zone, Action.RESUME, "contact", demand, when=at(2026, 3, 9, 10, 0))
    assert demand.status == Status.IN_PROGRESS
    # The resolution deadline (Mon 09:00) had 13 working hours left at the pause; they are left
    # again from Monday 10:00: 5.5 h on Monday, 7 h on Tuesday, 0.5 h on Wednesday.
    assert demand.resolution_due_at == at(2026, 3, 11, 9, 0)
    cal = calendar_get()
    assert cal.working_time_between(at(2026, 3, 9, 9, 0), demand.resolution_due_at) == 2 * DAY
    assert demand.resolution_due_at - at(2026, 3, 9, 9, 0) == timedelta(
        days=2
    )  # not the 4 days paused
    # Missed before the pause stays missed; met before the pause stays as it was.
    assert demand.interim_reply_due_at == at(2026, 3, 5, 9, 0)
    assert demand.first_response_due_at == at(2026, 3, 2, 10, 0)
    assert demand.next_due_at == at(2026, 3, 5, 9, 0)
    resume = Event.objects.filter(
        subject_type="demand", subject_id=demand.pk, action=Action.RESUME
    ).get()
    assert resume.payload["paused_working_minutes"] == 2 * 7 * 60
    assert (resume.from_state, resume.to_state) == (Status.WAITING, Status.IN_PROGRESS)


def test_a_pause_outside_office_hours_moves_nothing(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 2, 9, 30))
    before = unit_deadlines(demand)
    demand = act(zone, Action.WAIT, "land_staff", demand, when=at(2026, 3, 2, 18, 0))
    demand = act(zone, Action.RESUME, "land_staff", demand, when=at(2026, 3, 3, 8, 0))
    assert unit_deadlines(demand) == before


def test_a_pause_over_the_spring_festival_counts_only_the_working_days(zone):
    demand = dispatched(zone, at(2026, 2, 11, 9, 0))  # Wednesday before the holiday
    assert demand.resolution_due_at == at(2026, 2, 25, 9, 0)  # 12, 13, 14 (make-up), 24, 25 Feb
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 2, 11, 9, 30))
    demand = act(zone, Action.WAIT, "land_staff", demand, when=at(2026, 2, 13, 9, 0))
    demand = act(zone, Action.RESUME, "contact", demand, when=at(2026, 2, 24, 9, 0))
    # Paused Fri 13 Feb 09:00 → Tue 24 Feb 09:00: the only working days were 13 and 14 Feb.
    assert demand.resolution_due_at == at(2026, 2, 27, 9, 0)


def test_an_approved_extension_moves_the_resolution_deadline_by_working_days(zone):
    demand = dispatched(zone, at(2026, 2, 9, 9, 0))  # Monday before the Spring Festival
    # 10, 11, 12, 13 Feb and Saturday 14 Feb, a make-up working day.
    assert demand.resolution_due_at == at(2026, 2, 14, 9, 0)
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 2, 9, 9, 10))
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 2, 9, 10, 0), days=3)
    assert demand.resolution_due_at == at(2026, 2, 14, 9, 0)  # asking changes nothing yet
    demand = act(zone, Action.APPROVE_EXTENSION, "supervisor", demand, when=at(2026, 2, 9, 11, 0))
    # Three working days after the holiday: 24, 25 and 26 Feb.
    assert demand.resolution_due_at == at(2026, 2, 26, 9, 0)
    assert demand.extension_requested_days is None
    assert demand.next_due_at == demand.interim_reply_due_at == at(2026, 2, 12, 9, 0)
    # The unit may ask again after a decision.
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 2, 10, 9, 0), days=1)
    demand = act(zone, Action.APPROVE_EXTENSION, "supervisor", demand, when=at(2026, 2, 10, 10, 0))
    assert demand.resolution_due_at == at(2026, 2, 27, 9, 0)


def test_a_refused_extension_leaves_the_deadline(zone):
    demand = dispatched(zone, at(2026, 2, 9, 9, 0))
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 2, 9, 10, 0), days=3)
    demand = act(zone, Action.REFUSE_EXTENSION, "supervisor", demand, when=at(2026, 2, 9, 11, 0))
    assert demand.resolution_due_at == at(2026, 2, 14, 9, 0)
    assert demand.extension_requested_days is None
    refusal = Event.objects.filter(subject_id=demand.pk, action=Action.REFUSE_EXTENSION).get()
    assert refusal.payload == {"days": 3} and refusal.actor == zone.supervisor


def test_reopening_starts_round_two_with_fresh_unit_deadlines(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 2, 9, 30))
    demand = act(zone, Action.ASSESS, "land_staff", demand, when=at(2026, 3, 2, 10, 0))
    demand = act(zone, Action.REPLY, "land_staff", demand, when=at(2026, 3, 3, 10, 0))
    assert demand.next_due_at is None
    demand = act(
        zone,
        Action.CONFIRM,
        "contact",
        demand,
        when=at(2026, 3, 3, 11, 0),
        resolved=False,
        rating="basic",
    )
    assert demand.status == Status.UNRESOLVED
    assert (
        demand.next_due_at == demand.triage_due_at == at(2026, 3, 3, 12, 0)
    )  # the team has an hour
    demand = act(zone, Action.REOPEN, "officer", demand, when=at(2026, 3, 4, 15, 0))
    assert (demand.status, demand.round) == (Status.DISPATCHED, 2)
    # Counted from Wednesday 15:00: an hour; three working days (Thu, Fri, Mon); five (… Wed).
    assert unit_deadlines(demand) == (
        at(2026, 3, 4, 16, 0),
        at(2026, 3, 9, 15, 0),
        at(2026, 3, 11, 15, 0),
    )
    assert demand.first_responded_at is demand.assessed_at is demand.replied_at is None
    assert demand.next_due_at == at(2026, 3, 4, 16, 0)
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 4, 15, 30))
    assert demand.next_due_at == at(2026, 3, 9, 15, 0)


def test_a_category_with_its_own_limits_is_honoured(zone):
    CategoryFactory(
        code="tax",
        name="税务",
        default_lead_unit=zone.housing,
        triage_hours=Decimal("0.5"),
        first_response_hours=2,
        interim_reply_days=4,
        resolution_days=10,
    )
    demand = submit(zone, when=at(2026, 3, 2, 8, 30))
    assert demand.triage_due_at == at(2026, 3, 2, 9, 30)  # the default hour
    demand = act(zone, Action.TRIAGE, "officer", demand, when=at(2026, 3, 2, 8, 45), category="tax")
    assert (
        demand.triage_due_at == demand.next_due_at == at(2026, 3, 2, 9, 0)
    )  # half an hour from filing
    demand = act(
        zone,
        Action.DISPATCH,
        "officer",
        demand,
        when=at(2026, 3, 2, 9, 0),
        lead_unit="",
        co_units=[],
    )
    assert demand.lead_unit == zone.housing  # the category's routing
    assert unit_deadlines(demand) == (
        at(2026, 3, 2, 11, 0),
        at(2026, 3, 6, 9, 0),
        at(2026, 3, 16, 9, 0),
    )

    filed_with_category = submit(zone, when=at(2026, 3, 2, 8, 30), category_code="tax")
    assert filed_with_category.triage_due_at == at(2026, 3, 2, 9, 0)


def test_deadlines_of_a_demand_dispatched_before_the_spring_festival(zone):
    demand = dispatched(zone, at(2026, 2, 13, 16, 0))  # Friday; Saturday 14 Feb is worked
    # 1.5 h left on 13 Feb, 7 h on 14 Feb, then nothing until Tuesday 24 Feb.
    assert unit_deadlines(demand) == (
        at(2026, 2, 13, 17, 0),
        at(2026, 2, 25, 16, 0),
        at(2026, 2, 27, 16, 0),
    )
    demand = dispatched(
        zone, at(2026, 2, 14, 17, 0)
    )  # the make-up Saturday, half an hour before closing
    # Half an hour on 14 Feb; then 24, 25, 26, 27 Feb and Saturday 28 Feb, the next make-up day.
    assert unit_deadlines(demand) == (
        at(2026, 2, 24, 9, 0),
        at(2026, 2, 26, 17, 0),
        at(2026, 2, 28, 17, 0),
    )


def in_office_hours(moment: datetime) -> bool:
    clock = moment.astimezone(CST).time()
    return time(8, 30) < clock <= time(12, 0) or time(14, 0) < clock <= time(17, 30)


@pytest.mark.parametrize(
    "first_day,last_day",
    [
        (datetime(2026, 2, 9, tzinfo=CST), datetime(2026, 3, 2, tzinfo=CST)),  # Spring Festival
        (datetime(2026, 9, 21, tzinfo=CST), datetime(2026, 10, 13, tzinfo=CST)),
    ],  # Mid-Autumn, National Day
    ids=["spring-festival", "national-day"],
)
def test_no_deadline_falls_on_a_holiday_or_outside_office_hours(first_day, last_day, zone):
    cal = calendar_get()
    policies = [
        deadlines.Policy(),
        deadlines.Policy(Decimal("0.5"), Decimal(2), Decimal(4), Decimal(10)),
        deadlines.Policy(Decimal("1.5"), Decimal("0.25"), Decimal("1.5"), Decimal("2.5")),
    ]
    start, checked = first_day, 0
    while start < last_day:  # every 37 minutes, night and day, holiday or not
        for policy in policies:
            dues = [
                deadlines.triage_due(cal, policy, start),
                *deadlines.unit_deadlines(cal, policy, start).values(),
            ]
            for due in dues:
                local = due.astimezone(CST)
                assert chinese_calendar.is_workday(local.date()), (start, policy, local)
                assert in_office_hours(local), (start, policy, local)
                assert due > start
                checked += 1
        start += timedelta(minutes=37)
    assert checked > 9_000


def test_a_pending_extension_lapses_with_the_reply_and_round_two_may_ask_again(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 2, 9, 30))
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 3, 2, 10, 0), days=5)
    demand = act(zone, Action.REPLY, "land_staff", demand, when=at(2026, 3, 3, 10, 0))
    assert demand.extension_requested_days is None
    demand = act(
        zone, Action.CONFIRM, "contact", demand, when=at(2026, 3, 3, 11, 0), resolved=False, rating="basic"
    )
    demand = act(zone, Action.REOPEN, "officer", demand, when=at(2026, 3, 4, 9, 0))
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 3, 4, 9, 30))
    round_two_due = demand.resolution_due_at
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 3, 4, 10, 0), days=2)
    assert demand.extension_requested_days == 2
    demand = act(zone, Action.APPROVE_EXTENSION, "supervisor", demand, when=at(2026, 3, 4, 11, 0))
    assert demand.resolution_due_at == round_two_due + 2 * timedelta(days=1)  # Wed → Fri, no weekend between
