"""The batch pages: the list, the form, adding and removing runs, the live board and its
fragment, the Excel export, the links between a run's board and its batch, and a unit's
“my steps” grouped by batch and run (active, next, pre-review)."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from mashang.landstart.models import Batch, Run
from mashang.landstart.services import batch_create, landstart_open
from mashang.landstart.services.batches import MSG_AWARD_DAYS_ORDER, MSG_RUN_IN_OTHER_BATCH
from mashang.landstart.views.batches import MSG_OUTSIDE_DAYS
from mashang.web.navigation import nav_for
from tests.kit.landstart import OPENED, documents_on_file

from .test_batches import DAY1, DAY2, NOW, batch_day

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


def test_the_pages_render_for_those_who_may_see_them(bundle):
    day = batch_day(bundle)
    z = bundle.zone
    pages = ["/landstart/batches/", f"/landstart/batches/{day.batch.pk}/", f"/landstart/batches/{day.batch.pk}/live/"]
    for user in (z.officer, bundle.admin, z.supervisor, z.leader, bundle.people["cz"], z.land_staff):
        c = client_for(user)
        for url in pages:
            assert c.get(url).status_code == 200, (user.username, url)
    board = text(client_for(bundle.people["cz"]).get(f"/landstart/batches/{day.batch.pk}/"))
    assert day.batch.name in board and day.batch.number in board
    for run in (day.a, day.b, day.c, day.d):
        assert f'data-run="{run.pk}"' in board and run.project.name in board
    assert 'data-unit="cz"' in board and "/runs/add/" not in board  # a unit follows, it does not manage
    assert f'href="/landstart/batches/{day.batch.pk}/plan/"' in board  # the day's plan
    assert f'href="/landstart/batches/{day.batch.pk}/screen/"' in board  # the big screen
    assert escape(str(MSG_OUTSIDE_DAYS)) in board  # C was awarded a day after the batch's days
    assert client_for(z.other_contact).get(f"/landstart/batches/{day.batch.pk}/").status_code == 404
    for user in (z.contact, z.land_staff, z.leader):
        assert client_for(user).get("/landstart/batches/new/").status_code == 403
    assert "/landstart/batches/" in [i["url"] for i in nav_for(z.officer)]
    assert "/landstart/batches/" not in [i["url"] for i in nav_for(z.contact)]


def test_the_officer_makes_a_batch_and_a_mistake_is_shown_beside_its_field(bundle):
    c = client_for(bundle.zone.officer)
    assert c.get("/landstart/batches/new/").status_code == 200
    wrong = c.post("/landstart/batches/new/", {"name": "第一批", "award_from": "2026-06-11", "award_to": "2026-06-10"})
    assert wrong.status_code == 422 and escape(str(MSG_AWARD_DAYS_ORDER)) in text(wrong)
    assert Batch.objects.count() == 0
    made = c.post("/landstart/batches/new/", {"name": "第一批", "award_from": "2026-06-10", "award_to": "2026-06-11"})
    batch = Batch.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/landstart/batches/{batch.pk}/"
    assert batch.number == "PC-2026-01"
    edit = c.post(f"/landstart/batches/{batch.pk}/edit/",
                  {"version": 1, "name": "第一批（改）", "award_from": "2026-06-10", "award_to": "2026-06-12"})
    assert edit.status_code == 302
    stale = c.post(f"/landstart/batches/{batch.pk}/edit/",
                   {"version": 1, "name": "旧的", "award_from": "2026-06-10", "award_to": "2026-06-12"})
    assert stale.status_code == 409 and f"/landstart/batches/{batch.pk}/edit/" in text(stale)
    batch.refresh_from_db()
    assert (batch.name, batch.award_to.isoformat(), batch.version) == ("第一批（改）", "2026-06-12", 2)


def test_runs_are_added_and_removed_from_the_board_and_a_run_in_another_batch_is_refused(bundle):
    officer = bundle.zone.officer
    first = batch_create(actor=officer, name="第一批", award_from=DAY1, award_to=DAY2, at=OPENED)
    second = batch_create(actor=officer, name="第二批", award_from=DAY1, award_to=DAY2, at=OPENED)
    run = landstart_open(actor=officer, project_id=bundle.project.pk, at=OPENED)
    c = client_for(officer)
    page = text(c.get(f"/landstart/batches/{first.pk}/"))
    assert f'<option value="{run.pk}">' in page  # a listed run in no batch is offered
    added = c.post(f"/landstart/batches/{first.pk}/runs/add/", {"run": run.pk, "version": 1})
    assert added.status_code == 302 and Run.objects.get().batch_id == first.pk
    refused = c.post(f"/landstart/batches/{second.pk}/runs/add/", {"run": run.pk})
    label = f"{bundle.project.number} {bundle.project.name}"
    assert refused.status_code == 409
    assert escape(str(MSG_RUN_IN_OTHER_BATCH).format(project=label, batch=first.number)) in text(refused)
    board = text(c.get(f"/landstart/batches/{first.pk}/"))
    assert f"/landstart/batches/{first.pk}/runs/{run.pk}/remove/" in board
    removed = c.post(f"/landstart/batches/{first.pk}/runs/{run.pk}/remove/")
    assert removed.status_code == 302 and Run.objects.get().batch_id is None
    assert client_for(bundle.zone.land_staff).post(
        f"/landstart/batches/{first.pk}/runs/add/", {"run": run.pk}
    ).status_code == 403


def test_the_board_polls_while_a_run_is_open_and_links_to_the_run_boards_and_back(bundle):
    day = batch_day(bundle)
    c = client_for(bundle.zone.leader)
    live = c.get(f"/landstart/batches/{day.batch.pk}/live/", headers=HX)
    assert live.status_code == 200 and live["Cache-Control"] == "no-store"
    html = text(live)
    assert html.startswith('<div id="board"') and 'hx-trigger="every 3s"' in html
    assert f"/landstart/{day.c.pk}/#step-land_payment" in html
    run_board = text(c.get(f"/landstart/{day.a.pk}/"))
    assert f'href="/landstart/batches/{day.batch.pk}/"' in run_board and day.batch.number in run_board
    # A batch whose runs are all finished stops polling.
    Run.objects.filter(pk__in=[day.c.pk, day.d.pk]).update(batch=None)
    assert "hx-trigger" not in text(c.get(f"/landstart/batches/{day.batch.pk}/live/", headers=HX))


def test_the_export_has_a_sheet_of_runs_and_one_of_the_units_queues(bundle):
    day = batch_day(bundle)
    response = client_for(bundle.zone.officer).get(f"/landstart/batches/{day.batch.pk}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    runs, units = wb.worksheets
    run_rows = [r for r in runs.iter_rows(values_only=True) if r and r[0] in {x.project.number for x in
                (day.a, day.b, day.c, day.d)}]
    assert [r[0] for r in run_rows] == [day.a.project.number, day.b.project.number, day.c.project.number,
                                        day.d.project.number]
    assert [r[5] for r in run_rows] == [41, 40, 20, None]
    finance = [r for r in units.iter_rows(values_only=True) if r and r[0] == "财政局"]
    assert [r[7] for r in finance] == [0.25, 1.75, 15, None]


def test_user_text_is_escaped_on_the_batch_pages(bundle):
    officer = bundle.zone.officer
    batch = batch_create(actor=officer, name="<script>alert(1)</script>", award_from=DAY1, award_to=DAY1,
                         note="<a href='http://spam'>x</a>", at=OPENED)
    c = client_for(officer)
    for url in ("/landstart/batches/", f"/landstart/batches/{batch.pk}/", f"/landstart/batches/{batch.pk}/edit/"):
        html = text(c.get(url))
        assert "<script>alert(1)</script>" not in html and "<a href='http://spam'>" not in html


def test_a_unit_sees_its_steps_active_first_then_next_then_pre_review_grouped_by_run(bundle):
    day = batch_day(bundle)
    # One more listed run outside any batch: pre-review for natural resources.
    extra = landstart_open(actor=bundle.zone.officer, project_id=bundle.make_project().pk, at=OPENED)
    documents_on_file(extra)
    html = text(client_for(bundle.zone.land_staff).get("/landstart/"))
    section = html[html.index('id="my-steps"'):]
    active, nxt, pre = (section.index(f'id="my-steps-{k}"') for k in ("active", "next", "prereview"))
    assert active < nxt < pre
    # Active: C's land-use permit, in hand since 5 minutes after C's award.
    assert f'data-step="land_use_permit" data-run="{day.c.pk}"' in section[active:nxt]
    # Next: C's title and works permit, each with what it waits on.
    coming = section[nxt:pre]
    assert f'data-step="title" data-run="{day.c.pk}"' in coming and "契税" in coming
    assert f'data-step="works_permit" data-run="{day.c.pk}"' in coming and "建设用地规划许可证" in coming
    # Pre-review: D (in the batch, under its heading) and the extra run.
    later = section[pre:]
    assert f'data-run="{day.d.pk}"' in later and f'data-run="{extra.pk}"' in later
    assert f'href="/landstart/batches/{day.batch.pk}/"' in later


def test_the_unit_home_page_says_what_each_next_step_waits_on(bundle):
    day = batch_day(bundle)
    html = text(client_for(bundle.people["sw"]).get("/demands/unit/"))
    coming = html[html.index('id="unit-steps-next"'):]
    coming = coming[: coming.index("</ul>")]
    # The tax office's deed tax in C waits on finance's payment; C is in the batch.
    assert 'data-step="deed_tax"' in coming and "土地出让金缴纳" in coming and day.batch.number in coming
