"""A demand's moves write their messages to the outbox in the move's own transaction, to the
people (and work groups) that must act next."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from mashang.demands.models import Demand, Status
from mashang.demands.services.action_items import action_item_open
from mashang.demands.transitions import Action
from mashang.notify.models import Channel, ChatRobot, Notification, Platform
from mashang.org.models import Unit, User
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.usefixtures("no_inline")


def _told(kind: str) -> tuple[set[str], set[str]]:
    rows = Notification.objects.filter(kind=kind).select_related("recipient", "robot")
    people = {r.recipient.username for r in rows if r.channel == Channel.INBOX}
    robots = {r.robot.name for r in rows if r.robot_id}
    return people, robots


def _robot(name: str, unit) -> ChatRobot:
    return ChatRobot.objects.create(name=name, platform=Platform.WECOM, webhook_url="http://127.0.0.1:9/x", unit=unit)


def test_a_new_demand_tells_the_service_team(zone):
    team = UnitFactory(code="fwzx", name="企业服务中心", kind=Unit.Kind.SERVICE_TEAM)
    _robot("专职小组群", team)
    demand = submit(zone, title="<b>厂房</b>用地")
    people, robots = _told("demand.submitted")
    assert people == {"officer"} and robots == {"专职小组群"}
    row = Notification.objects.get(kind="demand.submitted", channel=Channel.INBOX)
    assert demand.number in row.subject and "<b>厂房</b>用地" in row.subject
    assert row.link == f"/demands/{demand.pk}/"
    assert row.payload == {"demand": demand.pk, "number": demand.number, "action": "submit"}


def test_dispatch_tells_the_lead_and_co_unit_staff_their_heads_and_the_units_robots(zone):
    head = UserFactory(username="head-zrzy", role=User.Role.UNIT_HEAD, unit=zone.land)
    zone.land.head = head
    zone.land.save()
    _robot("自然资源工作群", zone.land)
    _robot("别的单位群", UnitFactory(code="other"))
    demand = walk_to(zone, Status.TRIAGED)
    act(zone, Action.DISPATCH, "officer", demand)
    people, robots = _told("demand.dispatched")
    assert people == {"unit-zrzy", "unit-zjj", "head-zrzy"}
    assert robots == {"自然资源工作群"}
    body = Notification.objects.filter(kind="demand.dispatched").first().body
    assert zone.land.name in body and zone.housing.name in body and zone.enterprise.name in body


def test_a_rolled_back_dispatch_leaves_no_message(zone):
    _robot("自然资源工作群", zone.land)
    demand = walk_to(zone, Status.TRIAGED)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        act(zone, Action.DISPATCH, "officer", demand)
        # Inside the transaction the messages are there, beside the change …
        assert Notification.objects.filter(kind="demand.dispatched").count() == 3
        raise Boom
    # … and they go with it when it is rolled back.
    assert not Notification.objects.filter(kind="demand.dispatched").exists()
    assert Demand.objects.get(pk=demand.pk).status == Status.TRIAGED


def test_a_question_and_a_reply_go_to_the_enterprise_contacts(zone):
    colleague = UserFactory(username="ent-a2", role=User.Role.ENTERPRISE, enterprise=zone.enterprise)
    demand = walk_to(zone, Status.IN_PROGRESS)
    demand = act(zone, Action.WAIT, "land_staff", demand, question="请提供<宗地图>")
    people, robots = _told("demand.question")
    assert people == {"ent-a", colleague.username} and robots == set()
    question = Notification.objects.filter(kind="demand.question").first()
    assert "请提供<宗地图>" in question.body and demand.number in question.subject

    demand = act(zone, Action.RESUME, "contact", demand)
    act(zone, Action.REPLY, "land_staff", demand, reply="红线无误")
    people, _ = _told("demand.replied")
    assert people == {"ent-a", colleague.username}
    reply = Notification.objects.filter(kind="demand.replied").first()
    assert "红线无误" in reply.body
    assert reply.payload["action"] == "reply"


def test_a_return_tells_the_service_team_not_the_unit_that_returned_it(zone):
    team = UnitFactory(code="fwzx", name="企业服务中心", kind=Unit.Kind.SERVICE_TEAM)
    _robot("专职小组群", team)
    _robot("自然资源工作群", zone.land)
    UserFactory(username="officer2", role=User.Role.OFFICER)
    demand = walk_to(zone, Status.DISPATCHED)
    act(zone, Action.RETURN, "land_staff", demand, reason="不属于本单位职责")
    people, robots = _told("demand.returned")
    assert people == {"officer", "officer2"} and robots == {"专职小组群"}
    assert "不属于本单位职责" in Notification.objects.filter(kind="demand.returned").first().body


def test_an_extension_request_goes_to_the_supervisors_and_reopening_to_the_units(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    act(zone, Action.EXTEND, "land_staff", demand, days=3, reason="需要现场勘测")
    assert _told("demand.extension_requested")[0] == {"supervisor"}

    demand = walk_to(zone, Status.UNRESOLVED)
    act(zone, Action.REOPEN, "contact", demand, reason="问题没有解决")
    people, _ = _told("demand.reopened")
    assert people == {"unit-zrzy", "unit-zjj"}  # the units still assigned: lead and co-unit


def test_moves_that_tell_nobody_write_nothing(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    before = Notification.objects.count()
    demand = act(zone, Action.RESPOND, "land_staff", demand)
    act(zone, Action.ASSESS, "land_staff", demand)
    assert Notification.objects.count() == before


def test_an_extension_decision_goes_back_to_the_lead_unit(zone):
    _robot("自然资源工作群", zone.land)
    demand = walk_to(zone, Status.IN_PROGRESS)
    demand = act(zone, Action.EXTEND, "land_staff", demand, days=3, reason="需要现场勘测")
    demand = act(zone, Action.APPROVE_EXTENSION, "supervisor", demand, note="同意延期三个工作日")
    people, robots = _told("demand.extension_approved")
    assert people == {"unit-zrzy"} and robots == {"自然资源工作群"}  # not the co-unit, not the supervisor
    body = Notification.objects.filter(kind="demand.extension_approved").first().body
    assert "同意延期三个工作日" in body

    demand = act(zone, Action.EXTEND, "land_staff", demand, days=2, reason="仍需会审")
    act(zone, Action.REFUSE_EXTENSION, "supervisor", demand, note="请按期办结")
    assert _told("demand.extension_refused")[0] == {"unit-zrzy"}


def test_a_difficult_case_reaches_supervisors_and_leaders(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    act(zone, Action.ESCALATE, "officer", demand, reason="涉及多个部门")
    people, _ = _told("demand.escalated")
    assert people == {"supervisor", "leader", "unit-zrzy", "unit-zjj"}
    assert "涉及多个部门" in Notification.objects.filter(kind="demand.escalated").first().body


def test_an_unresolved_confirmation_asks_the_team_to_reopen_or_escalate(zone):
    demand = walk_to(zone, Status.REPLIED)
    act(zone, Action.CONFIRM, "contact", demand, resolved=False, rating="unsatisfied", comment="红线仍未更正")
    people, _ = _told("demand.unresolved")
    assert people == {"officer", "unit-zrzy"}
    body = Notification.objects.filter(kind="demand.unresolved").first().body
    assert "红线仍未更正" in body and "不满意" in body
    assert not Notification.objects.filter(kind="demand.closed").exists()


def test_a_resolved_confirmation_tells_the_lead_unit_its_rating(zone):
    walk_to(zone, Status.CLOSED)
    people, _ = _told("demand.closed")
    assert people == {"unit-zrzy"}
    assert "满意" in Notification.objects.filter(kind="demand.closed").first().body
    assert not Notification.objects.filter(kind="demand.unresolved").exists()


# --- what the enterprise hears (issue 13) ------------------------------------------------------


def _enterprise_heard(demand) -> list[Notification]:
    """The enterprise contact's inbox rows about ``demand``, oldest first."""
    return list(
        Notification.objects.filter(recipient__username="ent-a", channel=Channel.INBOX, payload__demand=demand.pk)
        .exclude(kind="demand.submitted")
        .order_by("id")
    )


