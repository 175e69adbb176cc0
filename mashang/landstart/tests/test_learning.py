"""Learning from the history (issue 14, item 7): three completed runs of the default bundle
with hand-chosen minutes, and the figures worked out by hand — each step's distribution, how
often it lay on the actual critical path, the trend of the record, the unit that most often
decided the finish — as the selector, the page, the API and the Excel export give them.

The default bundle: confirmation (jyzx) → land_contract (zrzy) → two branches, the money
(land_payment cz → deed_tax sw → title zrzy) and the planning permits (land_use_permit zrzy →
works_permit zrzy) → construction_permit (zjj). Minutes after the award when each step is done:

    run  award  conf  contract  payment  use-permit      deed  title  works  permit
    A    05-21     5        15       75          25        85     90     45     145
    B    05-31     1         3        5           8         6      9     20      40
    C    06-09     2         4       34    10, sent back   36     40     15      60
                                            at 11, 12 again

so each step took (from its last activation to done):

    A: conf 5, contract 10, payment 60, use 10, deed 10, title 5, works 20, permit 55
    B: conf 1, contract 2,  payment 2,  use 5,  deed 1,  title 3, works 12, permit 20
    C: conf 2, contract 2,  payment 30, use 1 (not 8: counted from the send-back), deed 2,
       title 4, works 3, permit 20

The actual critical paths: A and C through the money (the title comes after the works permit),
B through the planning permits. Minutes on each critical path per unit:

    A: jyzx 5, zrzy 10 + 5 = 15, cz 60, sw 10, zjj 55   → finance (cz) decided A
    B: jyzx 1, zrzy 2 + 5 + 12 = 19, zjj 20             → housing (zjj) decided B
    C: jyzx 2, zrzy 2 + 4 = 6, cz 30, sw 2, zjj 20      → finance decided C

Finance decided two of the three runs (90 critical minutes), though housing has more critical
minutes (95) and natural resources more steps on the critical paths (7): the unit that most
often decided the finish is finance.
"""

from __future__ import annotations

import io
import json
import re
import statistics
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from mashang.landstart.models import Run, RunState
from mashang.landstart.selectors import LearningFilters, history_learning
from mashang.landstart.selectors.learning import (
    MSG_DATES_REVERSED,
    MSG_SEND_BACK_NOTE,
    MSG_STAFF_ONLY,
    distribution,
)
from mashang.landstart.services import (
    landstart_award,
    landstart_open,
    landstart_step_complete,
    landstart_step_return,
)
from mashang.landstart.views.history import MSG_DECIDING, runs_count
from mashang.org.models import User
from tests.kit.clocks import CST
from tests.kit.landstart import AWARD, ORDER, documents_on_file

R = User.Role
NOW = AWARD + timedelta(days=1)

A_AWARD = datetime(2026, 5, 21, 9, 30, tzinfo=CST)
B_AWARD = datetime(2026, 5, 31, 9, 30, tzinfo=CST)
C_AWARD = datetime(2026, 6, 9, 9, 30, tzinfo=CST)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


UNIT_OF = dict(ORDER)


def _drive(
    bundle, *, awarded: datetime, minutes: dict[str, float], again: dict[str, tuple[float, float]] | None = None
) -> Run:
    """A run of a new project awarded at ``awarded``, its steps completed at the given minutes
    after the award in the order of time — so each step becomes active when its last
    prerequisite is done, as on the day; a step in ``again`` is sent back and done again at
    the two minutes given."""
    project = bundle.make_project() if Run.objects.filter(project=bundle.project).exists() else bundle.project
    run = landstart_open(actor=bundle.zone.officer, project_id=project.pk, at=awarded - timedelta(days=5))
    documents_on_file(run)  # staged during the pre-review
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=awarded, at=awarded)
    moves = [(m, "complete", code) for code, m in minutes.items()]
    for code, (returned, done) in (again or {}).items():
        moves += [(returned, "return", code), (done, "complete", code)]
    for minute, action, code in sorted(moves):
        at = awarded + timedelta(minutes=minute)
        if action == "return":
            landstart_step_return(
                actor=bundle.zone.officer, run_id=run.pk, step_code=code, reason="规划条件附图缺页", at=at
            )
        else:
            landstart_step_complete(actor=bundle.people[UNIT_OF[code]], run_id=run.pk, step_code=code, at=at)
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED
    return run


