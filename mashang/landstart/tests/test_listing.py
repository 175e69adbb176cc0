"""Every listed plot gets its bundle without anyone applying: listing a project (the pipeline,
the ledger import, the API, a land-supply review, a project brought in at the listed stage)
opens its land-start run from the template that fits its type; the units' pre-review is due
when the listing closes; the sweep tells a unit, once, of a pre-review still not ready the
working day before; the template editor says which types a template opens for."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from mashang.audit.models import Event
from mashang.core.errors import ValidationFailed
from mashang.landstart.default_bundle import DEFAULT_STEPS
from mashang.landstart.models import Batch, BundleTemplate, Run, RunState, RunStep
from mashang.landstart.services import (
    landstart_award,
    landstart_open,
    landstart_step_stage,
    template_create,
)
from mashang.landstart.services.listing import LISTING_SUBJECT, NOT_OPENED, listing_run_open
from mashang.landstart.services.prereview import (
    LATE_ACTION,
    late_from,
    office_closing,
    office_opening,
    prereview_sweep,
)
from mashang.landstart.services.runs import MSG_ALREADY_OPEN
from mashang.landstart.services.templates import MSG_TYPE_CLAIMED, template_fitting
from mashang.notify.models import Notification
from mashang.projects.ledger.importer import ledger_import
from mashang.projects.models import Project, ProjectType, Stage
from mashang.projects.services import project_create, project_transition
from mashang.workcal.calendar import WorkCalendar, parse_office_hours
from tests.kit.clocks import CST
from tests.kit.landstart import OPENED

LATE = "landstart.prereview_late"
PRE_REVIEWABLE = [s.code for s in DEFAULT_STEPS if s.pre_reviewable]
#: The listing of the tests closes on Wednesday 10 June 2026; the award is planned that day.
CLOSES_ON = date(2026, 6, 10)
CLOSES_AT = datetime(2026, 6, 10, 17, 30, tzinfo=CST)  # the end of that day's office hours
AWARD_DAY_OPENS = datetime(2026, 6, 10, 8, 30, tzinfo=CST)
#: From then a pre-review not ready is late: the opening of the working day before.
LATE_FROM = datetime(2026, 6, 9, 8, 30, tzinfo=CST)


@pytest.fixture
def kits(bundle) -> dict[str, BundleTemplate]:
    """A template for each project type, beside the default bundle (which claims none)."""
    made = {}
    for code, name, steps, ptype in (
        ("new-land", "新供地事项包", DEFAULT_STEPS, ProjectType.NEW_LAND),
        ("lease", "租赁事项包", DEFAULT_STEPS[:2], ProjectType.LEASE),
        ("expansion", "增资扩产事项包", DEFAULT_STEPS[:1], ProjectType.EXPANSION),
    ):
        made[ptype] = template_create(
            actor=bundle.admin,
            code=code,
            name=name,
            award_unit_code="jyzx",
            steps=steps,
            project_types=[ptype],
            at=OPENED - timedelta(days=1),
        )
    return made


def _at_land_review(bundle, **fields) -> Project:
    return project_create(
        actor=bundle.zone.officer,
        at=OPENED - timedelta(days=3),
        name=fields.pop("name", "挂牌项目"),
        investor_credit_code=bundle.zone.enterprise.credit_code,
        project_type="new_land",
        industry="new_energy",
        planned_investment="100000000",
        service_officer=bundle.zone.officer,
        stage="land_review",
        **fields,
    )


def _list(bundle, project: Project, *, closes_on: date | None = CLOSES_ON, at=OPENED) -> Project:
    project.refresh_from_db()
    return project_transition(
        actor=bundle.zone.officer,
        project_id=project.pk,
        version=project.version,
        action="list-land",
        listing_closes_on=closes_on,
        at=at,
    )


def _run(project: Project) -> Run:
    return Run.objects.get(project=project)


def _late_told() -> list[tuple[str, str]]:
    """(recipient, step) of every late-pre-review message in an inbox."""
    rows = Notification.objects.filter(kind=LATE, channel="inbox")
    return sorted((n.recipient.username, n.payload["steps"][0]) for n in rows)


# --- opening by itself ---------------------------------------------------------------------------


def test_listing_through_the_pipeline_opens_the_run_from_the_template_of_the_type(bundle, kits):
    project = _at_land_review(bundle)
    assert not Run.objects.filter(project=project).exists()

    listed = _list(bundle, project)

    assert listed.stage == Stage.LISTED
    run = _run(project)
    assert (run.template, run.state, run.opened_automatically) == (
        kits[ProjectType.NEW_LAND],
        RunState.LISTED,
        True,
    )
    assert (run.opened_by, run.opened_at) == (bundle.zone.officer, OPENED)
    assert [s.code for s in run.steps.order_by("position")] == [s.code for s in DEFAULT_STEPS]
    opened = Event.objects.get(subject_type="landstart", subject_id=run.pk, action="open")
    assert opened.payload["automatically"] is True and opened.payload["template"] == "new-land"
    # The units of the pre-review steps were told, as when the service team opens a run.
    told = Notification.objects.filter(kind="landstart.prereview", channel="inbox")
    assert {"unit-jyzx", "unit-zrzy", "unit-zjj"} == set(
        told.values_list("recipient__username", flat=True)
    )


@pytest.mark.parametrize("ptype", ProjectType.values)
@pytest.mark.parametrize("claimed", [True, False])
def test_each_type_gets_the_template_that_claims_it_else_the_default_bundle(bundle, ptype, claimed):
    if claimed:
        template_create(
            actor=bundle.admin,
            code=f"kit-{ptype}",
            name=f"事项包 {ptype}",
            award_unit_code="jyzx",
            steps=DEFAULT_STEPS[:2],
            project_types=[ptype],
            at=OPENED - timedelta(days=1),
        )
    project = bundle.make_project(number="XM-2026-0100")
    Project.objects.filter(pk=project.pk).update(project_type=ptype)
    project.refresh_from_db()

    run = listing_run_open(project=project, actor=bundle.zone.officer, at=OPENED)

    expected = f"kit-{ptype}" if claimed else "default"
    assert run is not None and run.template.code == expected and run.opened_automatically
    assert template_fitting(ptype) == (run.template if claimed else None)


def test_the_latest_version_decides_which_template_opens(bundle, kits):
    second = template_create(
        actor=bundle.admin,
        code="new-land",
        name="新供地事项包（第二版）",
        award_unit_code="jyzx",
        steps=DEFAULT_STEPS[:3],
        project_types=["new_land"],
        at=OPENED - timedelta(hours=1),
    )
    first = _at_land_review(bundle, name="甲项目")
    _list(bundle, first)
    assert _run(first).template == second and _run(first).steps.count() == 3

    # A newer version that no longer opens for new land leaves the type to the default bundle.
    template_create(
        actor=bundle.admin,
        code="new-land",
        name="新供地事项包（第三版）",
        award_unit_code="jyzx",
        steps=DEFAULT_STEPS[:3],
        project_types=[],
        at=OPENED - timedelta(minutes=30),
    )
    other = _at_land_review(bundle, name="乙项目")
    _list(bundle, other)
    assert _run(other).template.code == "default"


def test_the_ledger_import_opens_a_run_for_each_listed_row(bundle, kits):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）", "阶段"])
    ws.append(["挂牌项目甲", "某集团", "new_land", "new_energy", 1000, "listed"])
    ws.append(["挂牌项目乙", "某集团", "new_land", "new_energy", 2000, "挂牌"])
    ws.append(["在谈项目", "某集团", "new_land", "new_energy", 3000, "negotiating"])
    out = BytesIO()
    wb.save(out)

    result = ledger_import(
        actor=bundle.zone.officer, content=out.getvalue(), filename="台账.xlsx", at=OPENED
    )

    by_name = {p.name: p for p in result.created}
    for name in ("挂牌项目甲", "挂牌项目乙"):
        run = _run(by_name[name])
        assert run.template == kits[ProjectType.NEW_LAND] and run.opened_automatically
        assert run.opened_by == bundle.zone.officer
    assert not Run.objects.filter(project=by_name["在谈项目"]).exists()


def test_the_api_lists_with_the_closing_day_and_opens_the_run(bundle, kits, api):
    project = _at_land_review(bundle)
    officer = api("officer")
    with time_machine.travel(OPENED, tick=False):
        response = officer.post(
            f"/api/v1/projects/{project.pk}/actions/list-land",
            {"version": project.version, "listing_closes_on": CLOSES_ON.isoformat()},
        )
        created = officer.post(
            "/api/v1/projects",
            {
                "name": "直接挂牌项目",
                "investor_credit_code": bundle.zone.enterprise.credit_code,
                "project_type": "new_land",
                "industry": "new_energy",
                "planned_investment": "50000000",
                "stage": "listed",
            },
        )
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "listed"
    run = _run(project)
    assert run.opened_automatically and run.listing_closes_at == CLOSES_AT
    shown = officer.get(f"/api/v1/landstarts/{run.pk}").json()
    assert shown["opened_automatically"] is True
    assert shown["listing_closes_at"] == CLOSES_AT.isoformat()
    assert created.status_code == 201, created.content
    brought_in = _run(Project.objects.get(pk=created.json()["id"]))
    assert brought_in.template == kits[ProjectType.NEW_LAND] and brought_in.opened_automatically


def test_the_project_page_lists_the_land_with_the_closing_day(bundle, kits):
    project = _at_land_review(bundle)
    officer = Client()
    officer.force_login(bundle.zone.officer)
    with time_machine.travel(OPENED, tick=False):
        form = officer.get(f"/projects/{project.pk}/").content.decode()
        assert 'name="listing_closes_on"' in form
        response = officer.post(
            f"/projects/{project.pk}/act/list-land/",
            {"version": project.version, "reason": "", "listing_closes_on": "2026-06-10"},
        )
    assert response.status_code == 302
    run = _run(project)
    assert run.opened_automatically and run.listing_closes_at == CLOSES_AT


def test_a_land_supply_review_approval_lists_the_land_and_opens_the_run(bundle, kits):
    from django.db import transaction

    from mashang.projects.services import project_review_decide

    project = _at_land_review(bundle)
    with transaction.atomic():
        project_review_decide(
            actor=bundle.zone.leader,
            project_id=project.pk,
            outcome="approve",
            reason="同意供地",
            at=OPENED,
            origin={"meeting": "YP-2026-01"},
        )
    run = _run(project)
    assert run.template == kits[ProjectType.NEW_LAND] and run.opened_by == bundle.zone.leader


def test_a_closing_day_already_past_is_refused_and_nothing_is_listed(bundle, api):
    project = _at_land_review(bundle)
    with time_machine.travel(OPENED, tick=False):
        response = api("officer").post(
            f"/api/v1/projects/{project.pk}/actions/list-land",
            {"version": project.version, "listing_closes_on": "2026-05-29"},
        )
    assert response.status_code == 422
    assert "listing_closes_on" in response.json()["fields"]
    project.refresh_from_db()
    assert project.stage == Stage.LAND_REVIEW and not Run.objects.exists()


def test_a_second_listing_opens_nothing_twice(bundle, kits):
    project = _at_land_review(bundle)
    _list(bundle, project)
    run = _run(project)
    project.refresh_from_db()
    paused = project_transition(
        actor=bundle.zone.officer,
        project_id=project.pk,
        version=project.version,
        action="pause",
        reason="等待规划调整",
        at=OPENED + timedelta(hours=1),
    )
    project_transition(
        actor=bundle.zone.officer,
        project_id=project.pk,
        version=paused.version,
        action="resume",
        at=OPENED + timedelta(hours=2),
    )
    project.refresh_from_db()
    assert project.stage == Stage.LISTED  # listed again, with the run it had
    assert list(Run.objects.filter(project=project)) == [run]
    assert Event.objects.filter(subject_type="landstart", action="open").count() == 1
    assert listing_run_open(project=project, actor=bundle.zone.officer, at=OPENED) is None
    # Opening one by hand is refused as before: the run is open.
    with pytest.raises(Exception) as refused:
        landstart_open(
            actor=bundle.zone.officer, project_id=project.pk, at=OPENED + timedelta(hours=3)
        )
    assert refused.value.message == str(MSG_ALREADY_OPEN).format(
        project=f"{project.number} {project.name}", run=run.pk
    )


def test_a_cancelled_run_is_opened_again_when_the_land_is_listed_again(bundle, kits):
    from mashang.landstart.services import landstart_cancel

    project = _at_land_review(bundle)
    _list(bundle, project)
    first = _run(project)
    landstart_cancel(
        actor=bundle.zone.officer,
        run_id=first.pk,
        reason="重新挂牌",
        at=OPENED + timedelta(hours=1),
    )
    project.refresh_from_db()
    paused = project_transition(
        actor=bundle.zone.officer,
        project_id=project.pk,
        version=project.version,
        action="pause",
        reason="重新挂牌",
        at=OPENED + timedelta(hours=2),
    )
    project_transition(
        actor=bundle.zone.officer,
        project_id=project.pk,
        version=paused.version,
        action="resume",
        at=OPENED + timedelta(hours=3),
    )
    runs = list(Run.objects.filter(project=project).order_by("id"))
    assert [r.state for r in runs] == [RunState.CANCELLED, RunState.LISTED]


def test_when_the_run_cannot_open_the_listing_stands_and_the_service_team_sees_why(
    zone, make_project
):
    """A zone without the default bundle's units and with no template: the land is listed all
    the same; the project's page tells the service team why no run opened."""
    project = make_project(stage="land_review")
    listed = project_transition(
        actor=zone.officer,
        project_id=project.pk,
        version=project.version,
        action="list-land",
        at=OPENED,
    )
    assert listed.stage == Stage.LISTED and not Run.objects.exists()
    failure = Event.objects.get(
        subject_type=LISTING_SUBJECT, subject_id=project.pk, action=NOT_OPENED
    )
    assert "jyzx" in failure.reason

    officer = Client()
    officer.force_login(zone.officer)
    page = officer.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="landstart-not-opened"' in page and escape(failure.reason) in page
    contact = Client()
    contact.force_login(zone.contact)
    assert (
        'id="landstart-not-opened"' not in contact.get(f"/projects/{project.pk}/").content.decode()
    )


