"""The sweep on working time: each level once per deadline, at the instants worked out by hand.

Default settings of these tests (see conftest): a reminder 30 working minutes before a
deadline counted in hours (triage, first contact), 210 before one counted in days (interim
reply, resolution), a red card 210 working minutes after the deadline. Office hours
08:30-12:00 and 14:00-17:30 (7 working hours a day). National Day 2026: 1-7 October off,
Thursday 8 October a working day, Saturday 10 October a make-up working day.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from mashang.audit.models import Event
from mashang.demands.models import Status
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.services import supervision_sweep
from tests.kit.clocks import at
from tests.kit.sweeps import assert_version_counts_events, notices_of, sweep_every_quarter
from tests.kit.walk import act, submit, walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_settings")]


def test_a_triage_deadline_over_national_day_walks_reminder_yellow_red_once_each(zone, people):
    # Filed Wednesday 30 September 17:00, the last working day before the holiday. The
    # triage limit is 1 working hour: 30 minutes are left that day (17:00-17:30), the
    # other 30 on the next working day, Thursday 8 October: due 8 October 09:00.
    demand = submit(zone, when=at(2026, 9, 30, 17, 0))
    assert demand.triage_due_at == at(2026, 10, 8, 9, 0)

    raised = sweep_every_quarter(at(2026, 9, 30, 17, 0), at(2026, 10, 9, 12, 0))

    assert raised == [
        # 30 working minutes before 09:00 on 8 October is 17:30 on 30 September (closing time).
        (at(2026, 9, 30, 17, 30), {Level.REMINDER: 1}),
        # Nothing over the night and the seven days of the holiday; yellow at the deadline.
        (at(2026, 10, 8, 9, 0), {Level.YELLOW: 1}),
        # 210 working minutes after 09:00: 180 until noon, then 30 after 14:00 — 14:30.
        (at(2026, 10, 8, 14, 30), {Level.RED: 1}),
    ]
    notices = notices_of(demand)
    assert [(n.level, n.kind, n.due_at, n.raised_by) for n in notices] == [
        (Level.REMINDER, "triage", at(2026, 10, 8, 9, 0), None),
        (Level.YELLOW, "triage", at(2026, 10, 8, 9, 0), None),
        (Level.RED, "triage", at(2026, 10, 8, 9, 0), None),
    ]
    assert all(n.unit == people.team for n in notices)
    assert_version_counts_events(demand)
    events = Event.objects.filter(subject_type="demand", subject_id=demand.pk, action="notice")
    assert [(e.payload["level"], e.payload["kind"], e.actor) for e in events.order_by("id")] == [
        ("reminder", "triage", None),
        ("yellow", "triage", None),
        ("red", "triage", None),
    ]
    assert events.first().payload["due_at"] == "2026-10-08T09:00:00+08:00"


def _resolution_pending(zone, when):
    """Dispatched at ``when``, first contact and assessment at once: the resolution deadline runs."""
    demand = submit(zone, when=when - timedelta(minutes=10))
    demand = act(zone, "triage", "officer", demand, when=when - timedelta(minutes=5))
    demand = act(zone, "dispatch", "officer", demand, when=when)
    demand = act(zone, "respond", "land_staff", demand, when=when + timedelta(minutes=5))
    return act(zone, "assess", "land_staff", demand, when=when + timedelta(minutes=10))


def test_a_resolution_deadline_over_a_weekend_and_a_night_then_an_extension_starts_a_new_cycle(
    zone, people
):
    # Dispatched Tuesday 13 October 10:00. Resolution in 5 working days of 420 minutes:
    # Tue 330 (10:00-12:00, 14:00-17:30), Wed 420, Thu 420, Fri 420 (1,590), the weekend off,
    # Mon 420 (2,010), Tue 90 more: 08:30 + 90 = 10:00 on Tuesday 20 October.
    demand = _resolution_pending(zone, at(2026, 10, 13, 10, 0))
    assert demand.next_due_at == demand.resolution_due_at == at(2026, 10, 20, 10, 0)

    raised = sweep_every_quarter(at(2026, 10, 13, 10, 15), at(2026, 10, 20, 17, 30))
    assert raised == [
        # 210 working minutes before Tue 10:00: 90 that morning, 120 on Monday — 15:30.
        (at(2026, 10, 19, 15, 30), {Level.REMINDER: 1}),
        (at(2026, 10, 20, 10, 0), {Level.YELLOW: 1}),
        # 210 after 10:00: 120 until noon, 90 after 14:00 — 15:30.
        (at(2026, 10, 20, 15, 30), {Level.RED: 1}),
    ]
    assert {n.kind for n in notices_of(demand)} == {"resolution"}

    # Two more working days: the deadline moves to Thursday 22 October 10:00, a new cycle.
    demand.refresh_from_db()
    demand = act(zone, "extend", "land_staff", demand, when=at(2026, 10, 20, 16, 0), days=2)
    demand = act(zone, "approve-extension", "supervisor", demand, when=at(2026, 10, 20, 16, 5))
    assert demand.next_due_at == at(2026, 10, 22, 10, 0)
    raised = sweep_every_quarter(at(2026, 10, 20, 16, 15), at(2026, 10, 23, 12, 0))
    assert raised == [
        (at(2026, 10, 21, 15, 30), {Level.REMINDER: 1}),
        (at(2026, 10, 22, 10, 0), {Level.YELLOW: 1}),
        (at(2026, 10, 22, 15, 30), {Level.RED: 1}),
    ]
    assert [n.due_at for n in notices_of(demand)] == [at(2026, 10, 20, 10, 0)] * 3 + [
        at(2026, 10, 22, 10, 0)
    ] * 3
    assert_version_counts_events(demand)


def test_a_first_contact_deadline_counts_in_working_hours(zone, people):
    # Dispatched Friday 16 October 17:00: first contact within 1 working hour — 30 minutes
    # that evening, 30 on Monday: due Monday 19 October 09:00; reminder at Friday's closing.
    demand = submit(zone, when=at(2026, 10, 16, 16, 50))
    demand = act(zone, "triage", "officer", demand, when=at(2026, 10, 16, 16, 55))
    demand = act(zone, "dispatch", "officer", demand, when=at(2026, 10, 16, 17, 0))
    assert demand.next_due_at == at(2026, 10, 19, 9, 0)
    raised = sweep_every_quarter(at(2026, 10, 16, 17, 0), at(2026, 10, 19, 15, 0))
    assert raised == [
        (at(2026, 10, 16, 17, 30), {Level.REMINDER: 1}),
        (at(2026, 10, 19, 9, 0), {Level.YELLOW: 1}),
        (at(2026, 10, 19, 14, 30), {Level.RED: 1}),
    ]
    assert {n.kind for n in notices_of(demand)} == {"first_contact"}


def test_sweeping_twice_raises_nothing_more(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))  # triage due 10:00
    first = supervision_sweep(at=at(2026, 10, 12, 10, 0))
    again = supervision_sweep(at=at(2026, 10, 12, 10, 0))
    later = supervision_sweep(at=at(2026, 10, 12, 11, 0))
    assert (first.raised[Level.YELLOW], first.total) == (1, 1)
    assert (again.candidates, again.total) == (0, 0)
    assert (later.candidates, later.total) == (0, 0)
    assert len(notices_of(demand)) == 1
    assert_version_counts_events(demand)


def test_a_deadline_first_seen_long_missed_gets_only_the_red_card(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))  # triage due 10:00, never swept
    result = supervision_sweep(at=at(2026, 10, 14, 9, 0))
    assert result.raised == {Level.REMINDER: 0, Level.YELLOW: 0, Level.RED: 1}
    assert [n.level for n in notices_of(demand)] == [Level.RED]
    # An earlier instant does not add a lower level after the fact.
    assert supervision_sweep(at=at(2026, 10, 12, 10, 0)).total == 0


def test_a_waiting_demand_raises_nothing_and_its_clock_resumes_where_it_stopped(zone, people):
    demand = _resolution_pending(zone, at(2026, 10, 13, 10, 0))  # due Tue 20 October 10:00
    demand = act(zone, "wait", "land_staff", demand, when=at(2026, 10, 13, 11, 0))
    assert demand.status == Status.WAITING and demand.next_due_at is None
    assert supervision_sweep(at=at(2026, 11, 30, 9, 0)).total == 0
    assert notices_of(demand) == []
    # Waiting from Tuesday 11:00 to Wednesday 11:00 paused one working day: due Wed 21 October.
    demand = act(zone, "resume", "land_staff", demand, when=at(2026, 10, 14, 11, 0))
    assert demand.next_due_at == at(2026, 10, 21, 10, 0)
    assert supervision_sweep(at=at(2026, 10, 20, 15, 30)).raised[Level.REMINDER] == 1


@pytest.mark.parametrize("status", [Status.REPLIED, Status.CLOSED, Status.WITHDRAWN])
def test_no_running_clock_no_notice(zone, people, status):
    walk_to(zone, status, start=at(2026, 10, 12, 9, 0))
    assert supervision_sweep(at=at(2026, 12, 1, 9, 0)).total == 0
    assert not SupervisionNotice.objects.exists()


def _addressees(notice) -> set[str]:
    return set(notice.addressed_to.values_list("username", flat=True))


def test_unit_notices_go_to_the_lead_unit_and_its_head_and_from_yellow_to_the_supervisors(
    zone, people
):
    demand = walk_to(
        zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0)
    )  # first contact due 10:02
    supervision_sweep(at=at(2026, 10, 12, 9, 45))
    supervision_sweep(at=at(2026, 10, 12, 10, 15))
    reminder, yellow = notices_of(demand)
    assert (reminder.level, reminder.unit) == (Level.REMINDER, zone.land)
    # Not the co-unit, not the inactive member, not the officer.
    assert _addressees(reminder) == {"unit-zrzy", "head-zrzy"}
    assert _addressees(yellow) == {"unit-zrzy", "head-zrzy", "supervisor"}


def test_triage_notices_go_to_the_officers_and_the_head_of_the_service_team(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 9, 30))
    supervision_sweep(at=at(2026, 10, 12, 15, 30))  # due 10:00: 120 + 90 working minutes later
    reminder, red = notices_of(demand)
    assert (reminder.unit, red.level) == (people.team, Level.RED)
    assert _addressees(reminder) == {"officer", "head-team"}
    assert _addressees(red) == {"officer", "head-team", "supervisor"}


def test_without_a_service_team_a_triage_notice_has_no_unit(zone):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 10, 0))
    (notice,) = notices_of(demand)
    assert notice.unit is None and _addressees(notice) == {"officer", "supervisor"}


def test_a_dry_run_counts_and_writes_nothing(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    version = demand.version
    result = supervision_sweep(at=at(2026, 10, 12, 10, 0), dry_run=True)
    assert (result.dry_run, result.candidates, result.raised[Level.YELLOW]) == (True, 1, 1)
    assert notices_of(demand) == [] and result.notice_ids == []
    demand.refresh_from_db()
    assert demand.version == version


def test_the_sweep_between_transitions_keeps_version_equal_to_events(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 9, 30))  # triage reminder
    demand.refresh_from_db()
    demand = act(zone, "triage", "officer", demand, when=at(2026, 10, 12, 9, 40))
    demand = act(zone, "dispatch", "officer", demand, when=at(2026, 10, 12, 9, 45))
    supervision_sweep(at=at(2026, 10, 12, 10, 45))  # first contact (due 10:45) yellow
    demand.refresh_from_db()
    demand = act(zone, "respond", "land_staff", demand, when=at(2026, 10, 12, 11, 0))
    assert [(n.kind, n.level) for n in notices_of(demand)] == [
        ("triage", Level.REMINDER),
        ("first_contact", Level.YELLOW),
    ]
    assert_version_counts_events(demand)


def test_the_command_prints_the_counts(zone, people, capsys):
    submit(zone, when=at(2026, 10, 12, 9, 0))
    call_command("sweep", at="2026-10-12T10:00:00+08:00", dry_run=True)
    assert "将发出提醒 0 条、黄牌 1 张、红牌 0 张（候选诉求 1 条" in capsys.readouterr().out
    call_command("sweep", at="2026-10-12T10:00:00")  # naive: local time
    assert "已发出提醒 0 条、黄牌 1 张、红牌 0 张" in capsys.readouterr().out
    assert SupervisionNotice.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("sweep", at="yesterday")