def _text(row: Notification) -> str:
    return f"{row.subject}\n{row.body}"


def test_the_enterprise_hears_acceptance_and_dispatch_with_the_lead_unit_and_the_deadline(zone):
    colleague = UserFactory(username="ent-a2", role=User.Role.ENTERPRISE, enterprise=zone.enterprise)
    demand = act(zone, Action.TRIAGE, "officer", submit(zone))
    demand = act(zone, Action.DISPATCH, "officer", demand, note="内部备注：该企业曾多次投诉")
    accepted, dispatched = _enterprise_heard(demand)
    assert accepted.kind == "demand.update.accepted" and demand.number in accepted.subject
    assert dispatched.kind == "demand.update.dispatched"
    assert zone.land.name in dispatched.subject and zone.housing.name in dispatched.body
    due = timezone.localtime(demand.resolution_due_at).strftime("%Y-%m-%d %H:%M")
    assert due in dispatched.body
    # The dispatch note is the zone's own: the units read it, the enterprise does not.
    assert "内部备注" not in _text(dispatched)
    assert "内部备注" in Notification.objects.filter(kind="demand.dispatched").first().body
    # Every contact of the enterprise hears it; another enterprise does not.
    told = {r.recipient.username for r in Notification.objects.filter(kind="demand.update.dispatched")}
    assert told == {"ent-a", colleague.username}
    assert all(r.topic == f"demand:{demand.pk}" for r in Notification.objects.all())


