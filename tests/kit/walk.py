"""Walk a demand of the ``zone`` fixture into any status through the services, as people would.

The demand is filed by the zone's first enterprise, triaged into ``land`` and dispatched to
natural resources (``zrzy``, lead) with housing (``zjj``) as co-unit, so every party has a
person: the contact, the officer, the two unit staff, the supervisor and the leader.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mashang.demands import services as S
from mashang.demands.models import Demand, Status
from mashang.demands.transitions import Action, Party
from mashang.org.models import User
from tests.kit.factories import UserFactory


def submit(zone, *, when: datetime | None = None, actor=None, **fields) -> Demand:
    fields.setdefault("title", "厂房用地红线需要复核")
    fields.setdefault("description", "新厂房的用地红线与规划图不一致，请协助复核。")
    fields.setdefault("channel", "web")
    return S.demand_submit(actor=actor or zone.contact, at=when, **fields)


#: The service behind each action and arguments that make it succeed in a zone demand.
CALLS = {
    Action.TRIAGE: (S.demand_triage, {"category": "land", "urgency": "urgent"}),
    Action.DISPATCH: (S.demand_dispatch, {"lead_unit": "zrzy", "co_units": ["zjj"]}),
    Action.RESPOND: (S.demand_respond, {"method": "phone", "contact_with": "李经理", "note": "已电话联系企业"}),
    Action.ASSESS: (S.demand_assess, {"assessment": "以 2025 年批复为准"}),
    Action.OPINION: (S.demand_give_opinion, {"opinion": "规划条件以住建局备案为准"}),
    Action.REPLY: (S.demand_reply, {"reply": "已现场复核，红线无误"}),
    Action.CONFIRM: (S.demand_confirm, {"resolved": True, "rating": "satisfied"}),
    Action.RETURN: (S.demand_return, {"reason": "不属于本单位职责"}),
    Action.EXTEND: (S.demand_request_extension, {"days": 2, "reason": "需要现场勘测"}),
    Action.APPROVE_EXTENSION: (S.demand_approve_extension, {"note": "同意"}),
    Action.REFUSE_EXTENSION: (S.demand_refuse_extension, {"note": "不同意"}),
    Action.WAIT: (S.demand_wait, {"question": "请提供宗地图"}),
    Action.RESUME: (S.demand_resume, {"answer": "已上传宗地图"}),
    Action.REOPEN: (S.demand_reopen, {"reason": "问题没有解决"}),
    Action.ESCALATE: (S.demand_escalate, {"reason": "涉及多个部门"}),
    Action.ASSIGN_CASE: (
        S.demand_assign_case,
        {"coordinator": "supervisor", "lead_unit": "zrzy", "co_units": ["zjj"], "working_days": 10},
    ),
    Action.DECLINE_CASE: (S.demand_decline_case, {"reason": "属一般诉求，按常规派单"}),
    Action.SIGN_OFF: (S.demand_sign_off, {"note": "同意答复"}),
    Action.MERGE: (S.demand_merge, {}),  # ``into`` is added by the caller
    Action.WITHDRAW: (S.demand_withdraw, {"reason": "已自行解决"}),
}

#: Who plays each party in a zone demand.
PERSON_OF = {
    Party.ENTERPRISE: "contact",
    Party.SERVICE_TEAM: "officer",
    Party.LEAD_UNIT: "land_staff",
    Party.LEAD_UNIT_HEAD: "land_head",
    Party.CO_UNIT: "housing_staff",
    Party.SUPERVISOR: "supervisor",
    Party.LEADER: "leader",
}
UNIT_PEOPLE = frozenset({"land_staff", "land_head", "housing_staff"})


def with_head(zone):
    """The zone with the head of natural resources (``land_head``), who signs off the replies
    to its difficult cases; the plain zone leaves the head out, so a unit's messages reach its
    one staff member."""
    if getattr(zone, "land_head", None) is None:
        zone.land_head = UserFactory(username="head-zrzy", role=User.Role.UNIT_HEAD, unit=zone.land)
    return zone


def act(
    zone, action: str, person: str, demand: Demand, *, when: datetime | None = None, **extra
) -> Demand:
    """Do ``action`` as ``person`` (an attribute of the zone) with the version last read."""
    service, kwargs = CALLS[action]
    return service(
        actor=getattr(zone, person),
        demand_id=demand.pk,
        version=demand.version,
        at=when,
        **{**kwargs, **extra},
    )


#: How each status is reached: from which status, by which action, by whom, with what.
PATHS: dict[str, tuple[str, str, str, dict]] = {
    Status.TRIAGED: (Status.SUBMITTED, Action.TRIAGE, "officer", {}),
    Status.DISPATCHED: (Status.TRIAGED, Action.DISPATCH, "officer", {}),
    Status.IN_PROGRESS: (Status.DISPATCHED, Action.RESPOND, "land_staff", {}),
    Status.WAITING: (Status.IN_PROGRESS, Action.WAIT, "land_staff", {}),
    Status.REPLIED: (Status.IN_PROGRESS, Action.REPLY, "land_staff", {}),
    Status.UNRESOLVED: (
        Status.REPLIED,
        Action.CONFIRM,
        "contact",
        {"resolved": False, "rating": "unsatisfied"},
    ),
    Status.CLOSED: (Status.REPLIED, Action.CONFIRM, "contact", {}),
    Status.RETURNED: (Status.DISPATCHED, Action.RETURN, "land_staff", {}),
    Status.DIFFICULT: (Status.DISPATCHED, Action.ESCALATE, "officer", {}),
    Status.MERGED: (Status.SUBMITTED, Action.MERGE, "officer", {}),
    Status.WITHDRAWN: (Status.SUBMITTED, Action.WITHDRAW, "contact", {}),
}

#: Statuses of a walked demand in which both units hold a current assignment …
UNITS_CURRENT = frozenset(
    {
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.REPLIED,
        Status.UNRESOLVED,
        Status.CLOSED,
        Status.DIFFICULT,
    }
)
#: … and in which the units can at least read it (a returned demand stays readable).
UNITS_SEE = UNITS_CURRENT | {Status.RETURNED}


def walk_to(
    zone, status: str, *, keeper: Demand | None = None, start: datetime | None = None
) -> Demand:
    """A new demand in ``status``; ``keeper`` is the demand a merge goes into.

    With ``start`` each step happens one minute after the previous one; without it, now.
    """
    chain: list[tuple[str, str, dict]] = []
    current = status
    while current != Status.SUBMITTED:
        previous, action, person, extra = PATHS[current]
        chain.append((action, person, extra))
        current = previous
    demand = submit(zone, when=start)
    for step, (action, person, extra) in enumerate(reversed(chain), start=1):
        if action == Action.MERGE:
            extra = {**extra, "into": keeper.number}
        when = start + timedelta(minutes=step) if start else None
        demand = act(zone, action, person, demand, when=when, **extra)
    assert demand.status == status
    return demand


def parties_in(person: str, status: str) -> frozenset[str]:
    """The parties ``person`` plays in a walked demand in ``status`` (by construction of the walk)."""
    if person in UNIT_PEOPLE:
        if status not in UNITS_CURRENT:
            return frozenset()
        if person == "housing_staff":
            return frozenset({Party.CO_UNIT})
        return frozenset({Party.LEAD_UNIT, Party.LEAD_UNIT_HEAD} if person == "land_head" else {Party.LEAD_UNIT})
    return frozenset(p for p, who in PERSON_OF.items() if who == person)
