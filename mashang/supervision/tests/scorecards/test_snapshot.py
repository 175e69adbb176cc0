"""A scorecard read from its snapshot is the scorecard a computation gives at that moment.

The snapshot may only save time: whatever happens to the period's demands, and however the
clock moves past their deadlines, the figures read must be those of a fresh computation.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from mashang.demands import services as S
from mashang.demands.models import Demand
from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.formulas import Period
from mashang.supervision.scorecards.models import ScorecardSnapshot
from mashang.supervision.scorecards.snapshot import (
    fingerprint,
    scorecard_figures,
    scorecard_snapshots_clear,
)
from mashang.supervision.tests.scorecards.scenario import NOVEMBER, NOW, _dispatched, _step, build
from mashang.workcal.models import CalendarDay
from tests.kit.clocks import at
from tests.kit.walk import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_rates")]


def _figures(card) -> dict:
    return {u.code: u.figures() for u in card.units}


def _fresh(period, now) -> dict:
    """What a computation gives, with no snapshot to read."""
    scorecard_snapshots_clear()
    return _figures(sel.scorecard_compute(period=period, now=now))


def _aggregates_run(queries) -> int:
    """How many of ``queries`` aggregated the period's demands (what a snapshot saves)."""
    return sum(1 for q in queries if "GROUP BY" in q["sql"] and "lead_unit_id" in q["sql"])


def test_a_second_read_comes_from_the_snapshot_with_the_same_figures(zone):
    build(zone)
    first = _figures(sel.scorecard_compute(period=NOVEMBER, now=NOW))
    # Every day of November on which demands were filed, and the month's working hours.
    assert ScorecardSnapshot.objects.filter(part="counts").count() == 8  # 2–5, 9–12 November
    assert ScorecardSnapshot.objects.filter(part="hours", period_from=NOVEMBER.start).exists()

    with CaptureQueriesContext(connection) as queries:
        again = sel.scorecard_compute(period=NOVEMBER, now=NOW + timedelta(days=3))
    assert _aggregates_run(queries.captured_queries) == 0
    assert _figures(again) == first
    assert again.unit("zrzy").counts["led"] == 4


def test_a_change_to_a_demand_of_the_period_shows_at_once(zone):
    built = build(zone)
    before = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    assert before.unit("zjj").counts["confirmed"] == 3  # B3 awaits its confirmation

    b3 = Demand.objects.get(pk=built.demands["B3"].pk)
    _step(S.demand_confirm, zone.contact, b3, NOW + timedelta(minutes=5), resolved=True, rating="satisfied")

    after = sel.scorecard_compute(period=NOVEMBER, now=NOW + timedelta(minutes=10))
    zjj = after.unit("zjj")
    assert (zjj.counts["confirmed"], zjj.counts["rated"], zjj.counts["satisfied"]) == (4, 4, 2)
    assert _figures(after) == _fresh(NOVEMBER, NOW + timedelta(minutes=10))


def test_a_passing_deadline_changes_the_figures_though_no_demand_changed(zone):
    # Monday 2 November: dispatched at 09:00 and 09:30, first contact due at 10:00 and 10:30.
    _dispatched(zone, at(2026, 11, 2, 9, 0), "zrzy")
    _dispatched(zone, at(2026, 11, 2, 9, 30), "zrzy")

    due_counts = []
    moment = at(2026, 11, 2, 9, 45)
    while moment <= at(2026, 11, 2, 11, 0):
        read = sel.scorecard_compute(period=NOVEMBER, now=moment)
        due_counts.append(read.unit("zrzy").counts["first_contact_due"])
        assert _figures(read) == _fresh(NOVEMBER, moment), moment
        sel.scorecard_compute(period=NOVEMBER, now=moment)  # keep a snapshot for the next step
        moment += timedelta(minutes=15)
    # 09:45 10:00 | 10:15 10:30 | 10:45 11:00 — a deadline counts once it has passed.
    assert due_counts == [0, 0, 1, 1, 2, 2]


def test_a_snapshot_is_not_read_back_in_time(zone):
    _dispatched(zone, at(2026, 11, 2, 9, 0), "zrzy")
    late = sel.scorecard_compute(period=NOVEMBER, now=at(2026, 11, 2, 11, 0))
    assert late.unit("zrzy").counts["first_contact_due"] == 1
    early = sel.scorecard_compute(period=NOVEMBER, now=at(2026, 11, 2, 9, 30))
    assert early.unit("zrzy").counts["first_contact_due"] == 0


def test_figures_computed_while_a_demand_changed_are_not_kept(zone):
    demand = _dispatched(zone, at(2026, 11, 2, 9, 0), "zrzy")
    day = date(2026, 11, 2)

    def counts_while_the_unit_responds(span):
        _step(S.demand_respond, zone.land_staff, demand, at(2026, 11, 2, 9, 20), method="phone", contact_with="李经理")
        return {day: {zone.land.pk: {"led": 1, "first_contact_due": 0}}}, {day: None}

    figures = scorecard_figures(
        NOVEMBER,
        at(2026, 11, 2, 9, 30),
        full=True,
        compute_counts=counts_while_the_unit_responds,
        compute_hours=dict,
    )
    assert figures[zone.land.pk]["counts"]["first_contact_due"] == 0  # what that computation saw
    assert not ScorecardSnapshot.objects.exists()
    read = sel.scorecard_compute(period=NOVEMBER, now=at(2026, 11, 2, 9, 30))
    assert read.unit("zrzy").counts["first_contact_due"] == 1  # contacted at 09:20


