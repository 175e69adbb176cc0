"""The working time to first contact and to reply that each demand stores for the scorecards."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management import call_command

from mashang.audit.models import Event
from mashang.demands.models import Demand
from mashang.demands.transitions import Action
from mashang.demands.working_hours import working_times_recompute
from mashang.workcal.models import CalendarDay
from tests.kit.clocks import at
from tests.kit.walk import act, submit

# Office hours 08:30–12:00 and 14:00–17:30 (7 h a day). 2026: 1–7 October are the National
# Day holidays, Saturday 10 October is a make-up working day.
DISPATCHED = at(2026, 9, 30, 16, 30)  # Wednesday, one working hour left that day
CONTACTED = at(2026, 10, 8, 9, 30)  # Thursday after the holidays: + 1 h
REPLIED = at(2026, 10, 10, 10, 0)  # the make-up Saturday: + 7 h (8th) + 7 h (9th) + 1.5 h


def _dispatched(zone) -> Demand:
    demand = submit(zone, when=at(2026, 9, 30, 15, 0))
    demand = act(zone, Action.TRIAGE, "officer", demand, when=at(2026, 9, 30, 15, 30))
    return act(zone, Action.DISPATCH, "officer", demand, when=DISPATCHED)


def test_contact_and_reply_are_measured_in_working_time_over_the_holiday(zone):
    demand = _dispatched(zone)
    assert demand.first_contact_working_time is None and demand.reply_working_time is None
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=CONTACTED)
    assert demand.first_contact_working_time == timedelta(hours=2)
    assert demand.reply_working_time is None
    demand = act(zone, Action.REPLY, "land_staff", demand, when=REPLIED)
    stored = Demand.objects.get(pk=demand.pk)
    assert stored.first_contact_working_time == timedelta(hours=2)
    assert stored.reply_working_time == timedelta(hours=16, minutes=30)
    # Storing them is part of the moves: still one event per version.
    assert Event.objects.filter(subject_type="demand", subject_id=demand.pk).count() == stored.version


def test_a_new_round_measures_again_from_its_own_start(zone):
    demand = _dispatched(zone)
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=CONTACTED)
    demand = act(zone, Action.REPLY, "land_staff", demand, when=REPLIED)
    demand = act(
        zone, Action.CONFIRM, "contact", demand, when=at(2026, 10, 12, 9, 0), resolved=False, rating="unsatisfied"
    )
    demand = act(zone, Action.REOPEN, "officer", demand, when=at(2026, 10, 12, 10, 0))
    assert demand.first_contact_working_time is None and demand.reply_working_time is None
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 10, 12, 14, 30))
    # 10:00–12:00 and 14:00–14:30 of the same Monday.
    assert Demand.objects.get(pk=demand.pk).first_contact_working_time == timedelta(hours=2, minutes=30)


def test_recomputing_after_a_late_calendar_change(zone):
    demand = _dispatched(zone)
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=CONTACTED)
    demand = act(zone, Action.REPLY, "land_staff", demand, when=REPLIED)
    untouched = submit(zone, when=at(2026, 10, 9, 9, 0))  # never dispatched: nothing to measure

    # The zone decides afterwards that Friday 9 October was a day off.
    CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, note="区内调整")
    assert Demand.objects.get(pk=demand.pk).reply_working_time == timedelta(hours=16, minutes=30)
    call_command("working_hours", since="2026-09-01")

    stored = Demand.objects.get(pk=demand.pk)
    assert stored.reply_working_time == timedelta(hours=9, minutes=30)
    assert stored.first_contact_working_time == timedelta(hours=2)
    assert Demand.objects.get(pk=untouched.pk).reply_working_time is None


def test_recompute_leaves_demands_filed_before_since_alone(zone):
    demand = _dispatched(zone)
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=CONTACTED)
    Demand.objects.filter(pk=demand.pk).update(first_contact_working_time=None)
    assert working_times_recompute(since=date(2026, 10, 1)) == 0
    assert Demand.objects.get(pk=demand.pk).first_contact_working_time is None
    assert working_times_recompute() == 1
    assert Demand.objects.get(pk=demand.pk).first_contact_working_time == timedelta(hours=2)


def test_working_hours_command_refuses_a_bad_date(zone):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--since 需要日期"):
        call_command("working_hours", since="last week")
