"""A hand-made month of demands for two units, walked through the services at fixed times.

November 2026 has no public holiday; office hours are 08:30–12:00 and 14:00–17:30 (7 working
hours a day). The zone's ``land`` category allows 1 working hour to first contact and 5
working days (35 working hours) to the reply. Nov 2 is a Monday. "wh" = working hours.

zrzy (自然资源分局) leads A1–A5, zjj (住房和城乡建设局) leads B1–B3 and, after zrzy returned it,
A4. October holds one demand each (P1, P2) for the previous period's ranking.

    A1 Mon 11-02 09:00 → zrzy (co zjj); contact 09:30 (0.5 wh, on time); reply Wed 11-04 09:00
       (14.0 wh; due Mon 11-09 09:00: on time); resolved, satisfied.
    A2 Tue 11-03 09:00 → zrzy; contact 11:00 (2.0 wh, late: due 10:00); reply Tue 11-10 10:00
       (36.0 wh; due Tue 11-10 09:00: late); resolved, basically satisfied.
    A3 Wed 11-04 09:00 → zrzy; contact 09:15; reply Thu 11-05 16:00; not resolved, unsatisfied;
       reopened Fri 11-06 09:00 (round 2, clocks anew); contact 09:30 (0.5 wh, on time);
       reply Mon 11-09 09:00 (7.0 wh; due Fri 11-13 09:00: on time); resolved, satisfied.
    A4 Thu 11-05 09:00 → zrzy; zrzy returns it 10:30; re-dispatched 11:00 → zjj; contact 11:30
       (0.5 wh; due 12:00: on time); reply Fri 11-06 11:00 (7.0 wh, on time); resolved, satisfied.
    A5 Mon 11-09 09:00 → zrzy; never contacted nor replied (both deadlines long past).
    B1 Mon 11-02 14:00 → zjj (co zrzy); contact 14:30 (0.5 wh); reply Mon 11-09 11:00 (34.0 wh;
       due Mon 11-09 12:00: on time); resolved, basically satisfied.
    B2 Tue 11-10 09:00 → zjj; contact 10:00 (1.0 wh, exactly at the deadline: on time); reply
       Thu 11-12 09:00 (14.0 wh, on time); resolved but unsatisfied.
    B3 Wed 11-11 09:00 → zjj; contact 09:30 (0.5 wh); reply 17:00 (6.0 wh); not yet confirmed.
    B4 filed Thu 11-12, merged into B3: counted nowhere.
    Notices raised in November for zrzy: one yellow, one red (on A5).
    P1 Mon 10-12 09:00 → zjj; contact 09:30; reply Tue 10-13 09:00; resolved, satisfied.
    P2 Mon 10-12 09:00 → zrzy; contact 11:00 (late); reply Tue 10-13 09:00; not resolved,
       unsatisfied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mashang.demands import services as S
from mashang.demands.models import Demand
from mashang.supervision.scorecards.formulas import Period
from tests.kit.clocks import at
from tests.kit.walk import submit

NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 1))
NOW = at(2026, 12, 10, 12, 0)
MINUTE = timedelta(minutes=1)


@dataclass
class Built:
    demands: dict[str, Demand]


def _step(service, actor, demand: Demand, when: datetime, **kw) -> Demand:
    return service(actor=actor, demand_id=demand.pk, version=demand.version, at=when, **kw)


def _dispatched(zone, when: datetime, lead: str, co: tuple[str, ...] = ()) -> Demand:
    d = submit(zone, when=when - 10 * MINUTE)
    d = _step(S.demand_triage, zone.officer, d, when - 5 * MINUTE, category="land")
    return _step(S.demand_dispatch, zone.officer, d, when, lead_unit=lead, co_units=list(co))


def _staff(zone, code: str):
    return zone.land_staff if code == "zrzy" else zone.housing_staff


def _handle(zone, d: Demand, unit: str, contact: datetime, reply: datetime | None) -> Demand:
    staff = _staff(zone, unit)
    d = _step(S.demand_respond, staff, d, contact, method="phone", contact_with="李经理")
    if reply is not None:
        d = _step(S.demand_reply, staff, d, reply, reply="已办理")
    return d


def _confirm(zone, d: Demand, when: datetime, *, resolved: bool, rating: str) -> Demand:
    return _step(S.demand_confirm, zone.contact, d, when, resolved=resolved, rating=rating)


def build(zone) -> Built:
    d: dict[str, Demand] = {}

    a1 = _dispatched(zone, at(2026, 11, 2, 9, 0), "zrzy", ("zjj",))
    a1 = _handle(zone, a1, "zrzy", at(2026, 11, 2, 9, 30), at(2026, 11, 4, 9, 0))
    d["A1"] = _confirm(zone, a1, at(2026, 11, 4, 10, 0), resolved=True, rating="satisfied")

    a2 = _dispatched(zone, at(2026, 11, 3, 9, 0), "zrzy")
    a2 = _handle(zone, a2, "zrzy", at(2026, 11, 3, 11, 0), at(2026, 11, 10, 10, 0))
    d["A2"] = _confirm(zone, a2, at(2026, 11, 10, 11, 0), resolved=True, rating="basic")

    a3 = _dispatched(zone, at(2026, 11, 4, 9, 0), "zrzy")
    a3 = _handle(zone, a3, "zrzy", at(2026, 11, 4, 9, 15), at(2026, 11, 5, 16, 0))
    a3 = _confirm(zone, a3, at(2026, 11, 5, 17, 0), resolved=False, rating="unsatisfied")
    a3 = _step(S.demand_reopen, zone.contact, a3, at(2026, 11, 6, 9, 0), reason="问题没有解决")
    a3 = _handle(zone, a3, "zrzy", at(2026, 11, 6, 9, 30), at(2026, 11, 9, 9, 0))
    d["A3"] = _confirm(zone, a3, at(2026, 11, 9, 10, 0), resolved=True, rating="satisfied")

    a4 = _dispatched(zone, at(2026, 11, 5, 9, 0), "zrzy")
    a4 = _step(S.demand_return, zone.land_staff, a4, at(2026, 11, 5, 10, 30), reason="不属于本单位职责")
    a4 = _step(S.demand_dispatch, zone.officer, a4, at(2026, 11, 5, 11, 0), lead_unit="zjj")
    a4 = _handle(zone, a4, "zjj", at(2026, 11, 5, 11, 30), at(2026, 11, 6, 11, 0))
    d["A4"] = _confirm(zone, a4, at(2026, 11, 6, 12, 0), resolved=True, rating="satisfied")

    d["A5"] = _dispatched(zone, at(2026, 11, 9, 9, 0), "zrzy")

    b1 = _dispatched(zone, at(2026, 11, 2, 14, 0), "zjj", ("zrzy",))
    b1 = _handle(zone, b1, "zjj", at(2026, 11, 2, 14, 30), at(2026, 11, 9, 11, 0))
    d["B1"] = _confirm(zone, b1, at(2026, 11, 9, 14, 0), resolved=True, rating="basic")

    b2 = _dispatched(zone, at(2026, 11, 10, 9, 0), "zjj")
    b2 = _handle(zone, b2, "zjj", at(2026, 11, 10, 10, 0), at(2026, 11, 12, 9, 0))
    d["B2"] = _confirm(zone, b2, at(2026, 11, 12, 10, 0), resolved=True, rating="unsatisfied")

    b3 = _dispatched(zone, at(2026, 11, 11, 9, 0), "zjj")
    d["B3"] = _handle(zone, b3, "zjj", at(2026, 11, 11, 9, 30), at(2026, 11, 11, 17, 0))

    b4 = submit(zone, when=at(2026, 11, 12, 9, 0))
    d["B4"] = _step(S.demand_merge, zone.officer, b4, at(2026, 11, 12, 9, 5), into=d["B3"].number)

    from mashang.supervision.models import SupervisionNotice

    for level, when in (("yellow", at(2026, 11, 9, 10, 0)), ("red", at(2026, 11, 10, 10, 0))):
        SupervisionNotice.objects.create(
            demand=d["A5"], kind="first_contact", due_at=at(2026, 11, 9, 10, 0), level=level,
            raised_at=when, unit=zone.land,
        )

    p1 = _dispatched(zone, at(2026, 10, 12, 9, 0), "zjj")
    p1 = _handle(zone, p1, "zjj", at(2026, 10, 12, 9, 30), at(2026, 10, 13, 9, 0))
    d["P1"] = _confirm(zone, p1, at(2026, 10, 13, 10, 0), resolved=True, rating="satisfied")

    p2 = _dispatched(zone, at(2026, 10, 12, 9, 0), "zrzy")
    p2 = _handle(zone, p2, "zrzy", at(2026, 10, 12, 11, 0), at(2026, 10, 13, 9, 0))
    d["P2"] = _confirm(zone, p2, at(2026, 10, 13, 10, 0), resolved=False, rating="unsatisfied")
    return Built(demands=d)
