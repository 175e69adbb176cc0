"""The big screen (大屏) of a batch and of a run, server side: the page without navigation, its
live part answering 304 from a cheap stamp while nothing changed and the new figures as soon as
a step moves, and the runs each viewer may see — nothing more, a 404 when none."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mashang.landstart.models import Batch, Run, RunStep, StepState
from mashang.landstart.selectors.screen import screen_batch_stamp
from mashang.landstart.services import landstart_step_complete
from mashang.landstart.views import screen as screen_views
from mashang.landstart.views.common import run_state_label
from mashang.org.models import User
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import AWARD, OPENED, ORDER, run_of

R = User.Role
NOW = AWARD + timedelta(minutes=5)
LOST = "Connection lost, figures as of {time}"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _fresh_rendering():
    """Each test's rows start from the same times (and, on SQLite, the same ids): no live part
    rendered for the test before serves this one."""
    screen_views._RENDERED.clear()
    yield
    screen_views._RENDERED.clear()


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


def make_batch(bundle, runs: list[Run], number: str = "PC-2026-01") -> Batch:
    batch = Batch.objects.create(
        number=number,
        name="第一批次",
        award_from=date(2026, 6, 10),
        award_to=date(2026, 6, 12),
        created_at=OPENED,
        created_by=bundle.zone.officer,
    )
    Run.objects.filter(pk__in=[r.pk for r in runs]).update(batch=batch)
    return batch


@pytest.fixture
def batch(bundle) -> Batch:
    """Three runs awarded at 09:30: the first two steps done in the first, none in the second,
    and the third of the other enterprise's project with its contract done."""
    first = run_of(
        bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 1, "land_contract": 2}
    )
    second = run_of(bundle, project=bundle.make_project(), opened=OPENED, awarded=AWARD, minutes={})
    other = bundle.make_project(investor=bundle.zone.other_enterprise)
    third = run_of(
        bundle,
        project=other,
        opened=OPENED,
        awarded=AWARD,
        minutes={"confirmation": 1, "land_contract": 3},
    )
    return make_batch(bundle, [first, second, third])


def live_url(batch: Batch) -> str:
    return f"/landstart/batches/{batch.pk}/screen/live/"


def page_url(batch: Batch) -> str:
    return f"/landstart/batches/{batch.pk}/screen/"


def cards(html: str) -> dict[int, str]:
    """Each run's card on the batch screen, by run id."""
    parts = re.split(r'(?=<li class="screen-run )', html)
    found = {}
    for part in parts[1:]:
        run_id = int(re.search(r'data-run="(\d+)"', part).group(1))
        found[run_id] = part
    return found


# --- the page ---------------------------------------------------------------------------------


def test_the_batch_screen_shows_every_run_with_its_stopwatch_progress_and_steps_in_hand(
    bundle, batch
):
    response = client_for(bundle.zone.leader).get(page_url(batch))
    assert response.status_code == 200
    html = text(response)
    # A page of its own: no navigation, no sign-out form; the stylesheet and the script only.
    assert "topnav" not in html and "topbar" not in html
    assert "<script>" not in html and "style=" not in html
    assert batch.number in html and batch.name in html
    runs = list(Run.objects.filter(batch=batch).order_by("id"))
    shown = cards(html)
    assert set(shown) == {r.pk for r in runs}
    first, second, third = runs
    # The stopwatch ticks from the award: the page carries it, and reads 0:05:00 now.
    award_ms = str(int(AWARD.timestamp() * 1000))
    for run in runs:
        card = shown[run.pk]
        assert run.project.name in card and run.project.number in card
        assert f'data-from="{award_ms}"' in card
        assert ">0:05:00<" in card
        assert str(run_state_label("running")) in card
    assert "2 / 8" in shown[first.pk] and "0 / 8" in shown[second.pk]
    # The steps in hand, with their units: after the contract, payment and land-use permit.
    assert 'data-step="land_payment"' in shown[first.pk] and "财政局" in shown[first.pk]
    assert 'data-step="land_use_permit"' in shown[first.pk]
    assert 'data-step="confirmation"' in shown[second.pk]
    assert 'data-step="land_payment"' not in shown[second.pk]
    assert "公共资源交易中心" in shown[second.pk]
    # The lost-connection sentence is in the page, in the reader's language, for the script.
    assert f'data-message="{gettext(LOST)}"' in html
    assert f'data-live-url="{live_url(batch)}"' in html
    english = client_for(bundle.zone.leader)
    english.cookies["django_language"] = "en"
    assert 'data-message="Connection lost, figures as of {time}"' in text(
        english.get(page_url(batch))
    )