# --- the pre-review deadline ----------------------------------------------------------------------


def _due(run: Run) -> dict[str, datetime | None]:
    return dict(run.steps.values_list("code", "prereview_due_at"))


def test_the_closing_day_given_when_listing_is_every_pre_review_deadline(bundle, kits):
    project = _at_land_review(bundle)
    _list(bundle, project, closes_on=CLOSES_ON)
    run = _run(project)
    assert run.listing_closes_at == CLOSES_AT
    due = _due(run)
    assert {code for code, when in due.items() if when == CLOSES_AT} == set(PRE_REVIEWABLE)
    assert {code for code, when in due.items() if when is None} == {"land_payment", "deed_tax"}


def test_without_a_closing_day_the_planned_award_is_the_deadline(bundle, kits):
    project = _at_land_review(bundle, milestones=[{"stage": "awarded", "planned_on": CLOSES_ON}])
    _list(bundle, project, closes_on=None)
    run = _run(project)
    assert run.listing_closes_at == AWARD_DAY_OPENS
    assert {_due(run)[c] for c in PRE_REVIEWABLE} == {AWARD_DAY_OPENS}


def test_without_either_a_batch_award_day_becomes_the_deadline(bundle, kits):
    project = _at_land_review(bundle)
    _list(bundle, project, closes_on=None)
    run = _run(project)
    assert run.listing_closes_at is None and set(_due(run).values()) == {None}
    batch = Batch.objects.create(
        number="PC-2026-01",
        name="第一批",
        award_from=CLOSES_ON,
        award_to=CLOSES_ON + timedelta(days=1),
        created_at=OPENED,
        created_by=bundle.zone.officer,
    )
    Run.objects.filter(pk=run.pk).update(batch=batch)

    prereview_sweep(now=OPENED + timedelta(days=1))

    run.refresh_from_db()
    assert run.listing_closes_at == AWARD_DAY_OPENS
    assert {_due(run)[c] for c in PRE_REVIEWABLE} == {AWARD_DAY_OPENS}


