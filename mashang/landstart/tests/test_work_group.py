"""The work group follows the run in its chat group: the award, every step completion, every
send-back and the final permit reach the run's work-group robot (or its batch's) through the
outbox, once each, in the zone's language; and the service team chooses the robot on the board
and through the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.landstart import messages
from mashang.landstart.models import Batch, Commitment, Run, RunStep, StepDocument
from mashang.landstart.services import (
    landstart_award,
    landstart_cancel,
    landstart_step_complete,
    landstart_step_return,
    landstart_work_group_set,
)
from mashang.landstart.services.commitments import CommitmentTerms
from mashang.landstart.services.workgroup import MSG_MAY_NOT_SET, MSG_NO_ROBOT
from mashang.landstart.views.workgroup import MSG_SAVED
from mashang.notify.models import ChatRobot, Message, Notification, Platform
from mashang.notify.recipients import Audience
from mashang.notify.services import messages_fan_out, notification_deliver_due
from mashang.org.models import User
from tests.kit.landstart import AWARD, OPENED, ORDER, RECORD_41, run_of
from tests.kit.threads import together

R = User.Role
GROUP_KINDS = (
    messages.GROUP_AWARD,
    messages.GROUP_STEP_DONE,
    messages.GROUP_STEP_RETURNED,
    messages.GROUP_COMPLETED,
)
UNITS = dict(ORDER)


@pytest.fixture
def robot(db) -> ChatRobot:
    return ChatRobot.objects.create(
        name="拿地即动工专班群", platform=Platform.WECOM, webhook_url="https://qyapi.example/cgi-bin/webhook/send?key=1"
    )


@pytest.fixture
def other_robot(db) -> ChatRobot:
    return ChatRobot.objects.create(
        name="供地批次工作群", platform=Platform.DINGTALK, webhook_url="https://oapi.example/robot/send?access_token=2"
    )


def group_rows(**filters) -> list[Notification]:
    return list(Notification.objects.filter(kind__in=GROUP_KINDS, **filters).order_by("id"))


def zone_text(call, *args, **kwargs) -> str:
    """What a text helper of the messages says in the zone's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(call(*args, **kwargs))


def complete(bundle, run: Run, code: str, minutes: float) -> None:
    landstart_step_complete(
        actor=bundle.people[UNITS[code]], run_id=run.pk, step_code=code, at=AWARD + timedelta(minutes=minutes)
    )


def listed_run(bundle, *, project=None, robot: ChatRobot | None = None) -> Run:
    run = run_of(bundle, project=project, opened=OPENED)
    if robot is not None:
        Run.objects.filter(pk=run.pk).update(work_group_robot=robot)
    return run


def award(bundle, run: Run, at=AWARD) -> None:
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=at, at=at)


def drive(bundle, run: Run, awarded, minutes: dict[str, float]) -> None:
    """Award ``run`` at ``awarded`` and complete its steps at these minutes after the award."""
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=awarded, at=awarded)
    for code, unit in ORDER:
        if code in minutes:
            landstart_step_complete(
                actor=bundle.people[unit], run_id=run.pk, step_code=code, at=awarded + timedelta(minutes=minutes[code])
            )


def make_batch(bundle, robot: ChatRobot | None) -> Batch:
    return Batch.objects.create(
        number="PC-2026-01",
        name="六月供地批次",
        award_from=date(2026, 6, 10),
        award_to=date(2026, 6, 12),
        work_group_robot=robot,
        created_at=OPENED,
        created_by=bundle.zone.officer,
    )


# --- what the work group hears ----------------------------------------------------------------