def _run_a(bundle) -> Run:
    minutes = {
        "confirmation": 5,
        "land_contract": 15,
        "land_payment": 75,
        "land_use_permit": 25,
        "deed_tax": 85,
        "title": 90,
        "works_permit": 45,
        "construction_permit": 145,
    }
    return _drive(bundle, awarded=A_AWARD, minutes=minutes)


def _run_b(bundle) -> Run:
    minutes = {
        "confirmation": 1,
        "land_contract": 3,
        "land_payment": 5,
        "land_use_permit": 8,
        "deed_tax": 6,
        "title": 9,
        "works_permit": 20,
        "construction_permit": 40,
    }
    return _drive(bundle, awarded=B_AWARD, minutes=minutes)


def _run_c(bundle) -> Run:
    """The land-use planning permit is done at 10, sent back at 11 and done again at 12."""
    minutes = {
        "confirmation": 2,
        "land_contract": 4,
        "land_payment": 34,
        "land_use_permit": 10,
        "deed_tax": 36,
        "title": 40,
        "works_permit": 15,
        "construction_permit": 60,
    }
    return _drive(bundle, awarded=C_AWARD, minutes=minutes, again={"land_use_permit": (11, 12)})


@pytest.fixture
def history(bundle) -> tuple[Run, Run, Run]:
    return _run_a(bundle), _run_b(bundle), _run_c(bundle)


def _steps(learning, template: str = "default") -> dict:
    (figures,) = [t for t in learning.templates if t.code == template]
    return {s.code: s for s in figures.steps}


def _units(learning) -> dict:
    return {u.unit_code: u for u in learning.units}


# --- the distribution (pure) ----------------------------------------------------------------


def test_the_distribution_of_hand_picked_minutes():
    d = distribution([5, 1, 2])
    assert (d.count, d.min, d.median, d.max) == (3, 1, 2, 5)
    assert d.mean == 2.67  # 8 / 3
    assert d.p90 == 4.4  # rank 0.9 × 2 = 1.8: 2 + 0.8 × (5 − 2)
    assert distribution([7]).p90 == 7 and distribution([4, 2, 8, 6]).median == 5
    assert distribution([]) is None


minutes_lists = st.lists(st.floats(min_value=0, max_value=10_000, allow_nan=False), min_size=1, max_size=40)


@given(minutes_lists)
def test_the_distribution_is_ordered_and_ignores_the_order_of_the_runs(values):
    d = distribution(values)
    assert d.count == len(values)
    assert d.min <= d.median <= d.p90 <= d.max
    assert d.min <= d.mean <= d.max
    assert d.median == pytest.approx(statistics.median(values), abs=0.011)
    if len(values) > 1:
        assert d.p90 == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[8], abs=0.011)
    assert distribution(list(reversed(values))) == d


# --- the figures ------------------------------------------------------------------------------


