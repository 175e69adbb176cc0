"""The figures of the watch list and the dashboard, worked out by hand on a small set of demands.

The zone's calendar: office hours 08:30-12:00 and 14:00-17:30 (7 working hours a day),
China's statutory holidays. The ``land`` category has the default limits (triage and first
contact 1 working hour, interim reply 3 and resolution 5 working days).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from mashang.demands.deadlines import DeadlineKind, deadline_kind
from mashang.demands.models import Status
from mashang.demands.selectors.dashboard import (
    Period,
    dashboard_get,
    months_between,
    period_default,
)
from mashang.demands.selectors.watch import SERVICE_TEAM, WatchFilters, watch_get
from mashang.demands.transitions import Action
from tests.kit.clocks import at
from tests.kit.factories import CategoryFactory
from tests.kit.walk import act, submit

LEAD_PERSON = {"zrzy": "land_staff", "zjj": "housing_staff"}
MIN = timedelta(minutes=1)


def handled(
    zone,
    filed: datetime,
    *,
    lead: str = "zrzy",
    category: str = "land",
    respond: datetime | None = None,
    reply: datetime | None = None,
    confirm: tuple[datetime, bool, str] | None = None,
):
    """Filed at ``filed``, triaged 5 and dispatched 10 minutes later; then each step at its time."""
    demand = submit(zone, when=filed)
    demand = act(zone, Action.TRIAGE, "officer", demand, when=filed + 5 * MIN, category=category)
    demand = act(
        zone, Action.DISPATCH, "officer", demand, when=filed + 10 * MIN, lead_unit=lead, co_units=[]
    )
    person = LEAD_PERSON[lead]
    if respond:
        demand = act(zone, Action.RESPOND, person, demand, when=respond)
    if reply:
        demand = act(zone, Action.REPLY, person, demand, when=reply)
    if confirm:
        when, resolved, rating = confirm
        demand = act(
            zone, Action.CONFIRM, "contact", demand, when=when, resolved=resolved, rating=rating
        )
    return demand


@pytest.fixture
def figures(zone):
    """Demands of March and April 2026 (2 March is a Monday; 4-6 April is the Qingming holiday).

    Each is filed at 08:50 and dispatched at 09:00, so first contact is due at 10:00 the same
    day and the resolution 5 working days later at 09:00; the interim reply 3 days later.
    """
    CategoryFactory(code="tax", name="税务", default_lead_unit=zone.housing)
    d = {}
    # Natural resources (zrzy), category land.
    # L1: contact 09:30 (due 10:00, on time); reply 4 March (due 9 March 09:00, on time); satisfied.
    d["L1"] = handled(
        zone,
        at(2026, 3, 2, 8, 50),
        respond=at(2026, 3, 2, 9, 30),
        reply=at(2026, 3, 4, 10),
        confirm=(at(2026, 3, 4, 11), True, "satisfied"),
    )
    # L2: contact 11:00 (late); reply 10 March 09:30 (due 9 March 09:00: late); basically satisfied.
    d["L2"] = handled(
        zone,
        at(2026, 3, 2, 8, 50),
        respond=at(2026, 3, 2, 11),
        reply=at(2026, 3, 10, 9, 30),
        confirm=(at(2026, 3, 10, 10), True, "basic"),
    )
    # L3: contact 09:20 and reply 5 March (due 10 March), both on time; not resolved, unsatisfied:
    # back with the service team, whose triage clock (1 h, due 5 March 12:00) has long passed.
    d["L3"] = handled(
        zone,
        at(2026, 3, 3, 8, 50),
        respond=at(2026, 3, 3, 9, 20),
        reply=at(2026, 3, 5, 10),
        confirm=(at(2026, 3, 5, 11), False, "unsatisfied"),
    )
    # L4: dispatched, never contacted: first contact (due 3 March 10:00) and resolution
    # (due 10 March 09:00) both missed, and it is overdue now.
    d["L4"] = handled(zone, at(2026, 3, 3, 8, 50))
    # Housing (zjj), category tax, filed 1 April (a Wednesday).
    # H1: contact 09:40, reply 2 April, satisfied: closed in April.
    d["H1"] = handled(
        zone,
        at(2026, 4, 1, 8, 50),
        lead="zjj",
        category="tax",
        respond=at(2026, 4, 1, 9, 40),
        reply=at(2026, 4, 2, 10),
        confirm=(at(2026, 4, 2, 11), True, "satisfied"),
    )
    # H2: contact 09:59 (on time), in progress. Interim reply: 3 working days from 1 April
    # 09:00 skipping the holiday = 7 April 09:00, overdue at "now"; resolution due 9 April
    # 09:00 is still ahead, so H2 is not counted in the resolution rate yet.
    d["H2"] = handled(
        zone, at(2026, 4, 1, 8, 50), lead="zjj", category="tax", respond=at(2026, 4, 1, 9, 59)
    )
    # S1: filed 2 April, never triaged (no category, no unit); triage due 10:00, overdue now.
    d["S1"] = submit(zone, when=at(2026, 4, 2, 9))
    # M1: a duplicate merged into S1: counted nowhere.
    m1 = submit(zone, when=at(2026, 4, 2, 9, 10))
    d["M1"] = act(
        zone, Action.MERGE, "officer", m1, when=at(2026, 4, 2, 9, 20), into=d["S1"].number
    )
    # W1: filed 4 March and withdrawn half an hour later: filed, never open again.
    w1 = submit(zone, when=at(2026, 3, 4, 9))
    d["W1"] = act(zone, Action.WITHDRAW, "contact", w1, when=at(2026, 3, 4, 9, 30))
    # O1: filed in February (outside the period), closed on 2 March: counts as closed in March.
    d["O1"] = handled(
        zone,
        at(2026, 2, 26, 9),
        respond=at(2026, 2, 26, 9, 30),
        reply=at(2026, 2, 27, 10),
        confirm=(at(2026, 3, 2, 9), True, "satisfied"),
    )
    return d


NOW = at(2026, 4, 7, 10)
SPRING = Period(start=date(2026, 3, 1), end=date(2026, 4, 30))


def test_headline_figures(zone, figures):
    dash = dashboard_get(actor=zone.leader, period=SPRING, now=NOW)
    h = dash.headline
    # Filed in the period: L1-L4, H1, H2, S1, W1 (M1 merged, O1 filed in February).
    assert h.filed == 8
    # Open now: L3 (unresolved), L4, H2, S1 — and all four are overdue (L3 and S1 on triage,
    # L4 on first contact, H2 on its interim reply).
    assert (dash.open_now, dash.overdue_now) == (4, 4)
    # First contact due: L1 ✓, L2 ✗, L3 ✓, L4 ✗ (missed), H1 ✓, H2 ✓ → 4 / 6 = 66.7 %.
    assert (h.first_contact_on_time, h.first_contact_due, h.first_contact_rate) == (4, 6, 66.7)
    # Resolution due: L1 ✓, L2 ✗, L3 ✓, L4 ✗ (missed), H1 ✓; H2 not yet due → 3 / 5 = 60 %.
    assert (h.resolution_on_time, h.resolution_due, h.resolution_rate) == (3, 5, 60.0)
    # Rated: L1 satisfied, L2 basic, L3 unsatisfied, H1 satisfied → (2 + 1) / 4 = 75 %.
    assert (h.rated, h.satisfied, h.basic, h.unsatisfied) == (4, 2, 1, 1)
    assert (h.satisfied_share, h.basic_share, h.unsatisfied_share) == (50.0, 25.0, 25.0)
    assert h.satisfaction_rate == 75.0


def test_figures_per_unit_and_category(zone, figures):
    dash = dashboard_get(actor=zone.supervisor, period=SPRING, now=NOW)
    units = {u.code: u.rates for u in dash.units}
    # zrzy leads L1-L4: first contact 2/4 (L1, L3), resolution 2/4 (L1, L3), rated 3.
    zrzy = units["zrzy"]
    assert (zrzy.filed, zrzy.first_contact_rate, zrzy.resolution_rate) == (4, 50.0, 50.0)
    assert (zrzy.rated, zrzy.satisfied_share, zrzy.basic_share, zrzy.unsatisfied_share) == (
        3,
        33.3,
        33.3,
        33.3,
    )
    assert zrzy.satisfaction_rate == 66.7  # (1 + 1) / 3
    # zjj leads H1, H2: first contact 2/2, resolution 1/1 (H2 not due), rated 1, satisfied.
    zjj = units["zjj"]
    assert (zjj.filed, zjj.first_contact_rate, zjj.resolution_rate, zjj.satisfaction_rate) == (
        2,
        100.0,
        100.0,
        100.0,
    )
    assert set(units) == {"zrzy", "zjj"}  # S1 and W1 were never dispatched
    assert [u.code for u in dash.units_by_on_time] == ["zjj", "zrzy"]
    assert [u.code for u in dash.units_rated] == ["zjj", "zrzy"]
    # Categories: land L1-L4, tax H1 H2, not classified S1 W1 (the unclassified last on a tie).
    assert [(c.code, c.count) for c in dash.categories] == [("land", 4), ("tax", 2), ("", 2)]


def test_figures_per_month(zone, figures):
    dash = dashboard_get(actor=zone.leader, period=SPRING, now=NOW)
    assert [m.month for m in dash.months] == [date(2026, 3, 1), date(2026, 4, 1)]
    march, april = dash.months
    # Filed: March L1-L4, W1; April H1, H2, S1. Closed: March L1, L2, O1; April H1.
    assert (march.rates.filed, march.closed) == (5, 3)
    assert (april.rates.filed, april.closed) == (3, 1)
    # March: first contact 2/4, resolution 2/4, satisfaction (1 + 1) / 3.
    assert (
        march.rates.first_contact_rate,
        march.rates.resolution_rate,
        march.rates.satisfaction_rate,
    ) == (50.0, 50.0, 66.7)
    # April: 2/2, 1/1, 1/1.
    assert (
        april.rates.first_contact_rate,
        april.rates.resolution_rate,
        april.rates.satisfaction_rate,
    ) == (100.0, 100.0, 100.0)


def test_a_demand_counts_in_the_month_of_the_zone_not_of_utc(zone):
    # 1 April 07:30 in Shanghai is still 31 March in UTC: it is an April demand.
    submit(zone, when=at(2026, 4, 1, 7, 30))
    submit(zone, when=at(2026, 3, 31, 23, 59))
    dash = dashboard_get(actor=zone.leader, period=SPRING, now=NOW)
    assert [m.rates.filed for m in dash.months] == [1, 1]


def test_figures_of_one_unit(zone, figures):
    dash = dashboard_get(
        actor=zone.leader, period=Period(SPRING.start, SPRING.end, unit=zone.housing), now=NOW
    )
    # Only what zjj leads: H1 (closed in April) and H2 (open, overdue on its interim reply).
    assert (dash.headline.filed, dash.open_now, dash.overdue_now) == (2, 1, 1)
    assert [(m.rates.filed, m.closed) for m in dash.months] == [(0, 0), (2, 1)]
    assert [(c.code, c.count) for c in dash.categories] == [("tax", 2)]
    assert dash.headline.first_contact_rate == 100.0
    # zrzy leads L1-L4: open now L3 (unresolved) and L4; overdue only L4, since L3 runs on
    # the service team's triage clock, not the unit's.
    dash = dashboard_get(
        actor=zone.leader, period=Period(SPRING.start, SPRING.end, unit=zone.land), now=NOW
    )
    assert (dash.headline.filed, dash.open_now, dash.overdue_now) == (4, 2, 1)


def test_figures_follow_visibility(zone, figures):
    # The other enterprise sees none of these demands, so it counts none.
    dash = dashboard_get(actor=zone.other_contact, period=SPRING, now=NOW)
    assert (dash.headline.filed, dash.open_now, dash.units, dash.categories) == (0, 0, [], [])
    assert dash.headline.first_contact_rate is None


def test_the_dashboard_reads_a_fixed_number_of_queries(zone, figures, django_assert_num_queries):
    # Headline, open/overdue now, per month, closed per month, per unit, per category.
    with django_assert_num_queries(6):
        dashboard_get(actor=zone.leader, period=SPRING, now=NOW)


def test_the_default_period_is_the_last_twelve_months():
    assert period_default(today=date(2026, 11, 29)) == (date(2025, 12, 1), date(2026, 11, 29))
    assert period_default(today=date(2026, 1, 15)) == (date(2025, 2, 1), date(2026, 1, 15))
    assert len(months_between(*period_default(today=date(2026, 11, 29)))) == 12


def test_deadline_kind_follows_the_next_deadline():
    due = at(2026, 3, 10, 10)

    def demand(status, **fields):
        base = dict(
            triage_due_at=None,
            first_response_due_at=None,
            interim_reply_due_at=None,
            resolution_due_at=None,
            first_responded_at=None,
            assessed_at=None,
            replied_at=None,
            kind="demand",
        )
        return SimpleNamespace(status=status, **{**base, **fields})

    assert deadline_kind(demand(Status.RETURNED, triage_due_at=due)) == DeadlineKind.TRIAGE
    unit = dict(
        first_response_due_at=due,
        interim_reply_due_at=due + timedelta(days=3),
        resolution_due_at=due + timedelta(days=5),
    )
    assert deadline_kind(demand(Status.DISPATCHED, **unit)) == DeadlineKind.FIRST_CONTACT
    assert (
        deadline_kind(demand(Status.IN_PROGRESS, first_responded_at=due, **unit))
        == DeadlineKind.INTERIM_REPLY
    )
    assert (
        deadline_kind(demand(Status.IN_PROGRESS, first_responded_at=due, assessed_at=due, **unit))
        == DeadlineKind.RESOLUTION
    )
    assert deadline_kind(demand(Status.WAITING, **unit)) is None
    assert deadline_kind(demand(Status.REPLIED, **unit)) is None


# --- the watch list: overdue and at risk in working time --------------------------------------

D = (2026, 3, 10)  # a Tuesday
WATCH_NOW = at(*D, 16, 30)


@pytest.fixture
def watched(zone):
    """Demands seen at 16:30 on Tuesday 10 March 2026; at risk means due by 4 working hours on.

    From 16:30, 4 working hours run to 17:30 (1 h) and on Wednesday 08:30-11:30 (3 h).
    """
    CategoryFactory(code="quick", name="快办", triage_hours=2, default_lead_unit=zone.land)
    CategoryFactory(code="slow", name="慢办", triage_hours=21, default_lead_unit=zone.land)
    d = {}
    # A: filed 16:30 with a 2-hour triage limit: due Wednesday 09:30 (17:30, then 08:30-09:30),
    # 2 working hours away although 17 hours of clock time: at risk.
    d["A"] = submit(zone, when=at(*D, 16, 30), category_code="quick")
    # B: filed 16:30 with a 21-hour (3-day) triage limit: due Friday 16:30, not at risk.
    d["B"] = submit(zone, when=at(*D, 16, 30), category_code="slow")
    # C: filed 09:00, triage due 10:00: overdue by 6 h 30 min of clock time.
    d["C"] = submit(zone, when=at(*D, 9))
    # D: filed 16:00, triage due 17:00: at risk, 30 working minutes left.
    d["D"] = submit(zone, when=at(*D, 16))
    # H: dispatched to housing at 15:50: first contact due 16:50, at risk.
    d["H"] = handled(zone, at(*D, 15, 40), lead="zjj")
    # I: dispatched to natural resources at 09:00: first contact due 10:00, overdue.
    d["I"] = handled(zone, at(*D, 8, 50))
    # J: dispatched to natural resources Thursday 5 March 16:00, contacted 16:10: the interim
    # reply is due 3 working days on, Tuesday 10 March 16:00 — overdue by 30 minutes. The unit
    # asked for 2 more working days on Friday 6 March 10:00.
    d["J"] = handled(zone, at(2026, 3, 5, 15, 50), respond=at(2026, 3, 5, 16, 10))
    d["J"] = act(zone, Action.EXTEND, "land_staff", d["J"], when=at(2026, 3, 6, 10))
    # K: waiting on the enterprise: no running clock, in neither list.
    k = handled(zone, at(*D, 8, 50), respond=at(*D, 9, 10))
    d["K"] = act(zone, Action.WAIT, "land_staff", k, when=at(*D, 9, 20))
    return d


def numbers(demands):
    return [d.number for d in demands]


def test_overdue_and_at_risk_across_units(zone, watched):
    w = watch_get(actor=zone.supervisor, now=WATCH_NOW)
    d = watched
    assert w.at_risk_until == at(2026, 3, 11, 11, 30)
    # Overdue, longest overdue first: C (10:00), I (10:00, filed later), J (16:00).
    assert numbers(w.overdue) == numbers([d["C"], d["I"], d["J"]])
    # At risk, nearest first: H (16:50), D (17:00), A (Wednesday 09:30). B (Friday) is not.
    assert numbers(w.at_risk) == numbers([d["H"], d["D"], d["A"]])
    assert (w.overdue_total, w.at_risk_total) == (3, 3)
    kinds = {x.number: x.deadline_kind for x in (*w.overdue, *w.at_risk)}
    assert kinds[d["C"].number] == DeadlineKind.TRIAGE
    assert kinds[d["I"].number] == DeadlineKind.FIRST_CONTACT
    assert kinds[d["J"].number] == DeadlineKind.INTERIM_REPLY
    assert kinds[d["H"].number] == DeadlineKind.FIRST_CONTACT
    # Per unit: the service team holds C (overdue), D and A (at risk); natural resources
    # I and J (overdue); housing H (at risk). Most overdue first.
    counts = [(c.code, c.overdue, c.at_risk) for c in w.counts]
    assert counts == [("zrzy", 2, 0), (SERVICE_TEAM, 1, 2), ("zjj", 0, 1)]
    # The pending extension request of J.
    assert numbers(w.extensions) == [d["J"].number]
    assert w.extensions[0].extension_requested_days == 2
    assert w.extensions[0].extension_requested_at == at(2026, 3, 6, 10)


def test_a_statutory_holiday_counts_as_no_working_time(zone):
    CategoryFactory(code="quick", name="快办", triage_hours=2, default_lead_unit=zone.land)
    # Filed on the eve of National Day (Wednesday 30 September 2026, 16:30) with a 2-hour
    # limit: 1 hour that evening, then nothing until Thursday 8 October (1-7 October are
    # holidays): due 8 October 09:30, eight days away but 2 working hours: at risk.
    eve = submit(zone, when=at(2026, 9, 30, 16, 30), category_code="quick")
    assert eve.next_due_at == at(2026, 10, 8, 9, 30)
    w = watch_get(actor=zone.supervisor, now=at(2026, 9, 30, 16, 30))
    assert numbers(w.at_risk) == [eve.number]
    # On an ordinary Wednesday the same 2-hour window ends Thursday 09:30, and a deadline
    # eight days on is far from at risk.
    w = watch_get(actor=zone.supervisor, now=at(2026, 9, 16, 16, 30))
    assert w.at_risk_until == at(2026, 9, 17, 11, 30)
    assert w.at_risk == [] and w.overdue == []


def test_the_watch_filters_by_unit_and_category(zone, watched):
    d = watched
    w = watch_get(actor=zone.supervisor, filters=WatchFilters(unit="zrzy"), now=WATCH_NOW)
    assert (numbers(w.overdue), w.at_risk) == (numbers([d["I"], d["J"]]), [])
    assert numbers(w.extensions) == [d["J"].number]
    w = watch_get(actor=zone.supervisor, filters=WatchFilters(unit=SERVICE_TEAM), now=WATCH_NOW)
    assert (numbers(w.overdue), numbers(w.at_risk)) == ([d["C"].number], numbers([d["D"], d["A"]]))
    w = watch_get(actor=zone.supervisor, filters=WatchFilters(category="quick"), now=WATCH_NOW)
    assert (w.overdue, numbers(w.at_risk)) == ([], [d["A"].number])
    # The counts follow the category but stay an overview of every unit.
    assert [(c.code, c.overdue, c.at_risk) for c in w.counts] == [(SERVICE_TEAM, 0, 1)]


def test_the_watch_follows_visibility(zone, watched):
    d = watched
    # A unit member sees only the demands dispatched to its unit.
    w = watch_get(actor=zone.land_staff, now=WATCH_NOW)
    assert (numbers(w.overdue), w.at_risk) == (numbers([d["I"], d["J"]]), [])
    w = watch_get(actor=zone.other_contact, now=WATCH_NOW)
    assert (w.overdue, w.at_risk, w.counts, w.extensions) == ([], [], [], [])


def test_the_watch_reads_a_fixed_number_of_queries(zone, watched, django_assert_num_queries):
    # The calendar, counts, unit names, totals, overdue, at risk, extensions: never one per row.
    with django_assert_num_queries(7):
        w = watch_get(actor=zone.supervisor, now=WATCH_NOW)
        [(x.enterprise.name, x.lead_unit, x.category) for x in (*w.overdue, *w.at_risk)]
        [(x.enterprise.name, x.lead_unit) for x in w.extensions]