def test_the_units_queues_show_the_pre_review_deadline(bundle, kits):
    project = _at_land_review(bundle)
    _list(bundle, project)
    unit = Client()
    unit.force_login(bundle.people["zjj"])
    with time_machine.travel(OPENED + timedelta(hours=1), tick=False):
        runs_page = unit.get("/landstart/").content.decode()
    assert '<time datetime="2026-06-10T17:30:00+08:00">2026-06-10 17:30</time>' in runs_page
    with time_machine.travel(OPENED + timedelta(hours=1), tick=False):
        board = unit.get(f"/landstart/{_run(project).pk}/").content.decode()
    assert board.count('<time datetime="2026-06-10T17:30:00+08:00">06-10 17:30</time>') == len(
        PRE_REVIEWABLE
    )
    with time_machine.travel(OPENED + timedelta(hours=1), tick=False):
        queue = unit.get("/demands/unit/").content.decode()
    section = queue[queue.index('id="unit-landstart"') :]
    assert '<time datetime="2026-06-10T17:30:00+08:00">2026-06-10 17:30</time>' in section


# --- the sweep ----------------------------------------------------------------------------------


@pytest.fixture
def listed(bundle, kits) -> Run:
    """A run listed on 1 June whose listing closes on 10 June; the trading centre and natural
    resources have marked their first steps ready."""
    project = _at_land_review(bundle)
    _list(bundle, project)
    run = _run(project)
    landstart_step_stage(
        actor=bundle.people["jyzx"], run_id=run.pk, step_code="confirmation", at=OPENED
    )
    landstart_step_stage(
        actor=bundle.people["zrzy"], run_id=run.pk, step_code="land_contract", at=OPENED
    )
    return run