def test_medians_critical_counts_and_the_deciding_unit_worked_out_by_hand(bundle, history):
    a, b, c = history
    learning = history_learning(actor=bundle.zone.leader)
    steps = _steps(learning)
    assert list(steps) == [
        "confirmation",
        "land_contract",
        "land_payment",
        "deed_tax",
        "title",
        "land_use_permit",
        "works_permit",
        "construction_permit",
    ]
    medians = {code: s.minutes.median for code, s in steps.items()}
    assert medians == {
        "confirmation": 2,  # 5, 1, 2
        "land_contract": 2,  # 10, 2, 2
        "land_payment": 30,  # 60, 2, 30
        "deed_tax": 2,  # 10, 1, 2
        "title": 4,  # 5, 3, 4
        "land_use_permit": 5,  # 10, 5, 1 — 8 if C's were counted from its first activation
        "works_permit": 12,  # 20, 12, 3
        "construction_permit": 20,  # 55, 20, 20
    }
    permit = steps["construction_permit"].minutes
    assert (permit.count, permit.min, permit.max, permit.mean, permit.p90) == (3, 20, 55, 31.67, 48)
    assert steps["land_use_permit"].minutes.min == 1 and steps["land_use_permit"].minutes.mean == 5.33

    critical = {code: s.critical_runs for code, s in steps.items()}
    assert critical == {
        "confirmation": 3,
        "land_contract": 3,
        "land_payment": 2,
        "deed_tax": 2,
        "title": 2,
        "land_use_permit": 1,
        "works_permit": 1,
        "construction_permit": 3,
    }
    assert all(s.runs == 3 for s in steps.values())

    units = _units(learning)
    assert [u.unit_code for u in learning.units] == ["cz", "zjj", "zrzy", "sw", "jyzx"]
    assert {code: u.decided_runs for code, u in units.items()} == {"cz": 2, "zjj": 1, "zrzy": 0, "sw": 0, "jyzx": 0}
    assert {code: u.critical_minutes for code, u in units.items()} == {
        "cz": 90,
        "zjj": 95,
        "zrzy": 40,
        "sw": 12,
        "jyzx": 8,
    }
    assert units["zrzy"].critical_steps == 7 and units["zrzy"].minutes.count == 12
    assert units["cz"].critical_share == round(90 / 245, 4)
    assert learning.deciding.unit_code == "cz" and learning.deciding.unit_name == "财政局"

    assert [r.run_id for r in learning.records] == [a.pk, b.pk, c.pk]
    assert [r.deciding_unit for r in learning.records] == ["cz", "zjj", "cz"]
    assert learning.records[1].critical_path == (
        "confirmation",
        "land_contract",
        "land_use_permit",
        "works_permit",
        "construction_permit",
    )


def test_the_trend_of_the_record_in_award_order_with_the_running_best(bundle, history):
    learning = history_learning(actor=bundle.zone.supervisor)
    assert [r.total_minutes for r in learning.records] == [145, 40, 60]
    assert [r.best_minutes for r in learning.records] == [145, 40, 40]
    assert [r.record for r in learning.records] == [True, True, False]
    assert learning.best.run_id == history[1].pk
    totals = learning.templates[0].totals
    assert (totals.count, totals.median, totals.min) == (3, 60, 40)


def test_a_step_sent_back_counts_from_its_last_activation(bundle, history):
    learning = history_learning(actor=bundle.zone.officer)
    c = learning.records[2]
    assert c.sent_back == ("land_use_permit",) and learning.sent_back_runs == 1
    assert c.step_minutes["land_use_permit"] == 1  # 11 → 12, not 4 → 12
    assert c.step_minutes["works_permit"] == 3  # activated again when it was done again, at 12
    assert learning.records[0].sent_back == () and learning.records[1].sent_back == ()


def test_the_figures_follow_the_template_and_the_award_days(bundle, history):
    only_b = history_learning(
        actor=bundle.zone.leader, filters=LearningFilters(date_from=date(2026, 5, 25), date_to=date(2026, 5, 31))
    )
    assert [r.run_id for r in only_b.records] == [history[1].pk]
    assert only_b.deciding.unit_code == "zjj"
    assert _steps(only_b)["works_permit"].minutes.median == 12
    to_a = history_learning(actor=bundle.zone.leader, filters=LearningFilters(date_to=date(2026, 5, 21)))
    assert [r.run_id for r in to_a.records] == [history[0].pk]
    other = history_learning(actor=bundle.zone.leader, filters=LearningFilters(template="lease"))
    assert other.records == () and other.templates == () and other.deciding is None


def test_a_unit_learns_from_the_runs_it_may_see_and_an_enterprise_only_sees_its_records(bundle, history):
    z = bundle.zone
    assert len(history_learning(actor=bundle.people["cz"]).records) == 3
    own = history_learning(actor=z.contact)  # the bundle's projects are all its enterprise's
    assert len(own.records) == 3 and not own.figures and own.templates == () and own.units == ()
    assert own.deciding is None
    assert history_learning(actor=z.other_contact).records == ()


def test_the_query_count_does_not_grow_with_the_runs(bundle):
    _run_a(bundle)
    with CaptureQueriesContext(connection) as one:
        history_learning(actor=bundle.zone.leader)
    _run_b(bundle)
    _run_c(bundle)
    with CaptureQueriesContext(connection) as three:
        learning = history_learning(actor=bundle.zone.leader)
    assert len(learning.records) == 3
    assert len(three) == len(one) <= 3
    leader = client_for(bundle.zone.leader)
    leader.get("/landstart/history/")  # the session, warmed
    with CaptureQueriesContext(connection) as page_three:
        assert leader.get("/landstart/history/").status_code == 200
    Run.objects.filter(pk__in=[r.run_id for r in learning.records[1:]]).update(state=RunState.CANCELLED)
    with CaptureQueriesContext(connection) as page_one:
        assert leader.get("/landstart/history/").status_code == 200
    assert len(page_three) == len(page_one)