def test_the_work_group_hears_the_award_each_completion_a_send_back_and_the_permit_once_each(bundle, robot):
    run = listed_run(bundle, robot=robot)
    project = bundle.project
    assert group_rows() == []  # opening the run (the listing) is the units' business

    award(bundle, run)
    [told] = group_rows()
    assert (told.kind, told.robot_id, told.channel) == (messages.GROUP_AWARD, robot.pk, "wecom")
    assert told.link == f"/landstart/{run.pk}/"
    assert project.number in told.subject and project.name in told.subject and "09:30" in told.subject
    # The steps that can be done at once, each with its unit; the number of steps in all.
    assert "成交确认书" in told.body and "公共资源交易中心" in told.body and "8" in told.body

    complete(bundle, run, "confirmation", 0.25)
    complete(bundle, run, "land_contract", 0.75)
    rows = group_rows()
    assert [r.kind for r in rows] == [messages.GROUP_AWARD] + [messages.GROUP_STEP_DONE] * 2
    contract = rows[-1]
    assert project.number in contract.subject and "2/8" in contract.subject
    assert "出让合同" in contract.subject and "自然资源分局" in contract.subject
    # It took 30 seconds, 45 seconds since the award; next: the money and the planning permit.
    assert zone_text(messages._span, 30) in contract.body and "0:00:45" in contract.body
    assert "土地出让金缴纳" in contract.body and "财政局" in contract.body and "建设用地规划许可证" in contract.body

    for code in ["land_payment", "land_use_permit", "deed_tax", "title", "works_permit"]:
        complete(bundle, run, code, RECORD_41[code])
    works = group_rows()[-1]
    assert "7/8" in works.subject and "建设工程规划许可证" in works.subject
    assert zone_text(messages._span, 120) in works.body and "0:03:00" in works.body

    # The housing bureau sends the works permit back: who, which step, why.
    landstart_step_return(
        actor=bundle.people["zjj"], run_id=run.pk, step_code="works_permit", reason="图纸页码不全",
        at=AWARD + timedelta(minutes=5),
    )
    back = group_rows()[-1]
    assert back.kind == messages.GROUP_STEP_RETURNED
    assert "建设工程规划许可证" in back.subject and project.number in back.subject
    assert str(bundle.people["zjj"]) in back.body and "住房和城乡建设局" in back.body
    assert "图纸页码不全" in back.body and "0:05:00" in back.body and "6/8" in back.body

    complete(bundle, run, "works_permit", 6)
    complete(bundle, run, "construction_permit", 41)
    rows = group_rows()
    assert [r.kind for r in rows] == (
        [messages.GROUP_AWARD] + [messages.GROUP_STEP_DONE] * 7 + [messages.GROUP_STEP_RETURNED]
        + [messages.GROUP_STEP_DONE, messages.GROUP_COMPLETED]
    )
    final = rows[-1]
    assert project.number in final.subject and "施工许可证" in final.subject
    assert zone_text(messages._span, 41 * 60) in final.subject
    assert "8/8" in final.body and "09:30:00" in final.body and "10:11:00" in final.body
    assert zone_text(gettext, "The first run of this bundle to finish: it sets the record.") in final.body
    assert {r.robot_id for r in rows} == {robot.pk} and all(r.link == f"/landstart/{run.pk}/" for r in rows)


def test_with_the_worker_each_change_is_one_outbox_message_for_the_robot(bundle, robot, settings):
    settings.MASHANG_NOTIFY_FAN_OUT = "worker"
    run = listed_run(bundle, robot=robot)
    award(bundle, run)
    complete(bundle, run, "confirmation", 1)
    waiting = list(Message.objects.filter(kind__in=GROUP_KINDS).order_by("id"))
    assert [m.kind for m in waiting] == [messages.GROUP_AWARD, messages.GROUP_STEP_DONE]
    assert all(Audience.from_json(m.audience) == Audience(robots=(robot.pk,)) for m in waiting)
    assert messages_fan_out(at=AWARD + timedelta(minutes=2)) >= 2
    assert [(r.kind, r.robot_id) for r in group_rows()] == [
        (messages.GROUP_AWARD, robot.pk), (messages.GROUP_STEP_DONE, robot.pk),
    ]


def test_a_step_completed_twice_is_told_once(bundle, robot):
    run = listed_run(bundle, robot=robot)
    award(bundle, run)
    complete(bundle, run, "confirmation", 1)
    with pytest.raises(TransitionNotAllowed):
        complete(bundle, run, "confirmation", 2)
    assert [r.kind for r in group_rows()] == [messages.GROUP_AWARD, messages.GROUP_STEP_DONE]


def test_a_completion_under_a_commitment_tells_the_group_what_is_promised_by_whom_and_when(bundle, robot):
    run = listed_run(bundle, robot=robot)
    StepDocument.objects.filter(step__run=run, step__code="deed_tax").delete()
    drive(bundle, run, AWARD, {"confirmation": 0.25, "land_contract": 0.75, "land_payment": 1})
    landstart_step_complete(
        actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax", at=AWARD + timedelta(minutes=2),
        commitment=CommitmentTerms(promised_by="甲企业有限公司 张三", working_days=1),
    )
    [promise] = Commitment.objects.filter(step__run=run)
    told = group_rows()[-1]
    assert told.kind == messages.GROUP_STEP_DONE and "契税" in told.subject
    due = timezone.localtime(promise.due_at).strftime("%Y-%m-%d %H:%M")
    assert "契税完税证明" in told.body and "甲企业有限公司 张三" in told.body and due in told.body
    # A step completed with its document says nothing of a promise.
    assert "甲企业有限公司 张三" not in group_rows()[-2].body