def test_after_one_demand_changed_only_its_day_is_computed_again(zone):
    built = build(zone)
    sel.scorecard_compute(period=NOVEMBER, now=NOW)
    b3 = Demand.objects.get(pk=built.demands["B3"].pk)  # filed Wednesday 11 November
    _step(S.demand_confirm, zone.contact, b3, NOW + timedelta(minutes=5), resolved=True, rating="satisfied")

    later = NOW + timedelta(minutes=10)
    with CaptureQueriesContext(connection) as queries:
        read = sel.scorecard_compute(period=NOVEMBER, now=later)
    # The lead-unit counts of one day computed again — 11 November, from local midnight to
    # local midnight (16:00 UTC) — not of the month.
    counted = [q["sql"] for q in queries.captured_queries if 'AS "led"' in q["sql"]]
    assert len(counted) == 1
    bounds = re.findall(r"2026-11-\d\d.\d\d:00:00", counted[0])  # as UTC (SQLite) or local time
    assert set(bounds) in ({"2026-11-10 16:00:00", "2026-11-11 16:00:00"}, {"2026-11-11 00:00:00", "2026-11-12 00:00:00"})
    assert _figures(read) == _fresh(NOVEMBER, later)


def test_a_new_demand_changes_the_fingerprint_of_its_period_only(zone):
    build(zone)
    october = Period(date(2026, 10, 1), date(2026, 11, 1))
    november, before = fingerprint(NOVEMBER), fingerprint(october)
    _dispatched(zone, at(2026, 11, 20, 9, 0), "zjj")
    assert fingerprint(NOVEMBER) != november
    assert fingerprint(october) == before


def test_the_lead_counts_of_the_trend_are_served_by_a_full_snapshot(zone):
    build(zone)
    sel.scorecard_compute(period=NOVEMBER, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        series = sel.trend(actor=zone.supervisor, period=NOVEMBER, now=NOW)
    computed_periods = _aggregates_run(queries.captured_queries)
    expected = sel.scorecard_compute(period=NOVEMBER, now=NOW).unit("zrzy").composite
    assert series["units"]["zrzy"]["composite"][-1] == expected
    # Six months drawn: November and October (its ranking was needed for November's rank
    # change) read from their snapshots; the four months before have no demands to count.
    assert computed_periods == 0


def test_recomputed_working_times_reach_a_kept_scorecard(zone):
    september = Period(date(2026, 9, 1), date(2026, 10, 1))
    demand = _dispatched(zone, at(2026, 9, 30, 16, 30), "zrzy")  # one working hour left that day
    demand = _step(S.demand_respond, zone.land_staff, demand, at(2026, 10, 8, 9, 30), method="phone", contact_with="李经理")
    _step(S.demand_reply, zone.land_staff, demand, at(2026, 10, 10, 10, 0), reply="已办理")
    now = at(2026, 10, 12, 9, 0)
    assert sel.scorecard_compute(period=september, now=now).unit("zrzy").hours["reply_hours_median"] == 16.5

    # The zone decides afterwards that Friday 9 October was a day off, and recomputes.
    CalendarDay.objects.create(date=date(2026, 10, 9), is_working_day=False, note="区内调整")
    call_command("working_hours")

    assert sel.scorecard_compute(period=september, now=now).unit("zrzy").hours["reply_hours_median"] == 9.5


def test_a_range_of_almost_two_years_is_scored_and_read_back(zone):
    build(zone)
    long = Period(date(2025, 1, 1), date(2026, 12, 1))  # 699 days: fingerprints in two statements
    card = sel.scorecard_compute(period=long, now=NOW)
    assert (card.unit("zrzy").counts["led"], card.unit("zjj").counts["led"]) == (5, 5)  # with October's
    with CaptureQueriesContext(connection) as queries:
        again = sel.scorecard_compute(period=long, now=NOW)
    assert _aggregates_run(queries.captured_queries) == 0
    assert _figures(again) == _figures(card)


def test_days_computed_again_across_kept_ones_count_once(zone, monkeypatch):
    built = build(zone)
    sel.scorecard_compute(period=NOVEMBER, now=NOW)
    # Changes on 2 and 9 November; with one span allowed, 2–9 November is computed again,
    # the days kept in between (3, 4, 5) included.
    monkeypatch.setattr("mashang.supervision.scorecards.snapshot.MAX_SPANS", 1)
    for name in ("A1", "A5"):
        Demand.objects.filter(pk=built.demands[name].pk).update(version=F("version") + 1)
    read = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    assert read.unit("zrzy").counts["led"] == 4
    assert _figures(read) == _fresh(NOVEMBER, NOW)


def test_a_demand_filed_before_dawn_belongs_to_its_local_day(zone):
    # Filed at 07:00 on Tuesday 3 November, local time: still Monday 2 November in UTC.
    demand = submit(zone, when=at(2026, 11, 3, 7, 0))
    demand = _step(S.demand_triage, zone.officer, demand, at(2026, 11, 3, 8, 45), category="land")
    demand = _step(S.demand_dispatch, zone.officer, demand, at(2026, 11, 3, 9, 0), lead_unit="zrzy")
    early = sel.scorecard_compute(period=NOVEMBER, now=at(2026, 11, 3, 9, 30))
    assert early.unit("zrzy").counts["first_contact_due"] == 0

    _step(S.demand_respond, zone.land_staff, demand, at(2026, 11, 3, 9, 40), method="phone", contact_with="李经理")
    read = sel.scorecard_compute(period=NOVEMBER, now=at(2026, 11, 3, 9, 45))
    zrzy = read.unit("zrzy")
    assert (zrzy.counts["first_contact_due"], zrzy.counts["first_contact_on_time"]) == (1, 1)
    assert _figures(read) == _fresh(NOVEMBER, at(2026, 11, 3, 9, 45))