def test_the_first_poll_of_a_fresh_page_is_a_304(bundle, batch):
    c = client_for(bundle.zone.leader)
    page = text(c.get(page_url(batch)))
    etag = re.search(r'data-etag="([^"]*)"', page).group(1).replace("&quot;", '"')
    assert etag.startswith('"') and len(etag) > 10
    response = c.get(live_url(batch), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


# --- the live part ----------------------------------------------------------------------------


def test_the_live_part_answers_304_until_a_step_moves_then_the_new_figures(
    bundle, batch, django_assert_max_num_queries
):
    c = client_for(bundle.zone.leader)
    first = text(c.get(live_url(batch)))
    response = c.get(live_url(batch))
    etag = response["ETag"]
    # Revalidated with its ETag, never stored (the no-store of every signed-in page).
    assert {"no-cache", "private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert 'data-done="4"' in first and 'data-total="24"' in first
    # Nothing changed: a 304 from the stamp alone (session, user, batch, runs).
    with django_assert_max_num_queries(4):
        again = c.get(live_url(batch), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""

    run = Run.objects.filter(batch=batch).order_by("id").first()
    landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment")
    changed = c.get(live_url(batch), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    html = text(changed)
    assert 'data-done="5"' in html
    card = cards(html)[run.pk]
    assert "3 / 8" in card
    # Payment is done: the deed tax is in hand now, with the tax office.
    assert 'data-step="land_payment"' not in card
    assert 'data-step="deed_tax"' in card and "税务分局" in card
    assert c.get(live_url(batch), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_a_full_read_costs_the_same_queries_for_three_runs_or_six(
    bundle, batch, django_assert_max_num_queries
):
    c = client_for(bundle.zone.leader)
    c.get(live_url(batch))  # the session is warm
    with django_assert_max_num_queries(7):
        assert c.get(live_url(batch)).status_code == 200
    more = [
        run_of(
            bundle,
            project=bundle.make_project(),
            opened=OPENED,
            awarded=AWARD,
            minutes={"confirmation": 1},
        )
        for _ in range(3)
    ]
    Run.objects.filter(pk__in=[r.pk for r in more]).update(batch=batch)
    with django_assert_max_num_queries(7):
        html = text(c.get(live_url(batch)))
    assert len(cards(html)) == 6


def test_a_run_joining_the_batch_or_a_renamed_project_changes_the_stamp(bundle, batch):
    leader = bundle.zone.leader
    before = screen_batch_stamp(actor=leader, batch_id=batch.pk)
    assert screen_batch_stamp(actor=leader, batch_id=batch.pk) == before
    extra = run_of(bundle, project=bundle.make_project(), opened=OPENED)
    Run.objects.filter(pk=extra.pk).update(batch=batch)
    joined = screen_batch_stamp(actor=leader, batch_id=batch.pk)
    assert joined != before
    project = extra.project
    project.name = "改名后的项目"
    project.updated_at = timezone.now()
    project.save(update_fields=["name", "updated_at"])
    assert screen_batch_stamp(actor=leader, batch_id=batch.pk) != joined
    assert "改名后的项目" in text(client_for(leader).get(live_url(batch)))


def test_the_etag_of_one_language_is_no_304_in_the_other(bundle, batch):
    c = client_for(bundle.zone.leader)
    chinese = c.get(live_url(batch))["ETag"]
    c.cookies["django_language"] = "en"
    english = c.get(live_url(batch), HTTP_IF_NONE_MATCH=chinese)
    assert english.status_code == 200
    assert english["ETag"] != chinese


# --- who sees it ------------------------------------------------------------------------------


def test_each_viewer_sees_the_runs_they_may_see_and_a_404_when_none(bundle, batch):
    z = bundle.zone
    runs = {
        r.project.investor_id: r for r in Run.objects.filter(batch=batch).select_related("project")
    }
    other_run = runs[z.other_enterprise.pk]
    stranger_unit = UnitFactory(code="qt", name="其他单位")
    stranger = UserFactory(username="unit-qt", role=R.UNIT_STAFF, unit=stranger_unit)
    for user in (
        z.officer,
        z.supervisor,
        z.leader,
        bundle.admin,
        z.land_staff,
        bundle.people["cz"],
    ):
        html = text(client_for(user).get(page_url(batch)))
        assert len(cards(html)) == 3, user.username
    # An enterprise sees its own runs only; the other enterprise its one.
    own = cards(text(client_for(z.contact).get(page_url(batch))))
    assert len(own) == 2 and other_run.pk not in own
    theirs = cards(text(client_for(z.other_contact).get(live_url(batch))))
    assert list(theirs) == [other_run.pk]
    # The leader's ETag is no 304 for the other enterprise: it sees other figures.
    etag = client_for(z.leader).get(live_url(batch))["ETag"]
    assert (
        client_for(z.other_contact).get(live_url(batch), HTTP_IF_NONE_MATCH=etag).status_code == 200
    )
    # A unit with no step in the batch sees nothing of it.
    for url in (page_url(batch), live_url(batch)):
        assert client_for(stranger).get(url).status_code == 404
    # Signed out: to the sign-in page, never the figures.
    anonymous = Client().get(live_url(batch))
    assert anonymous.status_code == 302 and "screen-body" not in text(anonymous)
    assert Client().get(page_url(batch)).status_code == 302


def test_an_empty_batch_shows_to_the_zone_and_is_404_to_a_unit(bundle):
    empty = make_batch(bundle, [], number="PC-2026-02")
    html = text(client_for(bundle.zone.leader).get(page_url(empty)))
    assert gettext("No run belongs to this batch yet.") in html
    assert client_for(bundle.zone.land_staff).get(page_url(empty)).status_code == 404
    assert (
        client_for(bundle.zone.leader).get("/landstart/batches/999999/screen/live/").status_code
        == 404
    )


# --- one run ----------------------------------------------------------------------------------


def tiles(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="screen-tile [^"]*" data-step="(\w+)" data-state="(\w+)"', html)


def test_the_run_screen_draws_the_steps_as_tiles_in_the_order_of_their_prerequisites(bundle):
    run = run_of(
        bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 1, "land_contract": 2}
    )
    c = client_for(bundle.zone.leader)
    assert f'href="/landstart/{run.pk}/screen/"' in text(c.get(f"/landstart/{run.pk}/"))
    html = text(c.get(f"/landstart/{run.pk}/screen/"))
    assert "topnav" not in html
    shown = tiles(html)
    codes = [code for code, _ in shown]
    assert len(codes) == 8 and codes[0] == "confirmation" and codes[-1] == "construction_permit"
    position = {code: i for i, code in enumerate(codes)}
    for step in RunStep.objects.filter(run=run):
        for needed in step.prerequisites:
            assert position[needed] < position[step.code], (needed, step.code)
    states = dict(shown)
    assert states["land_contract"] == StepState.DONE and states["land_payment"] == StepState.ACTIVE
    assert states["deed_tax"] == StepState.WAITING
    assert html.count('class="screen-column"') == 6  # the default bundle is six steps deep
    # The live part: 304 while nothing moves, the tile done when it is.
    live = f"/landstart/{run.pk}/screen/live/"
    etag = c.get(live)["ETag"]
    assert c.get(live, HTTP_IF_NONE_MATCH=etag).status_code == 304
    landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment")
    after = dict(tiles(text(c.get(live, HTTP_IF_NONE_MATCH=etag))))
    assert after["land_payment"] == StepState.DONE and after["deed_tax"] == StepState.ACTIVE


def test_the_run_screen_is_404_to_those_who_may_not_see_the_run(bundle):
    run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes={})
    for url in (f"/landstart/{run.pk}/screen/", f"/landstart/{run.pk}/screen/live/"):
        assert client_for(bundle.zone.other_contact).get(url).status_code == 404
        assert client_for(bundle.zone.contact).get(url).status_code == 200


def test_a_completed_run_shows_its_record_and_its_stopwatch_stands(bundle):
    minutes = {code: 5 * (i + 1) for i, (code, _unit) in enumerate(ORDER)}  # the permit at 40
    with time_machine.travel(AWARD + timedelta(hours=2), tick=False):
        run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes=minutes)
        html = text(client_for(bundle.zone.leader).get(f"/landstart/{run.pk}/screen/"))
    assert ">0:40:00<" in html
    until = str(int((AWARD + timedelta(minutes=40)).timestamp() * 1000))
    assert f'data-until="{until}"' in html
    assert "8 / 8" in html


# --- any order of completions -----------------------------------------------------------------


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False))
def test_after_every_completion_in_any_order_the_old_etag_gets_the_new_figures(bundle, random):
    run = run_of(bundle, project=bundle.make_project(), opened=OPENED, awarded=AWARD, minutes={})
    number = f"PC-2026-{Batch.objects.count() + 10:02d}"
    batch = make_batch(bundle, [run], number=number)
    c = client_for(bundle.zone.leader)
    etag = c.get(live_url(batch))["ETag"]
    done = 0
    units = dict(ORDER)
    while done < 8:
        ready = list(
            RunStep.objects.filter(run=run, state=StepState.ACTIVE).values_list("code", flat=True)
        )
        code = random.choice(sorted(ready))
        landstart_step_complete(actor=bundle.people[units[code]], run_id=run.pk, step_code=code)
        done += 1
        response = c.get(live_url(batch), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert f'data-done="{done}"' in text(response)
        assert response["ETag"] != etag
        etag = response["ETag"]
        assert c.get(live_url(batch), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_after_a_change_only_the_first_screen_pays_the_full_read(
    bundle, batch, django_assert_max_num_queries
):
    """The command centre's screens ask for the same figures: the first after a change reads
    them, the others with the same view get the same answer from the stamp's queries alone."""
    leader, officer = client_for(bundle.zone.leader), client_for(bundle.zone.officer)
    first = leader.get(live_url(batch))
    officer.get(live_url(batch))  # the session is warm
    run = Run.objects.filter(batch=batch).order_by("id").first()
    landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment")
    changed = leader.get(live_url(batch), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and 'data-done="5"' in text(changed)
    with django_assert_max_num_queries(4):
        same = officer.get(live_url(batch), HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 200 and same["ETag"] == changed["ETag"]
    assert same.content == changed.content
    assert int(same["X-Server-Time"]) == int(NOW.timestamp() * 1000)
    # Another view (the enterprise sees two of the three runs) is read for itself.
    own = client_for(bundle.zone.contact).get(live_url(batch))
    assert own["ETag"] != changed["ETag"] and len(cards(text(own))) == 2
