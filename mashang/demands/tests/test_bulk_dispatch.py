"""Several demands dispatched at once from the service team's queue: each with its own move,
event and transaction; one refused leaves the others; a repeated request is already done."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mashang.audit.models import Event
from mashang.core.bulk import Outcome
from mashang.demands.models import Assignment, Demand, Status
from mashang.demands.services.bulk import demands_dispatch_bulk
from tests.kit.factories import CategoryFactory
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.django_db

TEAM = reverse("demands:team")
BULK = reverse("demands:team-dispatch")


def _items(*demands: Demand) -> list[tuple[int, int]]:
    return [(d.pk, d.version) for d in demands]


def _dispatch_events(demand: Demand) -> int:
    return Event.objects.filter(subject_type="demand", subject_id=demand.pk, action="dispatch").count()


def signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages asserted by their msgids
    client.force_login(user)
    return client


def test_each_demand_is_dispatched_with_its_own_event_to_its_category_default(zone):
    demands = [walk_to(zone, Status.TRIAGED) for _ in range(3)]

    result = demands_dispatch_bulk(actor=zone.officer, items=_items(*demands), note="批量派单")

    assert [i.outcome for i in result.items] == [Outcome.DONE] * 3
    assert [i.label for i in result.done] == [d.number for d in demands]
    for d in demands:
        d.refresh_from_db()
        assert d.status == Status.DISPATCHED and d.lead_unit == zone.land
        assert _dispatch_events(d) == 1


def test_a_named_lead_unit_and_co_units_go_to_every_demand(zone):
    demands = [walk_to(zone, Status.TRIAGED) for _ in range(2)]
    demands_dispatch_bulk(actor=zone.officer, items=_items(*demands), lead_unit="zjj", co_units=["zrzy"])
    for d in demands:
        roles = dict(Assignment.objects.filter(demand=d, is_current=True).values_list("unit__code", "role"))
        assert roles == {"zjj": "lead", "zrzy": "co"}


def test_one_failing_does_not_undo_the_others(zone):
    good = walk_to(zone, Status.TRIAGED)
    stale = walk_to(zone, Status.TRIAGED)
    CategoryFactory(code="misc", name="其他", default_lead_unit=None)
    no_default = act(zone, "triage", "officer", walk_to(zone, Status.SUBMITTED), category="misc")
    items = [(good.pk, good.version), (stale.pk, stale.version - 1), (no_default.pk, no_default.version)]

    result = demands_dispatch_bulk(actor=zone.officer, items=items)

    assert [i.outcome for i in result.items] == [Outcome.DONE, Outcome.FAILED, Outcome.FAILED]
    assert result.failed[0].label == stale.number and result.failed[0].status == 409
    assert result.failed[1].label == no_default.number and result.failed[1].status == 422
    assert Demand.objects.get(pk=good.pk).status == Status.DISPATCHED
    assert Demand.objects.get(pk=stale.pk).status == Status.TRIAGED
    assert Demand.objects.get(pk=no_default.pk).status == Status.TRIAGED
    assert _dispatch_events(stale) == 0 and _dispatch_events(no_default) == 0


def test_a_repeated_request_reports_already_done_and_dispatches_nothing_twice(zone):
    demands = [walk_to(zone, Status.TRIAGED) for _ in range(2)]
    items = _items(*demands)
    demands_dispatch_bulk(actor=zone.officer, items=items)

    again = demands_dispatch_bulk(actor=zone.officer, items=items)

    assert [i.outcome for i in again.items] == [Outcome.ALREADY, Outcome.ALREADY]
    assert all(_dispatch_events(d) == 1 for d in demands)


def test_a_unit_member_cannot_bulk_dispatch(zone):
    triaged = walk_to(zone, Status.TRIAGED)
    returned = walk_to(zone, Status.RETURNED)  # still readable by the unit that returned it

    result = demands_dispatch_bulk(actor=zone.land_staff, items=_items(triaged, returned))

    assert [i.outcome for i in result.items] == [Outcome.FAILED, Outcome.FAILED]
    assert {i.status for i in result.items} == {404, 403}
    assert Demand.objects.get(pk=triaged.pk).status == Status.TRIAGED
    assert Demand.objects.get(pk=returned.pk).status == Status.RETURNED


# --- the page --------------------------------------------------------------------------------


def test_the_queue_offers_a_checkbox_only_where_the_demand_can_be_dispatched(zone):
    triaged = walk_to(zone, Status.TRIAGED)
    returned = walk_to(zone, Status.RETURNED)
    new = submit(zone)
    html = signed_in(zone.officer).get(TEAM).content.decode()
    assert f'value="{triaged.pk}:{triaged.version}"' in html
    assert f'value="{returned.pk}:{returned.version}"' in html
    assert f'id="pick-{new.pk}"' not in html
    assert f'action="{BULK}"' in html


def test_the_page_reports_each_demand(zone):
    good = [walk_to(zone, Status.TRIAGED) for _ in range(3)]
    stale = walk_to(zone, Status.TRIAGED)
    client = signed_in(zone.officer)
    data = {"demands": [f"{d.pk}:{d.version}" for d in good] + [f"{stale.pk}:{stale.version - 1}"], "next": TEAM}

    response = client.post(BULK, data, follow=True)

    assert response.redirect_chain[-1][0] == TEAM
    said = [str(m) for m in response.context["messages"]]
    assert "3 demands dispatched." in said
    assert any(m.startswith(f"{stale.number} not dispatched:") for m in said)
    # Sent again (a retried POST): nothing is dispatched twice, the three are already done.
    said = [str(m) for m in client.post(BULK, data, follow=True).context["messages"]]
    assert any(m.startswith("3 were already dispatched") for m in said)
    assert all(_dispatch_events(d) == 1 for d in good)


def test_only_the_service_team_posts_and_a_selection_is_required(zone):
    triaged = walk_to(zone, Status.TRIAGED)
    data = {"demands": [f"{triaged.pk}:{triaged.version}"]}
    assert signed_in(zone.land_staff).post(BULK, data).status_code == 403
    assert signed_in(zone.officer).get(BULK).status_code == 405
    response = signed_in(zone.officer).post(BULK, {"demands": ["x"]}, follow=True)
    assert any("not understood" in str(m) for m in response.context["messages"])
    assert Demand.objects.get(pk=triaged.pk).status == Status.TRIAGED