def test_the_final_permit_is_compared_with_the_best_record_so_far(bundle, robot):
    """41 minutes sets the record; 40 minutes 12 seconds breaks it; 45 minutes is 4 min 48 s
    slower than the record."""
    times = [
        (bundle.project, AWARD, 41),
        (bundle.make_project(), AWARD + timedelta(days=1), 40.2),
        (bundle.make_project(), AWARD + timedelta(days=2), 45),
    ]
    for project, awarded, total in times:
        run = listed_run(bundle, project=project, robot=robot)
        drive(bundle, run, awarded, {**RECORD_41, "construction_permit": total})
    first, second, third = group_rows(kind=messages.GROUP_COMPLETED)

    def say(msgid: str, **values) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return gettext(msgid).format(**values)

    span = lambda seconds: zone_text(messages._span, seconds)  # noqa: E731
    assert say("The first run of this bundle to finish: it sets the record.") in first.body
    assert span(41 * 60) in first.subject
    assert say(
        "A new record: the best so far was {span} ({project}).", span=span(41 * 60), project=bundle.project.number
    ) in second.body
    assert span(40 * 60 + 12) in second.subject and "40.2" in second.body
    assert say(
        "The record is {span} ({project}); this run took {more} more.",
        span=span(40 * 60 + 12),
        project=times[1][0].number,
        more=span(4 * 60 + 48),
    ) in third.body


def test_a_run_without_its_own_robot_is_followed_by_its_batchs_and_its_own_wins(bundle, robot, other_robot):
    batch = make_batch(bundle, other_robot)
    run = listed_run(bundle)
    Run.objects.filter(pk=run.pk).update(batch=batch)
    award(bundle, run)
    assert [(r.kind, r.robot_id) for r in group_rows()] == [(messages.GROUP_AWARD, other_robot.pk)]

    Run.objects.filter(pk=run.pk).update(work_group_robot=robot)
    complete(bundle, run, "confirmation", 1)
    assert [r.robot_id for r in group_rows()] == [other_robot.pk, robot.pk]


def test_no_robot_no_message_and_a_switched_off_robot_gets_none(bundle, robot):
    run = listed_run(bundle)
    Run.objects.filter(pk=run.pk).update(batch=make_batch(bundle, None))
    award(bundle, run)
    complete(bundle, run, "confirmation", 1)
    assert group_rows() == []
    # The units still hear of their steps as before.
    assert Notification.objects.filter(kind=messages.STEP_ACTIVE).exists()

    ChatRobot.objects.filter(pk=robot.pk).update(receives_messages=False)
    Run.objects.filter(pk=run.pk).update(work_group_robot=robot)
    complete(bundle, run, "land_contract", 2)
    assert group_rows() == []


def test_the_texts_are_in_the_zones_language_whatever_the_actor_reads(bundle, robot, settings):
    run = listed_run(bundle, robot=robot)
    project = bundle.project
    with translation.override("en"):
        award(bundle, run)
    [told] = group_rows()
    with translation.override(settings.LANGUAGE_CODE):
        expected = gettext("[Land start] {project} awarded at {time}: the clock is running.").format(
            project=f"{project.number} {project.name}", time="09:30"
        )
    assert told.subject == expected

    # A zone that speaks English hears English, though the actor's page is in Chinese.
    settings.LANGUAGE_CODE = "en"
    with translation.override("zh-hans"):
        complete(bundle, run, "confirmation", 0.25)
    done = group_rows()[-1]
    assert done.subject == f"[Land start] {project.number} step 1/8 done: 成交确认书 (公共资源交易中心)"
    assert done.body.splitlines()[0] == f"{project.name}: took 15 seconds, 0:00:15 since the award."
    assert done.body.splitlines()[1] == "Next: 出让合同 (自然资源分局)."


@given(st.integers(min_value=0, max_value=3599))
def test_a_span_under_an_hour_reads_back_as_its_seconds(seconds):
    with translation.override("en"):
        text = messages._span(seconds)
    numbers = dict((unit, int(n)) for n, unit in re.findall(r"(\d+) (min|s|minutes|seconds)\b", text))
    assert numbers.get("min", 0) * 60 + numbers.get("minutes", 0) * 60 + numbers.get("s", 0) + numbers.get(
        "seconds", 0
    ) == seconds
    clock = messages._clock(seconds)
    h, m, s = (int(x) for x in clock.split(":"))
    assert h == 0 and m * 60 + s == seconds


