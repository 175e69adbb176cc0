"""Land-supply batches (供地批次): numbering, who may make and change them, versions, a run in one
batch only, the batch board's runs, unit queues and record worked out by hand, its query count,
and the API round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mashang.landstart.models import Batch, Run, RunState
from mashang.landstart.selectors.batches import _outside, batch_board, batch_list, unit_next_steps
from mashang.landstart.services import (
    batch_create,
    batch_run_add,
    batch_run_remove,
    batch_update,
    landstart_award,
    landstart_open,
    landstart_step_complete,
)
from mashang.landstart.services.batches import (
    BATCH_SUBJECT,
    MSG_AWARD_DAYS_ORDER,
    MSG_NAME_REQUIRED,
    MSG_RUN_IN_OTHER_BATCH,
    MSG_RUN_NOT_LISTED,
)
from tests.kit.clocks import CST
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import OPENED, ORDER, RECORD_41, documents_on_file

DAY1 = date(2026, 6, 10)
DAY2 = date(2026, 6, 11)
A_AWARD = datetime(2026, 6, 10, 9, 30, tzinfo=CST)
B_AWARD = datetime(2026, 6, 10, 10, 0, tzinfo=CST)
C_AWARD = datetime(2026, 6, 12, 14, 0, tzinfo=CST)  # a day after the batch's award days
NOW = C_AWARD + timedelta(minutes=20)

#: Run B: every step later than the record; finance takes 1.75 minutes, housing 28.
B_MINUTES = {
    "confirmation": 1,
    "land_contract": 3,
    "land_payment": 4.75,
    "land_use_permit": 4,
    "deed_tax": 8,
    "title": 10,
    "works_permit": 12,
    "construction_permit": 40,
}
#: Run C: the contract is done at 5 minutes; finance's payment has been in hand since then.
C_MINUTES = {"confirmation": 2, "land_contract": 5}


def drive(bundle, run: Run, *, awarded: datetime, minutes: dict[str, float]) -> None:
    """Award ``run`` and complete the steps named in ``minutes`` (after the award), in order."""
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=awarded, at=awarded)
    for code, unit in ORDER:
        if code in minutes:
            landstart_step_complete(
                actor=bundle.people[unit], run_id=run.pk, step_code=code, at=awarded + timedelta(minutes=minutes[code])
            )


@dataclass
class Day:
    batch: Batch
    a: Run
    b: Run
    c: Run
    d: Run  # still listed


def batch_day(bundle) -> Day:
    """Four runs in one batch: A (the 41-minute record) and B (40 minutes) done on day one,
    C awarded a day after the award days and running, D still listed."""
    officer = bundle.zone.officer
    batch = batch_create(actor=officer, name="第一批供地", award_from=DAY1, award_to=DAY2, at=OPENED)
    runs = []
    for project in (bundle.project, bundle.make_project(), bundle.make_project(), bundle.make_project()):
        run = landstart_open(actor=officer, project_id=project.pk, at=OPENED)
        documents_on_file(run)
        batch_run_add(actor=officer, batch_id=batch.pk, run_id=run.pk, at=OPENED)
        runs.append(run)
    a, b, c, d = runs
    drive(bundle, a, awarded=A_AWARD, minutes=RECORD_41)
    drive(bundle, b, awarded=B_AWARD, minutes=B_MINUTES)
    drive(bundle, c, awarded=C_AWARD, minutes=C_MINUTES)
    for run in runs:
        run.refresh_from_db()
    batch.refresh_from_db()
    return Day(batch, a, b, c, d)


# --- services ----------------------------------------------------------------------------------


def test_batches_are_numbered_pc_year_nn_and_each_change_is_one_event(bundle):
    officer = bundle.zone.officer
    first = batch_create(actor=officer, name=" 第一批 ", award_from=DAY1, award_to=DAY1, at=OPENED)
    second = batch_create(actor=bundle.admin, name="第二批", award_from=DAY2, award_to=DAY2, at=OPENED)
    assert (first.number, second.number) == ("PC-2026-01", "PC-2026-02")
    assert first.name == "第一批" and first.version == 1
    events = Event.objects.filter(subject_type=BATCH_SUBJECT, subject_id=first.pk)
    assert [(e.action, e.payload["number"]) for e in events] == [("create", "PC-2026-01")]
    batch_update(actor=officer, batch_id=first.pk, version=1, name="第一批（调整）", at=OPENED)
    first.refresh_from_db()
    assert first.version == 2
    last = Event.objects.filter(subject_type=BATCH_SUBJECT, subject_id=first.pk).order_by("-id").first()
    assert last.action == "update" and last.payload["changed"] == {"name": {"from": "第一批", "to": "第一批（调整）"}}


def test_only_the_service_team_and_administrators_make_or_change_a_batch(bundle):
    z = bundle.zone
    for user in (z.contact, z.land_staff, bundle.people["cz"], z.supervisor, z.leader):
        with pytest.raises(PermissionDenied):
            batch_create(actor=user, name="批次", award_from=DAY1, award_to=DAY1)
    batch = batch_create(actor=z.officer, name="批次", award_from=DAY1, award_to=DAY1)
    run = landstart_open(actor=z.officer, project_id=bundle.project.pk)
    for user in (z.contact, z.land_staff, z.leader):
        with pytest.raises(PermissionDenied):
            batch_update(actor=user, batch_id=batch.pk, name="改名")
        with pytest.raises(PermissionDenied):
            batch_run_add(actor=user, batch_id=batch.pk, run_id=run.pk)
    assert Batch.objects.count() == 1 and Run.objects.get().batch_id is None


def test_bad_input_is_refused_with_a_message_per_field(bundle):
    with pytest.raises(ValidationFailed) as caught:
        batch_create(actor=bundle.zone.officer, name="  ", award_from=DAY2, award_to=DAY1, work_group_robot_id=999)
    fields = caught.value.fields
    assert fields["name"] == [str(MSG_NAME_REQUIRED)]
    assert fields["award_to"] == [str(MSG_AWARD_DAYS_ORDER)]
    assert "work_group_robot" in fields
    with pytest.raises(ValidationFailed) as caught:
        batch_create(actor=bundle.zone.officer, name="批次", award_from=None, award_to=None)
    assert set(caught.value.fields) == {"award_from", "award_to"}
    assert Batch.objects.count() == 0


def test_a_stale_version_is_refused_and_changes_nothing(bundle):
    officer = bundle.zone.officer
    batch = batch_create(actor=officer, name="批次", award_from=DAY1, award_to=DAY1)
    batch_update(actor=officer, batch_id=batch.pk, version=1, note="第一次修改")
    with pytest.raises(Conflict):
        batch_update(actor=officer, batch_id=batch.pk, version=1, note="基于旧版本的修改")
    batch.refresh_from_db()
    assert (batch.note, batch.version) == ("第一次修改", 2)


def test_a_run_belongs_to_one_batch_and_only_listed_runs_join_or_leave(bundle):
    officer = bundle.zone.officer
    first = batch_create(actor=officer, name="第一批", award_from=DAY1, award_to=DAY1)
    second = batch_create(actor=officer, name="第二批", award_from=DAY1, award_to=DAY1)
    run = landstart_open(actor=officer, project_id=bundle.project.pk, at=OPENED)
    batch_run_add(actor=officer, batch_id=first.pk, run_id=run.pk)
    with pytest.raises(Conflict) as caught:
        batch_run_add(actor=officer, batch_id=second.pk, run_id=run.pk)
    label = f"{bundle.project.number} {bundle.project.name}"
    assert caught.value.message == str(MSG_RUN_IN_OTHER_BATCH).format(project=label, batch=first.number)
    run.refresh_from_db()
    assert run.batch_id == first.pk
    # Out of the first, into the second: allowed while the land is listed. The run's own
    # timeline says so each time, and its version moves (a form read before is stale).
    before = run.version
    batch_run_remove(actor=officer, batch_id=first.pk, run_id=run.pk)
    batch_run_add(actor=officer, batch_id=second.pk, run_id=run.pk)
    run.refresh_from_db()
    assert run.version == before + 2
    moves = Event.objects.filter(subject_type="landstart", subject_id=run.pk).order_by("id")
    assert [e.action for e in moves][-3:] == ["batch_join", "batch_leave", "batch_join"]
    with pytest.raises(NotFound):
        batch_run_remove(actor=officer, batch_id=first.pk, run_id=run.pk)
    # Once awarded the run stays in its batch: it is part of the batch's record.
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=A_AWARD, at=A_AWARD)
    with pytest.raises(Conflict) as caught:
        batch_run_remove(actor=officer, batch_id=second.pk, run_id=run.pk)
    assert caught.value.message == str(MSG_RUN_NOT_LISTED).format(project=label, state=RunState.RUNNING.label)
    other = landstart_open(actor=officer, project_id=bundle.make_project().pk, at=OPENED)
    landstart_award(actor=bundle.people["jyzx"], run_id=other.pk, awarded_at=A_AWARD, at=A_AWARD)
    with pytest.raises(Conflict):
        batch_run_add(actor=officer, batch_id=first.pk, run_id=other.pk)
    actions = list(
        Event.objects.filter(subject_type=BATCH_SUBJECT).order_by("id").values_list("subject_id", "action")
    )
    assert actions == [
        (first.pk, "create"),
        (second.pk, "create"),
        (first.pk, "run_add"),
        (first.pk, "run_remove"),
        (second.pk, "run_add"),
    ]


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    length=st.integers(min_value=0, max_value=10),
    offset_minutes=st.integers(min_value=-3 * 24 * 60, max_value=14 * 24 * 60),
)
def test_an_award_is_outside_the_batch_exactly_when_its_local_day_is_not_an_award_day(start, length, offset_minutes):
    batch = Batch(award_from=start, award_to=start + timedelta(days=length))
    awarded = datetime(start.year, start.month, start.day, tzinfo=CST) + timedelta(minutes=offset_minutes)
    day = awarded.date()
    assert _outside(batch, awarded) is not (batch.award_from <= day <= batch.award_to)
    assert _outside(batch, None) is False


# --- the batch board -----------------------------------------------------------------------------


def test_the_batch_board_worked_out_by_hand(bundle):
    day = batch_day(bundle)
    board = batch_board(actor=bundle.zone.leader, batch_id=day.batch.pk, now=NOW)
    runs = {r.run.pk: r for r in board.runs}
    assert [r.run.pk for r in board.runs] == [day.a.pk, day.b.pk, day.c.pk, day.d.pk]  # by award
    assert (runs[day.a.pk].state, runs[day.a.pk].elapsed_minutes) == ("completed", 41)
    assert (runs[day.b.pk].state, runs[day.b.pk].elapsed_minutes) == ("completed", 40)
    assert (runs[day.c.pk].state, runs[day.c.pk].elapsed_minutes) == ("running", 20)
    assert runs[day.d.pk].elapsed_minutes is None and runs[day.d.pk].state == "listed"
    assert [(r.done, r.total) for r in board.runs] == [(8, 8), (8, 8), (2, 8), (0, 8)]
    # C: payment and the land-use permit in hand since the contract at 5 minutes: 15 minutes.
    assert [(a.code, a.minutes) for a in runs[day.c.pk].active] == [("land_payment", 15), ("land_use_permit", 15)]
    assert runs[day.a.pk].active == () and runs[day.d.pk].active == ()
    assert [r.outside_award_days for r in board.runs] == [False, False, True, False]

    units = {u.unit_code: u for u in board.units}
    assert [u.unit_code for u in board.units] == ["jyzx", "zrzy", "cz", "sw", "zjj"]
    finance = units["cz"]
    assert [(i.run_id, i.state, i.minutes) for i in finance.items] == [
        (day.a.pk, "done", 0.25),  # contract at 0.75, payment at 1
        (day.b.pk, "done", 1.75),  # contract at 3, payment at 4.75
        (day.c.pk, "active", 15),  # in hand since 5 minutes, now at 20
        (day.d.pk, "waiting", None),
    ]
    assert finance.items[3].waiting_on == ("出让合同",)
    assert (finance.done, finance.active, finance.waiting, finance.median_minutes) == (2, 1, 1, 1)
    housing = units["zjj"]
    assert [i.minutes for i in housing.items] == [38, 28, None, None]  # 41 − 3 and 40 − 12
    assert housing.items[2].waiting_on == ("建设工程规划许可证", "不动产权证书")
    assert housing.median_minutes == 33

    record = board.record
    assert record.first_award == A_AWARD
    assert record.last_permit == B_AWARD + timedelta(minutes=40)  # 10:40, after A's 10:11
    assert record.completed == 2 and record.median_minutes == 40.5
    assert (record.fastest.run.pk, record.slowest.run.pk) == (day.b.pk, day.a.pk)
    assert board.live is True and board.can_manage is False


def test_the_batch_board_reads_in_three_queries_whatever_the_number_of_runs(
    bundle, django_assert_max_num_queries
):
    day = batch_day(bundle)
    for user in (bundle.zone.officer, bundle.people["cz"]):
        with django_assert_max_num_queries(3):
            board = batch_board(actor=user, batch_id=day.batch.pk, now=NOW)
        assert len(board.runs) == 4 and sum(len(u.items) for u in board.units) == 32


def test_who_sees_a_batch_and_which_of_its_runs(bundle):
    day = batch_day(bundle)
    z = bundle.zone
    # The enterprise of every project here sees its runs; another enterprise sees no batch.
    assert list(batch_list(actor=z.other_contact)) == []
    with pytest.raises(NotFound):
        batch_board(actor=z.other_contact, batch_id=day.batch.pk)
    assert len(batch_board(actor=z.contact, batch_id=day.batch.pk, now=NOW).runs) == 4
    stranger = UserFactory(username="unit-kjj", role=z.land_staff.role, unit=UnitFactory(code="kjj", name="科技局"))
    assert list(batch_list(actor=stranger)) == []
    listed = batch_list(actor=z.supervisor).get()
    assert (listed.run_count, listed.completed_count) == (4, 2)


def test_a_unit_sees_its_next_steps_with_what_they_wait_on(bundle):
    day = batch_day(bundle)
    nexts = unit_next_steps(actor=bundle.people["sw"])
    # Only C is running with the deed tax still waiting (D is not awarded yet).
    assert [(n.step.run_id, n.step.code, n.waiting_on) for n in nexts] == [(day.c.pk, "deed_tax", ("土地出让金缴纳",))]
    assert unit_next_steps(actor=bundle.zone.officer) == []


# --- the API -------------------------------------------------------------------------------------


def test_the_api_round_trip(bundle, api):
    officer = api("officer")
    body = {"name": "第一批供地", "award_from": "2026-06-10", "award_to": "2026-06-11", "note": "六个项目"}
    key = {"Idempotency-Key": "batch-1"}
    with time_machine.travel(OPENED, tick=False):
        made = officer.post("/api/v1/landstart-batches", body, headers=key)
        again = officer.post("/api/v1/landstart-batches", body, headers=key)
    assert made.status_code == 201, made.content
    batch = made.json()
    assert again.status_code == 201 and again.json()["id"] == batch["id"] and Batch.objects.count() == 1
    assert batch["number"] == "PC-2026-01" and batch["version"] == 1

    refused = api("ent-a").post("/api/v1/landstart-batches", body)
    assert refused.status_code == 403
    bad = officer.post("/api/v1/landstart-batches", {**body, "award_to": "2026-06-01"})
    assert bad.status_code == 422 and bad.json()["fields"]["award_to"] == [str(MSG_AWARD_DAYS_ORDER)]

    url = f"/api/v1/landstart-batches/{batch['id']}"
    changed = officer.client.patch(
        url, {"version": 1, "name": "第一批"}, content_type="application/json", headers=officer.headers
    )
    assert changed.status_code == 200 and changed.json()["name"] == "第一批" and changed.json()["version"] == 2
    assert changed.json()["note"] == "六个项目"  # left out: kept
    stale = officer.client.patch(url, {"version": 1, "note": "旧"}, content_type="application/json",
                                 headers=officer.headers)
    assert stale.status_code == 409

    run = landstart_open(actor=bundle.zone.officer, project_id=bundle.project.pk, at=OPENED)
    added = officer.post(f"{url}/runs", {"run": run.pk})
    assert added.status_code == 200, added.content
    assert [r["id"] for r in added.json()["runs"]] == [run.pk]
    twice = officer.post(f"{url}/runs", {"run": run.pk})
    assert twice.status_code == 409

    board = api("unit-cz").get(f"{url}/board")
    assert board.status_code == 200
    data = board.json()
    assert data["batch"]["number"] == "PC-2026-01" and data["runs"][0]["state"] == "listed"
    assert {u["unit"] for u in data["units"]} == {"jyzx", "zrzy", "cz", "sw", "zjj"}
    assert data["record"] == {
        "first_award": None, "last_permit": None, "completed": 0, "fastest_run": None,
        "fastest_minutes": None, "slowest_run": None, "slowest_minutes": None, "median_minutes": None,
    }
    listing = officer.get("/api/v1/landstart-batches")
    assert [b["id"] for b in listing.json()] == [batch["id"]]
    assert officer.get(url).json()["version"] == 3  # created, renamed, a run added

    removed = officer.client.delete(f"{url}/runs/{run.pk}", headers=officer.headers)
    assert removed.status_code == 200 and removed.json()["runs"] == []
    assert api("ent-b").get(f"{url}/board").status_code == 404