def test_the_sweep_tells_each_unit_once_of_each_late_pre_review(bundle, listed):
    # An awarded run whose listing closed the same day: its steps are no longer pre-reviewed.
    other = _at_land_review(bundle, name="已摘牌项目")
    _list(bundle, other)
    awarded = _run(other)
    landstart_award(
        actor=bundle.people["jyzx"],
        run_id=awarded.pk,
        awarded_at=OPENED + timedelta(days=2),
        at=OPENED + timedelta(days=2),
    )

    assert prereview_sweep(now=LATE_FROM - timedelta(microseconds=1)) == 0
    assert _late_told() == []

    assert prereview_sweep(now=LATE_FROM) == 4
    assert _late_told() == sorted(
        [
            ("unit-zrzy", "title"),
            ("unit-zrzy", "land_use_permit"),
            ("unit-zrzy", "works_permit"),
            ("unit-zjj", "construction_permit"),
        ]
    )
    events = Event.objects.filter(subject_type="landstart", action=LATE_ACTION)
    assert sorted(e.payload["step"] for e in events) == sorted(
        ["title", "land_use_permit", "works_permit", "construction_permit"]
    )
    assert {e.subject_id for e in events} == {listed.pk}

    # Again, and later: nothing more.
    assert prereview_sweep(now=LATE_FROM + timedelta(hours=3)) == 0
    assert prereview_sweep(now=CLOSES_AT) == 0
    assert len(_late_told()) == 4
    noticed = RunStep.objects.filter(run=listed, prereview_late_noticed_at=LATE_FROM)
    assert sorted(noticed.values_list("code", flat=True)) == sorted(
        ["title", "land_use_permit", "works_permit", "construction_permit"]
    )