# --- the API: a retried completion is told once; the robot that follows the run ---------------------


def test_a_completion_retried_with_the_same_idempotency_key_is_told_once(bundle, robot, api):
    run = listed_run(bundle, robot=robot)
    award(bundle, run)
    jyzx = api("unit-jyzx")
    url = f"/api/v1/landstarts/{run.pk}/steps/confirmation/complete"
    with time_machine.travel(AWARD + timedelta(minutes=1), tick=False):
        first = jyzx.post(url, {}, headers={"Idempotency-Key": "done-confirmation"})
        again = jyzx.post(url, {}, headers={"Idempotency-Key": "done-confirmation"})
        plain = jyzx.post(url, {})
    assert first.status_code == again.status_code == 200, first.content
    assert again.json() == first.json()
    assert plain.status_code == 409
    assert [r.kind for r in group_rows()] == [messages.GROUP_AWARD, messages.GROUP_STEP_DONE]


def test_the_service_team_chooses_the_robot_through_the_api(bundle, robot, other_robot, api):
    run = listed_run(bundle)
    officer = api("officer")
    read = officer.get(f"/api/v1/landstarts/{run.pk}").json()
    assert read["work_group"] is None

    response = officer.post(f"/api/v1/landstarts/{run.pk}/work-group", {"robot": robot.pk, "version": read["version"]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["work_group"] == {
        "robot": robot.pk, "name": "拿地即动工专班群", "platform": "wecom", "active": True, "source": "run",
    }
    assert body["version"] == read["version"] + 1
    [event] = Event.objects.filter(subject_type="landstart", subject_id=run.pk, action="work_group")
    assert event.actor == bundle.zone.officer and event.payload["robot"] == robot.pk and event.payload["from"] is None

    # A stale version is refused; so is a robot switched off.
    stale = officer.post(f"/api/v1/landstarts/{run.pk}/work-group", {"robot": other_robot.pk, "version": read["version"]})
    assert stale.status_code == 409
    ChatRobot.objects.filter(pk=other_robot.pk).update(is_active=False)
    off = officer.post(f"/api/v1/landstarts/{run.pk}/work-group", {"robot": other_robot.pk, "version": body["version"]})
    assert off.status_code == 422 and off.json()["fields"]["robot"] == [str(MSG_NO_ROBOT)]

    # None of its own: the batch's robot follows it.
    ChatRobot.objects.filter(pk=other_robot.pk).update(is_active=True)
    Run.objects.filter(pk=run.pk).update(batch=make_batch(bundle, other_robot))
    cleared = officer.post(f"/api/v1/landstarts/{run.pk}/work-group", {"robot": None, "version": body["version"]})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["work_group"]["robot"] == other_robot.pk
    assert cleared.json()["work_group"]["source"] == "batch"
    assert Run.objects.get(pk=run.pk).work_group_robot_id is None


@pytest.mark.parametrize("who", ["unit-zrzy", "leader", "supervisor", "ent-a"])
def test_only_the_service_team_and_administrators_choose_the_robot(bundle, robot, api, who):
    run = listed_run(bundle)
    response = api(who).post(f"/api/v1/landstarts/{run.pk}/work-group", {"robot": robot.pk})
    assert response.status_code == 403, response.content
    assert response.json()["message"] == str(MSG_MAY_NOT_SET)
    assert Run.objects.get(pk=run.pk).work_group_robot_id is None


def test_an_administrator_may_choose_it_and_a_closed_run_keeps_its_own(bundle, robot):
    run = listed_run(bundle)
    landstart_work_group_set(actor=bundle.admin, run_id=run.pk, robot_id=robot.pk, at=OPENED)
    assert Run.objects.get(pk=run.pk).work_group_robot_id == robot.pk
    # The same choice again changes nothing (no new version, no new event).
    version = Run.objects.get(pk=run.pk).version
    landstart_work_group_set(actor=bundle.admin, run_id=run.pk, robot_id=robot.pk, at=OPENED)
    assert Run.objects.get(pk=run.pk).version == version
    with pytest.raises(Conflict):
        landstart_work_group_set(actor=bundle.admin, run_id=run.pk, robot_id=None, version=version - 1)
    with pytest.raises(ValidationFailed):
        landstart_work_group_set(actor=bundle.admin, run_id=run.pk, robot_id=robot.pk + 1000)
    landstart_cancel(actor=bundle.admin, run_id=run.pk, reason="项目撤回")
    with pytest.raises(TransitionNotAllowed):
        landstart_work_group_set(actor=bundle.admin, run_id=run.pk, robot_id=None)
    with pytest.raises(PermissionDenied):
        landstart_work_group_set(actor=bundle.people["zjj"], run_id=run.pk, robot_id=None)


# --- the board page ---------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_board_shows_who_follows_the_run_and_the_service_team_chooses_it(bundle, robot, other_robot):
    run = listed_run(bundle)
    officer = client_for(bundle.zone.officer)
    page = officer.get(f"/landstart/{run.pk}/").content.decode()
    assert 'id="work-group"' in page and f'action="/landstart/{run.pk}/work-group/"' in page
    assert f'<option value="{robot.pk}">' in page and f'<option value="{other_robot.pk}">' in page

    posted = officer.post(
        f"/landstart/{run.pk}/work-group/", {"work-group-robot": robot.pk, "work-group-version": run.version}
    )
    assert posted.status_code == 302 and posted["Location"] == f"/landstart/{run.pk}/"
    page = officer.get(posted["Location"]).content.decode()
    assert str(MSG_SAVED) in page and "拿地即动工专班群" in page
    assert f'<option value="{robot.pk}" selected>' in page
    assert Run.objects.get(pk=run.pk).work_group_robot_id == robot.pk

    # A unit's person sees which group follows the run, without the form.
    unit_page = client_for(bundle.people["zrzy"]).get(f"/landstart/{run.pk}/").content.decode()
    assert "拿地即动工专班群" in unit_page and f"/landstart/{run.pk}/work-group/" not in unit_page


def test_the_boards_form_refuses_a_stale_version_and_a_unit_beside_the_form(bundle, robot):
    run = listed_run(bundle)
    stale = client_for(bundle.zone.officer).post(
        f"/landstart/{run.pk}/work-group/", {"work-group-robot": robot.pk, "work-group-version": run.version + 5}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert 'id="action-work-group" open' in page and f'href="/landstart/{run.pk}/"' in page

    refused = client_for(bundle.people["zrzy"]).post(
        f"/landstart/{run.pk}/work-group/", {"work-group-robot": robot.pk}
    )
    assert refused.status_code == 403
    assert str(MSG_MAY_NOT_SET) in refused.content.decode()
    bad = client_for(bundle.zone.officer).post(f"/landstart/{run.pk}/work-group/", {"work-group-robot": "x"})
    assert bad.status_code == 422
    assert Run.objects.get(pk=run.pk).work_group_robot_id is None
    # Someone who may not see the run gets no page.
    other = client_for(bundle.zone.other_contact).post(f"/landstart/{run.pk}/work-group/", {"work-group-robot": ""})
    assert other.status_code == 404


# --- delivered: markdown where the platform renders it ----------------------------------------------


def test_the_award_reaches_each_platform_as_it_renders_messages(bundle, robots, platforms, settings):
    settings.MASHANG_BASE_URL = "https://mashang.example"
    for robot in robots.all():
        project = bundle.make_project()
        run = listed_run(bundle, project=project, robot=robot)
        award(bundle, run)
    notification_deliver_due(at=AWARD + timedelta(minutes=1))
    assert platforms.problems == []
    received = {r.platform: r for r in platforms.received}
    assert set(received) == {"wecom", "dingtalk", "feishu"}
    wecom = received["wecom"].body["markdown"]["content"]
    assert wecom.startswith("**") and "](https://mashang.example/landstart/" in wecom
    dingtalk = received["dingtalk"].body["markdown"]["text"]
    assert dingtalk.startswith("#### ") and "](https://mashang.example/landstart/" in dingtalk
    assert "成交确认书" in received["feishu"].text and "https://mashang.example/landstart/" in received["feishu"].text


# --- two units at the same moment (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_steps_completed_at_the_same_moment_are_told_once_each(bundle, robot, no_inline):
    run = listed_run(bundle, robot=robot)
    drive(bundle, run, AWARD, {"confirmation": 0.25, "land_contract": 0.75})
    at = AWARD + timedelta(minutes=1)
    results = together([
        lambda: landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment", at=at),
        lambda: landstart_step_complete(
            actor=bundle.zone.land_staff, run_id=run.pk, step_code="land_use_permit", at=at
        ),
    ])
    assert all(isinstance(r, RunStep) for r in results), results
    rows = group_rows(kind=messages.GROUP_STEP_DONE)
    assert len(rows) == 4
    last_two = rows[-2:]
    assert {("土地出让金缴纳" in r.subject, "建设用地规划许可证" in r.subject) for r in last_two} == {
        (True, False), (False, True),
    }
    assert sorted(re.search(r"(\d)/8", r.subject).group(1) for r in last_two) == ["3", "4"]
