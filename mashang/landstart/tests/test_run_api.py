"""A run of the default bundle driven through the API by the people of each unit, with a
controlled clock; and what each of them may not do."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from mashang.audit.models import Event
from mashang.landstart.models import Run, RunState
from mashang.landstart.services.runs import (
    MSG_AWARD_BEFORE_OPEN,
    MSG_AWARD_ONLY_LISTED,
    MSG_NOT_LISTED,
)
from mashang.landstart.services.steps import (
    MSG_ALREADY_DONE,
    MSG_NOT_AWARDED,
    MSG_NOT_YOUR_STEP,
    MSG_PREREQUISITES_OPEN,
)
from mashang.notify.models import Notification
from mashang.projects.models import Project, Stage
from tests.kit.clocks import CST as TZ
from tests.kit.landstart import AWARD, OPENED, documents_on_file

RECORD_PATH = ["confirmation", "land_contract", "land_use_permit", "works_permit", "construction_permit"]
PLANNED_PATH = ["confirmation", "land_contract", "land_payment", "deed_tax", "title", "construction_permit"]


def _iso(value: datetime) -> str:
    return value.isoformat()


def _steps(run: dict) -> dict[str, dict]:
    return {s["code"]: s for s in run["steps"]}


def _states(run: dict) -> dict[str, str]:
    return {s["code"]: s["state"] for s in run["steps"]}


def _open(bundle, api) -> dict:
    with time_machine.travel(OPENED, tick=False):
        response = api("officer").post("/api/v1/landstarts", {"project": bundle.project.pk})
    assert response.status_code == 201, response.content
    documents_on_file(Run.objects.get(pk=response.json()["id"]))  # staged in the pre-review
    return response.json()


def _complete(client, run: dict, step: str):
    return client.post(f"/api/v1/landstarts/{run['id']}/steps/{step}/complete")


def test_the_default_bundle_run_by_its_units_finishes_in_41_minutes_on_the_real_critical_path(bundle, api):
    run = _open(bundle, api)
    assert run["state"] == "listed" and run["template"] == {"code": "default", "version": 1, "name": "拿地即动工标准事项包"}
    assert set(_states(run).values()) == {"waiting"} and run["elapsed_minutes"] is None
    assert run["expected_minutes"] == 40 and run["critical_path"] == PLANNED_PATH

    with time_machine.travel(AWARD, tick=False) as clock:
        units = {code: api(f"unit-{code}") for code in ["jyzx", "zrzy", "cz", "sw", "zjj"]}
        response = units["jyzx"].post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        assert response.status_code == 200, response.content
        run = response.json()
        assert run["state"] == "running" and run["awarded_at"] == _iso(AWARD)
        assert [c for c, s in _states(run).items() if s == "active"] == ["confirmation"]
        assert _steps(run)["confirmation"]["started_at"] == _iso(AWARD)

        def done(unit: str, step: str, *, seconds: int) -> dict:
            clock.move_to(AWARD + timedelta(seconds=seconds))
            response = _complete(units[unit], run, step)
            assert response.status_code == 200, (step, response.content)
            return response.json()

        done("jyzx", "confirmation", seconds=15)
        after = done("zrzy", "land_contract", seconds=45)
        # The contract opens two branches at once: the money and the planning permits.
        assert [c for c, s in _states(after).items() if s == "active"] == ["land_payment", "land_use_permit"]
        assert _steps(after)["land_payment"]["started_at"] == _iso(AWARD + timedelta(seconds=45))
        # Two units complete their parallel steps at the same minute.
        done("cz", "land_payment", seconds=60)
        after = done("zrzy", "land_use_permit", seconds=60)
        assert [c for c, s in _states(after).items() if s == "active"] == ["deed_tax", "works_permit"]
        done("sw", "deed_tax", seconds=90)
        done("zrzy", "title", seconds=120)  # 09:32
        after = done("zrzy", "works_permit", seconds=180)  # 09:33
        assert [c for c, s in _states(after).items() if s == "active"] == ["construction_permit"]

        # 35 minutes in, the construction permit has been active 32 of its expected 30: late.
        clock.move_to(AWARD + timedelta(minutes=35))
        live = units["zjj"].get(f"/api/v1/landstarts/{run['id']}").json()
        assert live["state"] == "running" and live["elapsed_minutes"] == 35
        assert _steps(live)["construction_permit"]["late"] is True
        assert _steps(live)["title"]["late"] is False
        assert live["critical_path"] == RECORD_PATH and live["projected_minutes"] == 35

        final = done("zjj", "construction_permit", seconds=41 * 60)  # 10:11

    assert final["state"] == "completed" and final["completed_at"] == _iso(AWARD + timedelta(minutes=41))
    assert final["elapsed_minutes"] == 41 and final["elapsed_seconds"] == 41 * 60
    assert final["critical_path"] == RECORD_PATH and final["projected_minutes"] == 41
    assert set(_states(final).values()) == {"done"}
    assert [(u["unit"], u["minutes"]) for u in final["unit_shares"]] == [("zjj", 38), ("zrzy", 2.75), ("jyzx", 0.25)]
    assert _steps(final)["construction_permit"]["waiting_minutes"] == 3
    assert _steps(final)["construction_permit"]["working_minutes"] == 38

    # Hours later the record still reads 41 minutes, in the list as in the run.
    with time_machine.travel(AWARD + timedelta(hours=5), tick=False):
        listed = api("officer").get("/api/v1/landstarts").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["id"], row["project"], row["state"], row["awarded_at"], row["elapsed_minutes"]) == (
        run["id"], bundle.project.pk, "completed", _iso(AWARD), 41,
    )
    # The project moved to awarded and then to construction started; every change is an event.
    assert Project.objects.get(pk=bundle.project.pk).stage == "started"
    events = list(Event.objects.filter(subject_type="landstart", subject_id=run["id"]).order_by("id"))
    assert [e.action for e in events] == ["open", "award"] + ["complete"] * 8
    assert Run.objects.get(pk=run["id"]).version == len(events) == final["version"]
    last = events[-1].payload
    assert last["step"] == "construction_permit" and last["run_completed"] is True
    assert last["completed_at"] == _iso(AWARD + timedelta(minutes=41))
    assert last["started_at"] == _iso(AWARD + timedelta(minutes=3))


def test_each_unit_is_told_when_its_step_becomes_active(bundle, api):
    run = _open(bundle, api)
    with time_machine.travel(AWARD, tick=False):
        api("officer").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        _complete(api("unit-jyzx"), run, "confirmation")
        _complete(api("unit-zrzy"), run, "land_contract")
    told = Notification.objects.filter(kind="landstart.step_active", channel="inbox")
    assert set(told.values_list("recipient__username", flat=True)) == {"unit-jyzx", "unit-zrzy", "unit-cz"}
    cz = told.get(recipient__username="unit-cz")
    assert "土地出让金缴纳" in cz.subject and cz.payload == {"run": run["id"], "steps": ["land_payment"]}
    prereview = Notification.objects.filter(kind="landstart.prereview", channel="inbox")
    assert {"unit-jyzx", "unit-zrzy", "unit-zjj"} <= set(prereview.values_list("recipient__username", flat=True))
    assert not prereview.filter(recipient__username__in=["unit-cz", "unit-sw"]).exists()


def test_a_unit_cannot_complete_another_units_step_and_an_outsider_cannot_see_the_run(bundle, api):
    run = _open(bundle, api)
    with time_machine.travel(AWARD, tick=False):
        api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        response = _complete(api("unit-cz"), run, "confirmation")
        assert response.status_code == 403
        assert response.json()["message"] == str(MSG_NOT_YOUR_STEP).format(unit="公共资源交易中心", step="成交确认书")
        # The investor's contact follows the run but completes nothing.
        investor = api("ent-a")
        assert investor.get(f"/api/v1/landstarts/{run['id']}").status_code == 200
        assert _complete(investor, run, "confirmation").status_code == 403
        # Another enterprise's contact does not learn that the run exists.
        other = api("ent-b")
        assert other.get(f"/api/v1/landstarts/{run['id']}").status_code == 404
        assert _complete(other, run, "confirmation").status_code == 404
        assert other.get("/api/v1/landstarts").json()["count"] == 0
    assert Run.objects.get(pk=run["id"]).version == 2


def test_a_step_whose_prerequisites_are_open_is_refused_naming_them(bundle, api):
    run = _open(bundle, api)
    with time_machine.travel(AWARD, tick=False):
        housing = api("unit-zjj")
        response = _complete(housing, run, "construction_permit")
        assert response.status_code == 409
        assert response.json()["message"] == str(MSG_NOT_AWARDED)
        api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        response = _complete(housing, run, "construction_permit")
        assert response.status_code == 409
        assert response.json()["message"] == str(MSG_PREREQUISITES_OPEN).format(
            step="施工许可证", open="“建设工程规划许可证”、“不动产权证书”"
        )
        jyzx = api("unit-jyzx")
        assert _complete(jyzx, run, "confirmation").status_code == 200
        again = _complete(jyzx, run, "confirmation")
        assert again.status_code == 409
        assert again.json()["message"] == str(MSG_ALREADY_DONE).format(step="成交确认书")
        assert _complete(jyzx, run, "no_such_step").status_code == 404
    events = Event.objects.filter(subject_type="landstart", subject_id=run["id"]).count()
    assert events == 3 == Run.objects.get(pk=run["id"]).version


def test_the_award_is_checked(bundle, api):
    run = _open(bundle, api)
    path = f"/api/v1/landstarts/{run['id']}/award"
    with time_machine.travel(AWARD, tick=False):
        # Only the trading centre (or the service team) records the award.
        assert api("unit-cz").post(path, {"awarded_at": _iso(AWARD)}).status_code == 403
        # An award before the run was opened is a mistake in the time entered.
        early = OPENED - timedelta(days=1)
        response = api("unit-jyzx").post(path, {"awarded_at": _iso(early)})
        assert response.status_code == 409
        assert response.json()["message"] == str(MSG_AWARD_BEFORE_OPEN).format(
            awarded=_iso(early), opened=_iso(OPENED)
        )
        # Not later than now.
        response = api("unit-jyzx").post(path, {"awarded_at": _iso(AWARD + timedelta(minutes=1))})
        assert response.status_code == 422 and "awarded_at" in response.json()["fields"]
        # A stale run version is refused.
        assert api("unit-jyzx").post(path, {"awarded_at": _iso(AWARD), "version": 7}).status_code == 409
        assert api("unit-jyzx").post(path, {"awarded_at": _iso(AWARD), "version": 1}).status_code == 200
        twice = api("officer").post(path, {"awarded_at": _iso(AWARD)})
        assert twice.status_code == 409
        assert twice.json()["message"] == str(MSG_AWARD_ONLY_LISTED).format(state=RunState.RUNNING.label)
    assert Project.objects.get(pk=bundle.project.pk).stage == "awarded"


def test_a_run_opens_only_for_a_listed_project_once_by_the_service_team(bundle, api):
    officer = api("officer")
    signed = bundle.make_project(stage="signed")
    response = officer.post("/api/v1/landstarts", {"project": signed.pk})
    assert response.status_code == 409
    assert response.json()["message"] == str(MSG_NOT_LISTED).format(
        project=f"{signed.number} {signed.name}", stage=Stage.SIGNED.label
    )
    assert api("unit-zrzy").post("/api/v1/landstarts", {"project": bundle.project.pk}).status_code == 403
    assert api("ent-a").post("/api/v1/landstarts", {"project": bundle.project.pk}).status_code == 403
    assert officer.post("/api/v1/landstarts", {"project": 999999}).status_code == 404
    unknown = officer.post("/api/v1/landstarts", {"project": bundle.project.pk, "template": "nope"})
    assert unknown.status_code == 422 and "template" in unknown.json()["fields"]

    key = {"Idempotency-Key": "open-once"}
    first = officer.post("/api/v1/landstarts", {"project": bundle.project.pk}, headers=key)
    retry = officer.post("/api/v1/landstarts", {"project": bundle.project.pk}, headers=key)
    assert first.status_code == retry.status_code == 201 and first.json()["id"] == retry.json()["id"]
    second = officer.post("/api/v1/landstarts", {"project": bundle.project.pk})
    assert second.status_code == 409
    assert Run.objects.filter(project=bundle.project).count() == 1


def test_a_done_step_is_sent_back_with_a_reason_and_done_again(bundle, api):
    run = _open(bundle, api)
    base = f"/api/v1/landstarts/{run['id']}/steps"
    with time_machine.travel(AWARD, tick=False) as clock:
        zrzy, cz, sw = api("unit-zrzy"), api("unit-cz"), api("unit-sw")
        api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        _complete(api("unit-jyzx"), run, "confirmation")
        clock.move_to(AWARD + timedelta(minutes=1))
        _complete(zrzy, run, "land_contract")
        clock.move_to(AWARD + timedelta(minutes=2))
        # Tax has no step depending on the contract: not its to send back.
        assert sw.post(f"{base}/land_contract/return", {"reason": "金额有误"}).status_code == 403
        assert cz.post(f"{base}/land_contract/return", {"reason": "  "}).status_code == 422
        assert cz.post(f"{base}/land_payment/return", {"reason": "x"}).status_code == 403
        response = cz.post(f"{base}/land_contract/return", {"reason": "合同价款与成交价不一致"})
        assert response.status_code == 200, response.content
        back = _steps(response.json())
        assert back["land_contract"]["state"] == "returned"
        assert back["land_contract"]["return_reason"] == "合同价款与成交价不一致"
        assert back["land_payment"]["state"] == back["land_use_permit"]["state"] == "waiting"
        assert back["land_payment"]["started_at"] is None
        assert _complete(cz, run, "land_payment").status_code == 409
        told = Notification.objects.get(kind="landstart.step_returned", recipient__username="unit-zrzy")
        assert "合同价款与成交价不一致" in told.body

        clock.move_to(AWARD + timedelta(minutes=3))
        again = _steps(_complete(zrzy, run, "land_contract").json())
        assert again["land_contract"]["state"] == "done"
        assert again["land_contract"]["started_at"] == _iso(AWARD + timedelta(seconds=0))
        assert again["land_payment"]["state"] == "active"
        assert again["land_payment"]["started_at"] == _iso(AWARD + timedelta(minutes=3))

        # Once a dependent is done, the step can no longer be sent back; nor can a step not done.
        _complete(zrzy, run, "land_use_permit")
        response = api("officer").post(f"{base}/land_contract/return", {"reason": "复核"})
        assert response.status_code == 409 and "建设用地规划许可证" in response.json()["message"]
        assert api("officer").post(f"{base}/land_payment/return", {"reason": "复核"}).status_code == 409
    actions = list(
        Event.objects.filter(subject_type="landstart", subject_id=run["id"]).values_list("action", flat=True)
    )
    assert actions == ["open", "award", "complete", "complete", "return", "complete", "complete"]
    assert Run.objects.get(pk=run["id"]).version == len(actions)


def test_units_pre_review_while_the_land_is_listed(bundle, api):
    run = _open(bundle, api)
    base = f"/api/v1/landstarts/{run['id']}/steps"
    with time_machine.travel(OPENED + timedelta(days=2), tick=False):
        zrzy = api("unit-zrzy")
        response = zrzy.post(f"{base}/land_use_permit/stage")
        assert response.status_code == 200
        step = _steps(response.json())["land_use_permit"]
        assert step["staged"] is True and step["state"] == "waiting"
        assert step["staged_at"] == _iso(OPENED + timedelta(days=2))
        assert zrzy.post(f"{base}/land_use_permit/stage").status_code == 409
        assert api("unit-cz").post(f"{base}/land_payment/stage").status_code == 409  # not pre-reviewable
        assert api("unit-cz").post(f"{base}/title/stage").status_code == 403
        assert "stage" in _steps(zrzy.get(f"/api/v1/landstarts/{run['id']}").json())["works_permit"]["actions"]
    with time_machine.travel(AWARD, tick=False):
        api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        assert api("unit-zrzy").post(f"{base}/works_permit/stage").status_code == 409


def test_a_cancelled_run_frees_the_project_for_a_new_one(bundle, api):
    run = _open(bundle, api)
    officer = api("officer")
    assert officer.post(f"/api/v1/landstarts/{run['id']}/cancel", {"reason": ""}).status_code == 422
    assert api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/cancel", {"reason": "x"}).status_code == 403
    response = officer.post(f"/api/v1/landstarts/{run['id']}/cancel", {"reason": "挂牌流拍"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert officer.post(f"/api/v1/landstarts/{run['id']}/cancel", {"reason": "x"}).status_code == 409
    assert api("unit-jyzx").post(
        f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(datetime.now(TZ))}
    ).status_code == 409
    again = officer.post("/api/v1/landstarts", {"project": bundle.project.pk})
    assert again.status_code == 201 and again.json()["id"] != run["id"]


@pytest.mark.parametrize("state", ["completed", "running"])
def test_the_list_filters_by_state_and_project(bundle, api, state):
    run = _open(bundle, api)
    officer = api("officer")
    assert officer.get("/api/v1/landstarts", state="listed").json()["count"] == 1
    assert officer.get("/api/v1/landstarts", state=state).json()["count"] == 0
    assert officer.get("/api/v1/landstarts", project=bundle.project.pk).json()["results"][0]["id"] == run["id"]
    assert officer.get("/api/v1/landstarts", state="bogus").status_code == 422


def test_a_step_version_when_given_must_be_current_and_a_body_is_optional(bundle, api):
    run = _open(bundle, api)
    with time_machine.travel(AWARD, tick=False):
        api("unit-jyzx").post(f"/api/v1/landstarts/{run['id']}/award", {"awarded_at": _iso(AWARD)})
        jyzx = api("unit-jyzx")
        path = f"/api/v1/landstarts/{run['id']}/steps/confirmation/complete"
        stale = jyzx.post(path, {"version": 1})  # the award made it version 2
        assert stale.status_code == 409
        assert jyzx.post(path, raw="").status_code == 200
        path = f"/api/v1/landstarts/{run['id']}/steps/land_contract/complete"
        assert api("unit-zrzy").post(path, {"version": 2}).status_code == 200
