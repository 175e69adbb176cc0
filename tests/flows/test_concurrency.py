"""Many people at once, on PostgreSQL: numbers stay unique and consecutive, a retried filing
creates one demand, and of two people moving the same version of a demand exactly one wins.

Each thread works on its own database connection, closed when the thread ends."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from mashang.audit.models import Event
from mashang.core.errors import Conflict
from mashang.core.models import IdempotencyRecord
from mashang.demands import services
from mashang.demands.models import Demand
from mashang.demands.services.lifecycle import MSG_STALE
from tests.kit.threads import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BODY = {"title": "厂房用地红线需要复核", "description": "请协助复核用地红线。", "category": "land"}


def events_of(demand_id: int) -> int:
    return Event.objects.filter(subject_type="demand", subject_id=demand_id).count()


def test_twenty_concurrent_filings_get_distinct_consecutive_numbers(zone, api):
    clients = [api("ent-a" if i % 2 else "ent-b") for i in range(20)]
    responses = together([lambda c=c: c.post("/api/v1/demands", BODY) for c in clients])
    assert [r.status_code for r in responses] == [201] * 20, [
        r.content for r in responses if r.status_code != 201
    ]
    numbers = [r.json()["number"] for r in responses]
    year = timezone.localtime().year
    assert all(re.fullmatch(rf"SQ-{year}-\d{{6}}", n) for n in numbers), numbers
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + 20))
    assert Demand.objects.count() == 20 and Event.objects.filter(action="submit").count() == 20


def test_sixteen_people_filing_fifty_demands_each_get_800_distinct_increasing_numbers(zone):
    """Filings do not queue behind one number: each gets its own, none twice, none failing,
    and each person's numbers increase in the order they filed."""
    year = timezone.localtime().year

    def fifty(contact) -> list[str]:
        return [
            services.demand_submit(
                actor=contact, title=f"厂区道路积水 {i}", description="雨后积水影响货车进出。", channel="web"
            ).number
            for i in range(50)
        ]

    results = together([lambda c=c: fifty(c) for c in [zone.contact, zone.other_contact] * 8])
    assert not [r for r in results if isinstance(r, BaseException)], results
    numbers = [n for r in results for n in r]
    assert len(numbers) == len(set(numbers)) == 800
    assert all(re.fullmatch(rf"SQ-{year}-\d{{6}}", n) for n in numbers), numbers[:5]
    for filed in results:
        serials = [int(n.rsplit("-", 1)[1]) for n in filed]
        assert serials == sorted(serials) and len(set(serials)) == 50
    assert Demand.objects.count() == 800 and Event.objects.filter(action="submit").count() == 800


def test_eight_concurrent_retries_with_one_key_create_one_demand(zone, api):
    first = api("ent-a")
    clients = [first] + [api(None) for _ in range(7)]
    for client in clients[1:]:
        client.headers = dict(first.headers)  # the same person, the same token
    responses = together(
        [
            lambda c=c: c.post(
                "/api/v1/demands", BODY, headers={"Idempotency-Key": "flaky-network"}
            )
            for c in clients
        ]
    )
    assert [r.status_code for r in responses] == [201] * 8, [r.content for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.json()["number"] for r in responses}) == 1
    assert Demand.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    assert events_of(responses[0].json()["id"]) == 1


def dispatched(zone) -> Demand:
    demand = services.demand_submit(
        actor=zone.contact, title="用地", description="红线复核", channel="web"
    )
    demand = services.demand_triage(
        actor=zone.officer, demand_id=demand.pk, version=demand.version, category="land"
    )
    return services.demand_dispatch(
        actor=zone.officer,
        demand_id=demand.pk,
        version=demand.version,
        lead_unit="zrzy",
        co_units=["zjj"],
    )


def test_of_two_services_moving_the_same_version_exactly_one_wins(zone):
    for _ in range(5):
        demand = dispatched(zone)
        before = events_of(demand.pk)

        def respond(demand=demand):
            return services.demand_respond(
                actor=zone.land_staff, demand_id=demand.pk, version=demand.version, method="phone",
                contact_with="李经理",
            )

        def escalate(demand=demand):
            return services.demand_escalate(
                actor=zone.officer,
                demand_id=demand.pk,
                version=demand.version,
                reason="涉及多个部门",
            )

        results = together([respond, escalate])
        won = [r for r in results if isinstance(r, Demand)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, results
        assert type(lost[0]) is Conflict and lost[0].status_code == 409
        assert lost[0].message == str(MSG_STALE).format(
            given=demand.version, current=demand.version + 1
        )
        stored = Demand.objects.get(pk=demand.pk)
        assert stored.version == demand.version + 1 and stored.status == won[0].status
        assert events_of(demand.pk) == before + 1


def test_of_two_api_clients_moving_the_same_version_one_gets_409(zone, api):
    unit, officer = api("unit-zrzy"), api("officer")
    for _ in range(3):
        demand = dispatched(zone)
        read = {"id": demand.pk, "version": demand.version}
        responses = together(
            [
                lambda read=read: unit.act(read, "respond", note="已联系", method="phone", contact_with="李经理"),
                lambda read=read: officer.act(read, "escalate", reason="难题"),
            ]
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [
            r.content for r in responses
        ]
        loser = next(r for r in responses if r.status_code == 409).json()
        assert loser["message"] and loser["fields"] == {}
        winner = next(r for r in responses if r.status_code == 200).json()
        stored = Demand.objects.get(pk=demand.pk)
        assert (stored.version, stored.status) == (demand.version + 1, winner["status"])
        assert events_of(demand.pk) == demand.version + 1