def test_the_enterprise_hears_a_return_without_its_reason_and_the_new_dispatch(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    demand = act(zone, Action.RETURN, "land_staff", demand, reason="内部：该事项归住建局管")
    demand = act(zone, Action.DISPATCH, "officer", demand, lead_unit="zjj", co_units=[])
    returned, again = _enterprise_heard(demand)[-2:]
    assert returned.kind == "demand.update.returned" and demand.number in returned.subject
    assert "内部" not in _text(returned)
    assert again.kind == "demand.update.dispatched" and zone.housing.name in again.subject
    assert zone.land.name not in again.body  # the unit that returned it no longer handles it
    # "again": another text than the first dispatch's subject.
    first = Notification.objects.filter(recipient__username="ent-a", kind="demand.update.dispatched").first()
    assert first.subject != again.subject


def test_the_enterprise_hears_an_approved_extension_with_the_new_date_not_a_refused_one(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    before = len(_enterprise_heard(demand))
    demand = act(zone, Action.EXTEND, "land_staff", demand, days=3, reason="内部：需要会审")
    demand = act(zone, Action.APPROVE_EXTENSION, "supervisor", demand, note="内部：下不为例")
    (extended,) = _enterprise_heard(demand)[before:]
    assert extended.kind == "demand.update.extended"
    assert timezone.localtime(demand.resolution_due_at).strftime("%Y-%m-%d %H:%M") in extended.subject
    assert "内部" not in _text(extended)

    demand = act(zone, Action.EXTEND, "land_staff", demand, days=2, reason="仍需会审")
    act(zone, Action.REFUSE_EXTENSION, "supervisor", demand, note="请按期办结")
    assert len(_enterprise_heard(demand)) == before + 1


def test_the_enterprise_hears_a_reopening_and_a_difficult_case_but_not_its_own_reopening(zone):
    colleague = UserFactory(username="ent-a2", role=User.Role.ENTERPRISE, enterprise=zone.enterprise)
    demand = walk_to(zone, Status.UNRESOLVED)
    demand = act(zone, Action.REOPEN, "contact", demand, reason="问题没有解决")
    told = {r.recipient.username for r in Notification.objects.filter(kind="demand.update.reopened")}
    assert told == {colleague.username}  # the contact who reopened it is not told of their own act
    reopened = Notification.objects.get(kind="demand.update.reopened")
    assert "2" in reopened.subject and zone.land.name in reopened.body

    demand = walk_to(zone, Status.DISPATCHED)
    act(zone, Action.ESCALATE, "officer", demand, reason="内部：涉及领导批示")
    (escalated,) = [r for r in _enterprise_heard(demand) if r.kind == "demand.update.escalated"]
    assert "内部" not in _text(escalated)


def test_the_units_working_steps_tell_the_enterprise_nothing(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    before = len(_enterprise_heard(demand))
    demand = act(zone, Action.RESPOND, "land_staff", demand)
    act(zone, Action.ASSESS, "land_staff", demand, assessment="内部研判：以 2025 年批复为准")
    assert len(_enterprise_heard(demand)) == before
    assert not Notification.objects.filter(recipient__role=User.Role.ENTERPRISE, body__contains="内部研判").exists()


def test_an_action_item_tells_no_enterprise_even_one_it_concerns(zone):
    with transaction.atomic():
        action_item_open(
            actor=zone.supervisor,
            title="完善园区道路",
            description="会议决定",
            lead_unit=zone.land,
            due_at=timezone.now() + timedelta(days=10),
            enterprise=zone.enterprise,
        )
    assert Notification.objects.filter(kind="demand.dispatched").exists()
    assert not Notification.objects.filter(recipient__role=User.Role.ENTERPRISE).exists()
