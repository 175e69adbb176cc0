"""Who sees and does what, tested from the side that must be refused: another enterprise, a unit
the demand never reached, a co-unit, a unit that returned the demand, a stranger without a token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mashang.api.errors import MSG_UNAUTHORIZED
from mashang.audit.models import Event
from mashang.demands.models import Demand
from mashang.demands.selectors import MSG_NOT_FOUND
from mashang.demands.services import ACTIONS
from mashang.demands.transitions import MOVES, MSG_NOT_YOUR_PART, Action, Party
from mashang.org.models import User
from tests.kit.factories import EnterpriseFactory, UnitFactory, UserFactory

#: A body each action endpoint accepts (the demand's version is added when sending).
BODIES = {
    "triage": {"category": "land"},
    "dispatch": {"lead_unit": "zrzy", "co_units": ["zjj"]},
    "respond": {"note": "已联系", "method": "phone", "contact_with": "李经理"},
    "assess": {"assessment": "研判意见"},
    "opinion": {"opinion": "协办意见"},
    "reply": {"reply": "答复"},
    "confirm": {"resolved": True, "rating": "satisfied"},
    "return": {"reason": "非本单位职责"},
    "extend": {"days": 2, "reason": "需要勘测"},
    "approve-extension": {},
    "refuse-extension": {},
    "wait": {"question": "请补充材料"},
    "resume": {"answer": "已补充"},
    "reopen": {"reason": "未解决"},
    "escalate": {"reason": "难题"},
    "assign-case": {"coordinator": "supervisor", "lead_unit": "zrzy", "working_days": 10},
    "decline-case": {"reason": "按一般诉求办理"},
    "sign-off": {"note": "同意"},
    "merge": {},  # ``into`` is the caller's own demand
    "withdraw": {"reason": "已自行解决"},
}


def file(api, who: str = "ent-a", title: str = "厂房用地红线需要复核") -> dict:
    r = api(who).post("/api/v1/demands", {"title": title, "description": "请协助复核用地红线。"})
    assert r.status_code == 201, r.content
    return r.json()


def dispatched(api, co_units=("zjj",)) -> dict:
    officer = api("officer")
    demand = officer.act(file(api), "triage", category="land").json()
    r = officer.act(demand, "dispatch", lead_unit="zrzy", co_units=list(co_units))
    assert r.status_code == 200, r.content
    return r.json()


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def assert_refused(response, status: int, message: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "fields"} and body["message"]
    if message is not None:
        assert body["message"] == message


def unchanged(demand: dict) -> bool:
    stored = Demand.objects.get(pk=demand["id"])
    events = Event.objects.filter(subject_type="demand", subject_id=demand["id"]).count()
    return (stored.version, stored.status, events) == (
        demand["version"],
        demand["status"],
        demand["version"],
    )


def test_the_bodies_cover_every_action_endpoint():
    assert set(BODIES) == set(ACTIONS) == set(MOVES)


def test_another_enterprise_gets_404_on_the_demand_and_every_action(zone, api):
    demand = dispatched(api)
    other = api("ent-b")
    own = file(api, "ent-b", "乙企业自己的诉求")
    missing = other.get("/api/v1/demands/999999")
    assert_refused(missing, 404, str(MSG_NOT_FOUND))
    r = other.get(f"/api/v1/demands/{demand['id']}")
    assert_refused(r, 404, str(MSG_NOT_FOUND))
    assert r.json() == missing.json()  # indistinguishable from a demand that does not exist
    for action, body in BODIES.items():
        if action == "merge":
            body = {"into": own["number"]}
        r = other.act(demand, action, **body)
        assert_refused(r, 404, str(MSG_NOT_FOUND))
    assert unchanged(demand)


def test_another_enterprise_does_not_see_it_in_the_list(zone, api):
    demand = dispatched(api)
    own = file(api, "ent-b", "乙企业自己的诉求")
    listed = ok(api("ent-b").get("/api/v1/demands"))
    assert (listed["count"], [d["id"] for d in listed["results"]]) == (1, [own["id"]])
    by_code = ok(api("ent-b").get("/api/v1/demands", enterprise=zone.enterprise.credit_code))
    assert by_code["count"] == 0 and by_code["results"] == []
    assert [d["id"] for d in ok(api("ent-a").get("/api/v1/demands"))["results"]] == [demand["id"]]


def test_a_unit_sees_only_what_was_dispatched_to_it(zone, api):
    tax = UnitFactory(code="sw", name="税务分局")
    UserFactory(username="unit-sw", role=User.Role.UNIT_STAFF, unit=tax)
    submitted = file(api, title="尚未派单")
    demand = dispatched(api)
    outsider = api("unit-sw")
    assert ok(outsider.get("/api/v1/demands"))["count"] == 0
    assert ok(outsider.get("/api/v1/demands", unit="zrzy"))["count"] == 0
    assert_refused(outsider.get(f"/api/v1/demands/{demand['id']}"), 404, str(MSG_NOT_FOUND))
    assert_refused(outsider.act(demand, "respond", **BODIES["respond"]), 404, str(MSG_NOT_FOUND))
    for staff in ("unit-zrzy", "unit-zjj"):
        client = api(staff)
        assert [d["id"] for d in ok(client.get("/api/v1/demands"))["results"]] == [demand["id"]]
        assert ok(client.get(f"/api/v1/demands/{demand['id']}"))["number"] == demand["number"]
        # Nor do the dispatched units see what was never dispatched to them.
        assert_refused(client.get(f"/api/v1/demands/{submitted['id']}"), 404)
    assert ok(api("unit-zrzy").get(f"/api/v1/demands/{demand['id']}"))["allowed_actions"] == [
        "respond",
        "return",
        "extend",
    ]
    assert ok(api("unit-zjj").get(f"/api/v1/demands/{demand['id']}"))["allowed_actions"] == ["opinion"]


def test_a_co_unit_cannot_answer_for_the_lead_unit(zone, api):
    demand = ok(api("unit-zrzy").act(dispatched(api), "respond", **BODIES["respond"]))
    co = api("unit-zjj")
    for action in ("reply", "assess", "wait", "return", "extend"):
        r = co.act(demand, action, **BODIES[action])
        assert_refused(
            r,
            403,
            str(MSG_NOT_YOUR_PART).format(party=Party.CO_UNIT.label, action=Action(action).label),
        )
    assert unchanged(demand)
    ok(api("unit-zrzy").act(demand, "reply", reply="已答复"))


def test_after_a_return_and_redispatch_the_first_unit_reads_but_no_longer_acts(zone, api):
    demand = ok(
        api("unit-zrzy").act(dispatched(api, co_units=()), "return", reason="属于住建局职责")
    )
    demand = ok(api("officer").act(demand, "dispatch", lead_unit="zjj"))
    first = api("unit-zrzy")
    seen = ok(first.get(f"/api/v1/demands/{demand['id']}"))
    assert seen["allowed_actions"] == []
    assert {(u["unit"]["code"], u["role"], u["is_current"]) for u in seen["units"]} == {
        ("zrzy", "lead", False),
        ("zjj", "lead", True),
    }
    assert [d["id"] for d in ok(first.get("/api/v1/demands"))["results"]] == [demand["id"]]
    assert (
        ok(first.get("/api/v1/demands", unit="zrzy", open="true"))["count"] == 0
    )  # not in its queue
    for action in ("respond", "return", "extend"):
        assert_refused(first.act(demand, action, **BODIES[action]), 403)
    assert unchanged(demand)
    assert ok(api("unit-zjj").act(demand, "respond", **BODIES["respond"]))["status"] == "in_progress"


@pytest.mark.parametrize("who", ["officer", "supervisor", "leader"])
def test_the_zone_wide_roles_see_every_demand(who, zone, api):
    EnterpriseFactory()
    ids = {dispatched(api)["id"], file(api, "ent-b")["id"], file(api)["id"]}
    client = api(who)
    listed = ok(client.get("/api/v1/demands"))
    assert listed["count"] == 3 and {d["id"] for d in listed["results"]} == ids
    for demand_id in ids:
        ok(client.get(f"/api/v1/demands/{demand_id}"))


def test_an_enterprise_contact_cannot_triage_or_dispatch(zone, api):
    contact = api("ent-a")
    demand = file(api)
    assert_refused(
        contact.act(demand, "triage", category="land"),
        403,
        str(MSG_NOT_YOUR_PART).format(party=Party.ENTERPRISE.label, action=Action.TRIAGE.label),
    )
    demand = ok(api("officer").act(demand, "triage", category="land"))
    assert_refused(contact.act(demand, "dispatch", lead_unit="zrzy"), 403)
    assert unchanged(demand) and Demand.objects.get(pk=demand["id"]).lead_unit is None


@pytest.mark.parametrize("decision", ["approve-extension", "refuse-extension"])
def test_only_the_supervisor_decides_an_extension(decision, zone, api):
    demand = ok(api("unit-zrzy").act(dispatched(api), "extend", days=3, reason="需要现场勘测"))
    for who in ("officer", "leader", "ent-a", "unit-zrzy", "unit-zjj"):
        assert_refused(api(who).act(demand, decision), 403)
    assert unchanged(demand) and Demand.objects.get(pk=demand["id"]).extension_requested_days == 3
    decided = ok(api("supervisor").act(demand, decision))
    assert decided["extension_requested_days"] is None
    assert (decided["events"][-1]["action"], decided["events"][-1]["actor_role"]) == (
        decision,
        "supervisor",
    )


def test_a_request_without_a_token_gets_401_with_a_message(zone, api):
    demand = file(api)
    anonymous, forged = api(None), api(None)
    forged.headers["Authorization"] = "Bearer not-a-token"
    for client in (anonymous, forged):
        assert_refused(client.get("/api/v1/demands"), 401, str(MSG_UNAUTHORIZED))
        assert_refused(client.get(f"/api/v1/demands/{demand['id']}"), 401, str(MSG_UNAUTHORIZED))
        assert_refused(client.act(demand, "withdraw"), 401, str(MSG_UNAUTHORIZED))
        assert_refused(client.post("/api/v1/demands", {"title": "t", "description": "d"}), 401)
    assert Demand.objects.count() == 1 and unchanged(demand)


def test_an_expired_token_gets_401(zone, api, settings):
    hours = settings.MASHANG_API_TOKEN_HOURS
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        contact = api("ent-a")
        demand = file(api)
    with time_machine.travel(start + timedelta(hours=hours) - timedelta(minutes=1), tick=False):
        ok(contact.get(f"/api/v1/demands/{demand['id']}"))
    with time_machine.travel(start + timedelta(hours=hours, minutes=1), tick=False):
        assert_refused(contact.get(f"/api/v1/demands/{demand['id']}"), 401, str(MSG_UNAUTHORIZED))
        assert_refused(contact.act(demand, "withdraw"), 401)
    assert unchanged(demand)


def test_a_deactivated_person_is_refused(zone, api):
    contact = api("ent-a")
    demand = file(api)
    User.objects.filter(username="ent-a").update(is_active=False)
    assert_refused(contact.get(f"/api/v1/demands/{demand['id']}"), 401)


def test_merging_into_another_enterprises_demand_reveals_nothing_about_it(zone, api):
    """The merge target is looked up among the demands the actor may see: probing numbers of
    another enterprise answers exactly as for a number that was never given out."""
    open_one = file(api, title="甲的未结诉求")
    closed_one = ok(api("ent-a").act(file(api, title="甲的已撤回诉求"), "withdraw", **BODIES["withdraw"]))
    own = file(api, "ent-b", "乙企业自己的诉求")
    other = api("ent-b")
    answers = [
        other.act(own, "merge", into=target).json()
        for target in (
            "SQ-2026-999999",
            open_one["number"],
            closed_one["number"],
            str(open_one["id"]),
        )
    ]
    assert answers[0]["fields"] == {"into": [str(MSG_NOT_FOUND)]}
    assert all(answer == answers[0] for answer in answers), answers
    assert unchanged(own)