# --- the page ---------------------------------------------------------------------------------


def _chart(html: str) -> dict:
    found = re.search(r'<script id="history-data" type="application/json">(.*?)</script>', html)
    assert found, "no chart data"
    return json.loads(found.group(1))


def test_the_page_shows_the_trend_the_steps_the_units_and_the_deciding_unit(bundle, history):
    html = client_for(bundle.zone.leader).get("/landstart/history/").content.decode()
    chart = _chart(html)
    assert chart["minutes"] == [145, 40, 60] and chart["best_so_far"] == [145, 40, 40] and chart["best"] == 1
    assert 'id="history-chart"' in html and "vendor/echarts.min.js" in html and "landstart/history.js" in html

    table = html[html.index('data-template="default"') :]
    row = re.search(r'<tr data-step="land_use_permit">(.*?)</tr>', table, re.S).group(1)
    assert 'data-median="5"' in row and 'data-critical="1"' in row
    permit = re.search(r'<tr data-step="construction_permit">(.*?)</tr>', table, re.S).group(1)
    assert 'data-median="20"' in permit and 'data-critical="3"' in permit

    units = re.findall(r'<tr data-unit="(\w+)"', html)
    assert units == ["cz", "zjj", "zrzy", "sw", "jyzx"]
    sentence = str(MSG_DECIDING) % {
        "unit": "财政局",
        "decided": 2,
        "runs": runs_count(3),
        "minutes": "90",
        "share": "37%",
    }
    deciding = re.search(r'<p class="card deciding-unit" id="deciding-unit"><strong>(.*?)</strong>', html).group(1)
    assert deciding == sentence
    assert str(MSG_SEND_BACK_NOTE) in html and 'id="sent-back-note"' in html
    assert 'href="/landstart/history/export.xlsx"' in html


def test_the_page_filters_by_template_and_days_and_refuses_reversed_days(bundle, history):
    leader = client_for(bundle.zone.leader)
    html = leader.get("/landstart/history/", {"date_from": "2026-05-25", "date_to": "2026-05-31"}).content.decode()
    assert _chart(html)["minutes"] == [40]
    assert "export.xlsx?date_from=2026-05-25&amp;date_to=2026-05-31" in html
    html = leader.get("/landstart/history/", {"template": "default"}).content.decode()
    assert _chart(html)["minutes"] == [145, 40, 60]
    reversed_days = leader.get("/landstart/history/", {"date_from": "2026-06-09", "date_to": "2026-05-01"})
    assert reversed_days.status_code == 200
    html = reversed_days.content.decode()
    assert str(MSG_DATES_REVERSED) in html and _chart(html)["minutes"] == [145, 40, 60]


def test_an_enterprise_reads_its_records_but_not_the_figures_nor_the_export(bundle, history):
    contact = client_for(bundle.zone.contact)
    html = contact.get("/landstart/history/").content.decode()
    assert _chart(html)["minutes"] == [145, 40, 60]
    assert 'id="learning-units"' not in html and "data-template=" not in html and 'id="deciding-unit"' not in html
    assert "export.xlsx" not in html
    assert contact.get("/landstart/history/export.xlsx").status_code == 403


# --- the API ----------------------------------------------------------------------------------


