"""The board of one run, the history of finished ones, and who sees which runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mashang.core.errors import NotFound
from mashang.landstart.selectors import (
    RunFilters,
    run_board,
    run_get,
    run_history,
    run_list,
    unit_steps,
)
from mashang.org.models import User
from mashang.projects.models import Project
from mashang.projects.permissions import visibility_filter
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import AWARD, OPENED, RECORD_41, run_of


def test_the_board_of_a_run_in_progress(bundle):
    run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 0.25, "land_contract": 0.75})
    now = AWARD + timedelta(minutes=4)
    board = run_board(actor=bundle.people["cz"], run_id=run.pk, now=now)
    steps = {s.code: s for s in board.steps}
    assert board.state == "running" and board.elapsed_minutes == 4 and board.elapsed_seconds == 240
    assert board.expected_minutes == 40 and board.version == run.version
    assert (steps["land_payment"].state, steps["land_payment"].late) == ("active", True)  # 3.25 of 2 minutes
    assert steps["land_payment"].minutes == 3.25 and steps["land_payment"].waiting_minutes == 0.75
    assert (steps["land_use_permit"].state, steps["land_use_permit"].late) == ("active", True)
    assert steps["confirmation"].late is False and steps["confirmation"].minutes == 0.25
    assert steps["deed_tax"].minutes is None and steps["deed_tax"].late is False
    assert board.late_steps == ("land_payment", "land_use_permit")
    # The projection: the payment's 3.25 minutes so far push the money branch along.
    assert board.critical_path == ("confirmation", "land_contract", "land_payment", "deed_tax", "title",
                                   "construction_permit")
    assert board.projected_minutes == 0.75 + 3.25 + 2 + 3 + 30
    assert board.critical_edges[0] == ("confirmation", "land_contract")
    assert (board.columns, board.rows) == (6, 2)
    assert (steps["land_use_permit"].column, steps["land_use_permit"].row) == (2, 1)
    assert ("works_permit", "construction_permit") in board.edges and len(board.edges) == 8
    assert steps["land_payment"].actions == ("complete", "attach")
    assert steps["land_contract"].actions == ("return",)  # cz's step depends on it
    assert steps["title"].actions == () and board.can_award is False and board.can_cancel is False
    assert [e.action for e in board.events] == ["open", "award", "complete", "complete"]


def test_the_board_at_the_end_gives_each_units_share(bundle):
    run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes=RECORD_41)
    board = run_board(actor=bundle.zone.leader, run_id=run.pk, now=AWARD + timedelta(days=3))
    assert board.state == "completed" and board.elapsed_minutes == 41
    assert [(u.unit_code, u.unit_name, u.minutes) for u in board.unit_shares] == [
        ("zjj", "住房和城乡建设局", 38), ("zrzy", "自然资源分局", 2.75), ("jyzx", "公共资源交易中心", 0.25)
    ]
    assert board.unit_shares[0].share == round(38 / 41, 4)
    steps = {s.code: s for s in board.steps}
    assert steps["construction_permit"].late is True  # 38 minutes against 30 expected
    assert steps["works_permit"].late is False  # 2 minutes against 3
    assert all(s.actions == () for s in board.steps)


def test_before_the_award_the_board_shows_the_plan_and_pre_review(bundle):
    run = run_of(bundle, opened=OPENED)
    board = run_board(actor=bundle.zone.land_staff, run_id=run.pk, now=OPENED + timedelta(days=1))
    assert board.elapsed_minutes is None and board.awarded_at is None
    assert board.critical_path == board.planned_critical_path and board.projected_minutes == 40
    steps = {s.code: s for s in board.steps}
    assert steps["land_use_permit"].actions == ("stage", "attach")
    assert steps["land_payment"].actions == ()
    assert run_board(actor=bundle.people["jyzx"], run_id=run.pk).can_award is True
    assert run_board(actor=bundle.zone.officer, run_id=run.pk).can_cancel is True


def test_the_history_falls_from_145_minutes_to_41(bundle):
    slow = {code: m * 145 / 41 for code, m in RECORD_41.items()}
    later = AWARD + timedelta(days=30)
    second = bundle.make_project()
    run_of(bundle, project=second, opened=later - timedelta(days=5), awarded=later, minutes=RECORD_41)
    first = run_of(bundle, opened=OPENED, awarded=AWARD, minutes=slow)
    run_of(bundle, project=bundle.make_project(), opened=OPENED, awarded=AWARD + timedelta(days=40))  # running
    history = run_history(actor=bundle.zone.leader)
    assert [round(h.total_minutes) for h in history] == [145, 41]
    assert history[0].run_id == first.pk and history[1].project_number == second.number
    assert history[1].step_minutes["construction_permit"] == 38
    assert history[1].critical_path[-1] == "construction_permit"
    # An enterprise sees only its own projects' records.
    assert run_history(actor=bundle.zone.other_contact) == []


def test_who_sees_which_runs(bundle):
    run = run_of(bundle, opened=OPENED)
    other_project = bundle.make_project(investor=bundle.zone.other_enterprise)
    theirs = run_of(bundle, project=other_project, opened=OPENED)
    everyone = {run.pk, theirs.pk}
    for person in [bundle.zone.officer, bundle.zone.supervisor, bundle.zone.leader, bundle.admin]:
        assert set(run_list(actor=person).values_list("pk", flat=True)) == everyone
    for person in bundle.people.values():
        assert set(run_list(actor=person).values_list("pk", flat=True)) == everyone
    assert list(run_list(actor=bundle.zone.contact).values_list("pk", flat=True)) == [run.pk]
    assert list(run_list(actor=bundle.zone.other_contact).values_list("pk", flat=True)) == [theirs.pk]
    stranger = UserFactory(username="unit-jdb", role=User.Role.UNIT_STAFF, unit=UnitFactory(code="jdb"))
    assert list(run_list(actor=stranger)) == []
    with pytest.raises(NotFound):
        run_get(actor=stranger, run_id=run.pk)
    with pytest.raises(NotFound):
        run_board(actor=bundle.zone.other_contact, run_id=run.pk)
    assert list(run_list(actor=bundle.zone.officer, filters=RunFilters(project=other_project.pk))) == [theirs]


def test_a_unit_sees_its_own_work(bundle):
    run = run_of(bundle, opened=OPENED)
    zrzy = [(s.run_id, s.code) for s in unit_steps(actor=bundle.zone.land_staff)]
    assert zrzy == [(run.pk, "land_contract"), (run.pk, "title"), (run.pk, "land_use_permit"),
                    (run.pk, "works_permit")]
    assert list(unit_steps(actor=bundle.people["cz"])) == []  # nothing to pre-review
    run_of(bundle, project=bundle.make_project(), opened=OPENED, awarded=AWARD, minutes={"confirmation": 1})
    second = [(s.code, s.state) for s in unit_steps(actor=bundle.zone.land_staff)]
    assert second[0] == ("land_contract", "active") and len(second) == 5
    assert list(unit_steps(actor=bundle.zone.officer)) == []


def test_a_unit_with_a_step_in_a_run_sees_the_project(bundle):
    stranger = UserFactory(username="unit-jdb", role=User.Role.UNIT_STAFF, unit=UnitFactory(code="jdb"))
    assert not Project.objects.filter(visibility_filter(bundle.people["sw"]), pk=bundle.project.pk).exists()
    run_of(bundle, opened=OPENED)
    for person in bundle.people.values():
        assert Project.objects.filter(visibility_filter(person), pk=bundle.project.pk).exists()
    assert not Project.objects.filter(visibility_filter(stranger), pk=bundle.project.pk).exists()