def test_a_step_marked_ready_in_time_is_never_told(bundle, listed):
    for code in ("title", "land_use_permit", "works_permit"):
        landstart_step_stage(
            actor=bundle.people["zrzy"], run_id=listed.pk, step_code=code, at=OPENED
        )
    landstart_step_stage(
        actor=bundle.people["zjj"], run_id=listed.pk, step_code="construction_permit", at=OPENED
    )
    assert prereview_sweep(now=CLOSES_AT) == 0
    assert _late_told() == []


def test_the_sweep_runs_from_the_command_and_the_task(bundle, listed):
    from mashang.landstart.tasks import landstart_sweep_now

    printed = io.StringIO()
    call_command("landstart_sweep", at=LATE_FROM.isoformat(), stdout=printed)
    assert "预审逾期提醒 4 条" in printed.getvalue()
    assert len(_late_told()) == 4
    assert landstart_sweep_now(now=LATE_FROM + timedelta(minutes=1))["prereview"] == 0


SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(
    tz=SHANGHAI, office_hours=parse_office_hours("08:30-12:00,14:00-17:30"), overrides={}
)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)))
def test_late_from_is_the_opening_of_the_working_day_before_the_listing_closes(day):
    """Whatever the day the listing closes (a holiday, a make-up working day, a weekend): the
    close is the end of the last working day up to it; a step is late from the opening of the
    working day before that one, never earlier, and a whole working day before the close."""
    closes = office_closing(CAL, day)
    closing_day = closes.date()
    assert CAL.is_working_day(closing_day) and closing_day <= day
    assert all(
        not CAL.is_working_day(closing_day + timedelta(days=n))
        for n in range(1, (day - closing_day).days + 1)
    )
    assert closes.time().isoformat() == "17:30:00"
    start = late_from(CAL, closes)
    before = start.date()
    assert CAL.is_working_day(before) and before < closing_day
    assert all(
        not CAL.is_working_day(before + timedelta(days=n))
        for n in range(1, (closing_day - before).days)
    )
    assert start == office_opening(CAL, before) and start.time().isoformat() == "08:30:00"
    assert CAL.working_time_between(start, closes) == 2 * CAL.day_length