def test_the_api_gives_the_selectors_figures(bundle, history, api):
    response = api("leader").get("/api/v1/landstart-history")
    assert response.status_code == 200, response.content
    body = response.json()
    learning = history_learning(actor=bundle.zone.leader)
    assert [r["run"] for r in body["records"]] == [r.run_id for r in learning.records]
    assert [r["total_minutes"] for r in body["records"]] == [145, 40, 60]
    assert [r["best_minutes"] for r in body["records"]] == [145, 40, 40]
    assert body["best_run"] == history[1].pk
    assert body["records"][2]["sent_back"] == ["land_use_permit"]
    assert body["records"][2]["step_minutes"]["land_use_permit"] == 1
    (default,) = body["templates"]
    steps = {s["code"]: s for s in default["steps"]}
    for code, figures in _steps(learning).items():
        got = steps[code]
        assert got["minutes"] == {
            "count": figures.minutes.count,
            "min": figures.minutes.min,
            "median": figures.minutes.median,
            "p90": figures.minutes.p90,
            "max": figures.minutes.max,
            "mean": figures.minutes.mean,
        }
        assert got["critical_runs"] == figures.critical_runs and got["unit"] == figures.unit_code
    assert [u["unit"] for u in body["units"]] == [u.unit_code for u in learning.units]
    assert [u["decided_runs"] for u in body["units"]] == [2, 1, 0, 0, 0]
    assert body["deciding_unit"]["unit"] == "cz" and body["deciding_unit"]["critical_minutes"] == 90
    assert body["sent_back_runs"] == 1 and body["note"] == str(MSG_SEND_BACK_NOTE)

    filtered = api("leader").get("/api/v1/landstart-history", date_from="2026-05-25", date_to="2026-05-31").json()
    assert [r["run"] for r in filtered["records"]] == [history[1].pk]
    assert filtered["deciding_unit"]["unit"] == "zjj"


def test_the_api_refuses_an_enterprise_and_reversed_days(bundle, history, api):
    refused = api("ent-a").get("/api/v1/landstart-history")
    assert refused.status_code == 403 and refused.json()["message"] == str(MSG_STAFF_ONLY)
    bad = api("leader").get("/api/v1/landstart-history", date_from="2026-06-09", date_to="2026-05-01")
    assert bad.status_code == 422 and bad.json()["fields"]["date_to"] == [str(MSG_DATES_REVERSED)]
    assert api("leader").get("/api/v1/landstart-history", date_from="yesterday").status_code == 422


# --- the export -------------------------------------------------------------------------------


def _table(ws) -> tuple[list, list[list]]:
    """The header row (the first after the blank line) and the rows under it."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    blank = next(i for i, r in enumerate(rows) if i > 0 and all(v is None for v in r))
    return rows[blank + 1], rows[blank + 2 :]


def test_the_export_has_the_records_the_steps_and_the_units(bundle, history):
    response = client_for(bundle.zone.supervisor).get("/landstart/history/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    records, steps, units = wb.worksheets
    assert len(wb.worksheets) == 3

    _header, rows = _table(records)
    assert [(r[0], r[6], r[7]) for r in rows] == [
        (history[0].project.number, 145, 145),
        (history[1].project.number, 40, 40),
        (history[2].project.number, 60, 40),
    ]
    assert rows[0][4] == A_AWARD.replace(tzinfo=None)  # the zone's local time
    assert rows[1][9] == " → ".join(["成交确认书", "出让合同", "建设用地规划许可证", "建设工程规划许可证", "施工许可证"])
    assert rows[1][10] == "住房和城乡建设局" and rows[2][11] == "建设用地规划许可证"

    _header, rows = _table(steps)
    assert len(rows) == 8
    by_code = {r[2]: r for r in rows}
    # count, min, median, p90, max, mean, then the critical runs and share
    assert by_code["land_use_permit"][6:14] == [3, 1, 5, 9, 10, 5.33, 1, pytest.approx(1 / 3)]
    assert by_code["construction_permit"][6:14] == [3, 20, 20, 48, 55, 31.67, 3, 1]

    _header, rows = _table(units)
    assert [r[0] for r in rows] == ["cz", "zjj", "zrzy", "sw", "jyzx"]
    assert rows[0][8:] == [2, 90, round(90 / 245, 4), 2]
    notes = [r[0] for r in units.iter_rows(max_row=8, values_only=True)]
    assert str(MSG_DECIDING) % {
        "unit": "财政局",
        "decided": 2,
        "runs": runs_count(3),
        "minutes": "90",
        "share": "37%",
    } in notes


def test_the_export_follows_the_filters(bundle, history):
    response = client_for(bundle.zone.leader).get(
        "/landstart/history/export.xlsx", {"date_from": "2026-05-25", "date_to": "2026-05-31"}
    )
    _header, rows = _table(load_workbook(io.BytesIO(response.content)).worksheets[0])
    assert [r[0] for r in rows] == [history[1].project.number]
