"""A co-unit's opinion to the lead unit, the first contact said in full (how, with whom, when),
an extension approved for fewer days than asked, and a withdrawal that says why.

Office hours are 08:30–12:00 and 14:00–17:30 (7 working hours a day). 15–23 Feb 2026 is the
Spring Festival (Sat 14 Feb a make-up working day); March 2026 has no holiday.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.demands.models import Demand, Status
from mashang.demands.selectors import demand_get
from mashang.demands.selectors.opinions import demand_opinions
from mashang.demands.services import (
    demand_approve_extension,
    demand_give_opinion,
    demand_respond,
    demand_withdraw,
)
from mashang.demands.services.lifecycle import (
    MSG_CONTACT_BEFORE_DISPATCH,
    MSG_CONTACT_FUTURE,
    MSG_CONTACT_METHOD,
    MSG_CONTACT_WITH,
)
from mashang.demands.transitions import Action
from mashang.notify.models import Channel, Notification
from tests.kit.clocks import at
from tests.kit.walk import act, submit, walk_to

MINUTE = timedelta(minutes=1)


def last_event(demand: Demand) -> Event:
    return Event.objects.filter(subject_type="demand", subject_id=demand.pk).order_by("-id").first()


def dispatched(zone, when, *, co_units=("zjj",)) -> Demand:
    """Filed 20 and triaged 10 minutes before ``when``; dispatched at ``when`` to natural
    resources (lead) and housing (co-unit)."""
    demand = submit(zone, when=when - 20 * MINUTE)
    demand = act(zone, Action.TRIAGE, "officer", demand, when=when - 10 * MINUTE)
    return act(zone, Action.DISPATCH, "officer", demand, when=when, co_units=list(co_units))


def opinion(zone, person: str, demand: Demand, text: str, when=None) -> Demand:
    return demand_give_opinion(
        actor=getattr(zone, person), demand_id=demand.pk, version=demand.version, opinion=text, at=when
    )


def unchanged(demand: Demand) -> bool:
    stored = Demand.objects.get(pk=demand.pk)
    return (stored.version, stored.status) == (demand.version, demand.status)


# --- the co-unit's opinion ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.IN_PROGRESS, Status.WAITING])
def test_a_co_unit_gives_its_opinion_and_the_status_stays(zone, status):
    demand = walk_to(zone, status)
    after = opinion(zone, "housing_staff", demand, "  规划条件以住建局备案为准  ")
    assert (after.status, after.version) == (status, demand.version + 1)
    event = last_event(after)
    assert (event.action, event.actor, event.reason) == ("opinion", zone.housing_staff, "规划条件以住建局备案为准")
    assert event.payload == {"unit": "zjj", "round": 1}


@pytest.mark.usefixtures("no_inline")
def test_the_lead_units_staff_are_told_of_the_opinion(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    opinion(zone, "housing_staff", demand, "建议按备案图纸复核")
    told = Notification.objects.filter(kind="demand.co_opinion").select_related("recipient")
    assert {n.recipient.username for n in told if n.channel == Channel.INBOX} == {"unit-zrzy"}
    assert not any(n.robot_id for n in told)  # no chat robot
    assert "建议按备案图纸复核" in told[0].body and "住房和城乡建设局" in told[0].body


@pytest.mark.parametrize("person", ["land_staff", "contact", "officer", "supervisor"])
def test_only_a_co_unit_gives_an_opinion(zone, person):
    demand = walk_to(zone, Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        opinion(zone, person, demand, "意见")
    assert unchanged(demand)


def test_a_former_co_unit_no_longer_gives_an_opinion(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    demand = act(zone, Action.RETURN, "land_staff", demand)
    demand = act(zone, Action.DISPATCH, "officer", demand, co_units=[])  # housing is not a co-unit now
    with pytest.raises(PermissionDenied):
        opinion(zone, "housing_staff", demand, "意见")
    assert unchanged(demand)


@pytest.mark.parametrize("status", [Status.REPLIED, Status.UNRESOLVED, Status.CLOSED, Status.DIFFICULT])
def test_no_opinion_outside_the_working_statuses(zone, status):
    demand = walk_to(zone, status)
    with pytest.raises(TransitionNotAllowed):
        opinion(zone, "housing_staff", demand, "意见")
    assert unchanged(demand)


def test_an_opinion_says_something(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    with pytest.raises(ValidationFailed) as refused:
        opinion(zone, "housing_staff", demand, "   ")
    assert set(refused.value.fields) == {"opinion"}
    with pytest.raises(ValidationFailed) as refused:
        opinion(zone, "housing_staff", demand, "长" * 2001)
    assert set(refused.value.fields) == {"opinion"}
    assert unchanged(demand)


def test_the_lead_unit_reads_the_latest_opinion_of_this_round_and_the_enterprise_none(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    demand = opinion(zone, "housing_staff", demand, "第一稿意见")
    demand = opinion(zone, "housing_staff", demand, "以此为准：按备案图纸复核")
    [seen] = demand_opinions(detail=demand_get(actor=zone.land_staff, demand_id=demand.pk))
    assert (seen.unit, seen.by, seen.text, seen.supersedes) == (
        "住房和城乡建设局", str(zone.housing_staff), "以此为准：按备案图纸复核", 1
    )
    for person in ("officer", "supervisor", "leader", "housing_staff"):
        detail = demand_get(actor=getattr(zone, person), demand_id=demand.pk)
        assert [o.text for o in demand_opinions(detail=detail)] == ["以此为准：按备案图纸复核"]
    enterprise = demand_get(actor=zone.contact, demand_id=demand.pk)
    assert demand_opinions(detail=enterprise) == []
    assert not [e for e in enterprise.events if e.action == "opinion"]
    # A second round starts without the first round's opinions.
    demand = act(zone, Action.REPLY, "land_staff", demand)
    demand = act(zone, Action.CONFIRM, "contact", demand, resolved=False, rating="unsatisfied")
    demand = act(zone, Action.REOPEN, "contact", demand)
    assert demand_opinions(detail=demand_get(actor=zone.land_staff, demand_id=demand.pk)) == []


# --- first contact: how, with whom, when -------------------------------------------------------


def respond(zone, demand, *, when, **kw):
    kw.setdefault("method", "visit")
    kw.setdefault("contact_with", "王总经理")
    return demand_respond(actor=zone.land_staff, demand_id=demand.pk, version=demand.version, at=when, **kw)


def test_the_first_contact_records_how_with_whom_and_when(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    demand = respond(zone, demand, when=at(2026, 3, 2, 10, 0), contacted_at=at(2026, 3, 2, 9, 20))
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.status, stored.first_responded_at) == (Status.IN_PROGRESS, at(2026, 3, 2, 9, 20))
    assert (stored.first_contact_method, stored.first_contact_with) == ("visit", "王总经理")
    # The scorecard's time to first contact runs to the contact, not to when it was recorded.
    assert stored.first_contact_working_time == timedelta(minutes=20)
    event = last_event(stored)
    assert event.at == at(2026, 3, 2, 10, 0)
    assert event.payload == {
        "method": "visit", "with": "王总经理", "contacted_at": at(2026, 3, 2, 9, 20).isoformat()
    }


def test_the_first_contact_is_now_unless_said(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    demand = respond(zone, demand, when=at(2026, 3, 2, 9, 45), method="message", contact_with=" 李经理 ")
    assert (demand.first_responded_at, demand.first_contact_with) == (at(2026, 3, 2, 9, 45), "李经理")


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        # The messages stay lazy here: they are read in the language the test runs in.
        ({"contacted_at": at(2026, 3, 2, 10, 1)}, "contacted_at", MSG_CONTACT_FUTURE),
        ({"contacted_at": at(2026, 3, 2, 8, 59)}, "contacted_at", MSG_CONTACT_BEFORE_DISPATCH),
        ({"contact_with": "  "}, "contact_with", MSG_CONTACT_WITH),
        ({"contact_with": "张" * 101}, "contact_with", MSG_CONTACT_WITH),
        ({"method": "email"}, "method", MSG_CONTACT_METHOD),
        ({"method": ""}, "method", MSG_CONTACT_METHOD),
    ],
)
def test_a_first_contact_that_cannot_be_is_refused(zone, kw, field, message):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0))
    with pytest.raises(ValidationFailed) as refused:
        respond(zone, demand, when=at(2026, 3, 2, 10, 0), **kw)
    assert refused.value.message == str(message).format(when="2026-03-02 09:00")
    assert set(refused.value.fields) == {field}
    assert unchanged(demand) and Demand.objects.get(pk=demand.pk).first_responded_at is None


# --- an extension approved for fewer days ------------------------------------------------------


def asked_three_days(zone):
    demand = dispatched(zone, at(2026, 2, 9, 9, 0), co_units=())  # Monday before the Spring Festival
    assert demand.resolution_due_at == at(2026, 2, 14, 9, 0)  # Sat 14 Feb is a make-up working day
    demand = act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 2, 9, 9, 10))
    return act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 2, 9, 10, 0), days=3)


def approve(zone, demand, **kw):
    return demand_approve_extension(
        actor=zone.supervisor, demand_id=demand.pk, version=demand.version, at=at(2026, 2, 9, 11, 0), **kw
    )


def test_a_supervisor_approves_fewer_days_than_asked_on_the_working_calendar(zone):
    demand = approve(zone, asked_three_days(zone), days=2, note="先给两天")
    # Two working days after the holiday's eve: 24 and 25 Feb (three would be 26 Feb).
    assert (demand.resolution_due_at, demand.extension_requested_days) == (at(2026, 2, 25, 9, 0), None)
    event = last_event(demand)
    assert (event.payload["requested_days"], event.payload["approved_days"], event.reason) == (3, 2, "先给两天")


def test_without_days_the_days_asked_for_are_approved(zone):
    demand = approve(zone, asked_three_days(zone))
    assert demand.resolution_due_at == at(2026, 2, 26, 9, 0)
    assert (last_event(demand).payload["requested_days"], last_event(demand).payload["approved_days"]) == (3, 3)


@pytest.mark.parametrize("days", [0, 4, -1])
def test_more_days_than_asked_or_none_are_not_approved(zone, days):
    demand = asked_three_days(zone)
    with pytest.raises(ValidationFailed) as refused:
        approve(zone, demand, days=days)
    assert set(refused.value.fields) == {"days"}
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.version, stored.extension_requested_days, stored.resolution_due_at) == (
        demand.version, 3, at(2026, 2, 14, 9, 0)
    )


# --- a withdrawal says why ---------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_withdrawal_without_a_reason_is_refused(zone, reason):
    demand = submit(zone)
    with pytest.raises(ValidationFailed) as refused:
        demand_withdraw(actor=zone.contact, demand_id=demand.pk, version=demand.version, reason=reason)
    assert set(refused.value.fields) == {"reason"}
    assert unchanged(demand)
    demand = demand_withdraw(actor=zone.contact, demand_id=demand.pk, version=demand.version, reason="已自行解决")
    assert (demand.status, last_event(demand).reason) == (Status.WITHDRAWN, "已自行解决")


def test_a_unit_outside_the_demand_cannot_give_an_opinion(zone):
    demand = submit(zone)  # not dispatched: the co-unit does not know it
    with pytest.raises(NotFound):
        opinion(zone, "housing_staff", demand, "意见")


def test_a_first_contact_said_to_the_minute_of_the_dispatch_is_the_dispatch(zone):
    demand = dispatched(zone, at(2026, 3, 2, 9, 0, 30))
    demand = respond(zone, demand, when=at(2026, 3, 2, 9, 5), contacted_at=at(2026, 3, 2, 9, 0))
    assert demand.first_responded_at == at(2026, 3, 2, 9, 0, 30)