# --- the template editor --------------------------------------------------------------------------


def test_two_templates_cannot_claim_the_same_type(bundle, kits):
    with pytest.raises(ValidationFailed) as refused:
        template_create(
            actor=bundle.admin,
            code="another",
            name="另一事项包",
            award_unit_code="jyzx",
            steps=DEFAULT_STEPS[:1],
            project_types=["lease", "new_land"],
        )
    messages = refused.value.fields["project_types"]
    assert (
        str(MSG_TYPE_CLAIMED).format(
            other="新供地事项包", code="new-land", type=ProjectType.NEW_LAND.label
        )
        in messages
    )
    assert (
        str(MSG_TYPE_CLAIMED).format(other="租赁事项包", code="lease", type=ProjectType.LEASE.label)
        in messages
    )
    assert not BundleTemplate.objects.filter(code="another").exists()
    # A new version of the template that claims a type keeps it.
    again = template_create(
        actor=bundle.admin,
        code="lease",
        name="租赁事项包",
        award_unit_code="jyzx",
        steps=DEFAULT_STEPS[:2],
        project_types=["lease"],
    )
    assert again.version == 2 and again.project_types == ["lease"]


def _editor_post(types: list[str], code: str = "another") -> dict:
    data = {
        "rows": "1",
        "code": code,
        "name": "另一事项包",
        "award_unit": "jyzx",
        "note": "",
        "do": "save",
        "s0-code": "confirmation",
        "s0-name": "成交确认书",
        "s0-unit": "jyzx",
        "s0-expected_minutes": "1",
        "s0-prerequisites": "",
        "s0-document": "",
        "project_types": types,
    }
    return data


def test_the_template_editor_refuses_a_claimed_type_naming_the_other_template(bundle, kits):
    officer = Client()
    officer.force_login(bundle.zone.officer)
    response = officer.post("/landstart/templates/new/", _editor_post(["new_land"]))
    assert response.status_code == 422
    html = response.content.decode()
    message = str(MSG_TYPE_CLAIMED).format(
        other="新供地事项包", code="new-land", type=ProjectType.NEW_LAND.label
    )
    assert escape(message) in html
    assert not BundleTemplate.objects.filter(code="another").exists()

    # The editor of a new version starts with the types the template opens for, and saves them.
    form = officer.get("/landstart/templates/lease/edit/").content.decode()
    assert re.search(r'<input[^>]*value="lease"[^>]*checked', form)
    assert not re.search(r'<input[^>]*value="new_land"[^>]*checked', form)
    saved = officer.post("/landstart/templates/new/", _editor_post(["expansion"], code="own"))
    assert saved.status_code == 422  # expansion is claimed too
    free = template_create(
        actor=bundle.admin,
        code="expansion",
        name="增资扩产事项包",
        award_unit_code="jyzx",
        steps=DEFAULT_STEPS[:1],
        project_types=[],
    )
    assert free.version == 2
    saved = officer.post("/landstart/templates/new/", _editor_post(["expansion"], code="own"))
    assert saved.status_code == 302
    assert BundleTemplate.objects.get(code="own").project_types == ["expansion"]
    page = officer.get("/landstart/templates/own/").content.decode()
    assert str(ProjectType.EXPANSION.label) in page[page.index('id="opens-for"') :]


def test_the_api_says_which_types_a_template_opens_for_and_refuses_a_claimed_one(bundle, kits, api):
    officer = api("officer")
    body = {
        "code": "another",
        "name": "另一事项包",
        "award_unit": "jyzx",
        "steps": [
            {"code": "confirmation", "name": "成交确认书", "unit": "jyzx", "expected_minutes": 1}
        ],
        "project_types": ["lease"],
    }
    refused = officer.post("/api/v1/landstart-templates", body)
    assert refused.status_code == 422
    assert refused.json()["fields"]["project_types"] == [
        str(MSG_TYPE_CLAIMED).format(other="租赁事项包", code="lease", type=ProjectType.LEASE.label)
    ]
    assert officer.get("/api/v1/landstart-templates/lease").json()["project_types"] == ["lease"]
    assert (
        officer.post("/api/v1/landstart-templates", {**body, "project_types": ["shop"]}).status_code
        == 422
    )
