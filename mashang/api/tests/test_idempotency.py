"""A client that retries a filing with the same Idempotency-Key gets the first demand back and
never a second one; a key is one person's, and a refused request leaves the key free."""

from __future__ import annotations

from mashang.audit.models import Event
from mashang.core.idempotency import MSG_KEY_REUSED, MSG_KEY_TOO_LONG
from mashang.core.models import IdempotencyRecord
from mashang.demands.models import Demand
from mashang.demands.services.submit import MSG_UNKNOWN_CATEGORY

BODY = {"title": "厂房用地红线需要复核", "description": "请协助复核用地红线。", "category": "land"}


def file(client, body=BODY, key="retry-1"):
    return client.post("/api/v1/demands", body, headers={"Idempotency-Key": key})


def test_the_same_key_twice_returns_the_same_demand_and_creates_one(zone, api):
    contact = api("ent-a")
    first, second = file(contact), file(contact)
    assert (first.status_code, second.status_code) == (201, 201), second.content
    assert second.json() == first.json()
    assert Demand.objects.count() == 1 and Event.objects.count() == 1
    assert Demand.objects.get().number == first.json()["number"]
    # Without a key, each request files a new demand.
    assert contact.post("/api/v1/demands", BODY).status_code == 201
    assert contact.post("/api/v1/demands", BODY).status_code == 201
    assert Demand.objects.count() == 3


def test_the_same_key_with_another_body_is_refused(zone, api):
    contact = api("ent-a")
    first = file(contact)
    r = file(contact, {**BODY, "title": "另一件事"})
    assert r.status_code == 422
    assert r.json() == {
        "message": str(MSG_KEY_REUSED),
        "fields": {"Idempotency-Key": [str(MSG_KEY_REUSED)]},
    }
    assert list(Demand.objects.values_list("title", flat=True)) == [BODY["title"]]
    assert file(contact).json()["id"] == first.json()["id"]  # the first answer is still there


def test_different_people_may_use_the_same_key(zone, api):
    mine, theirs = file(api("ent-a")), file(api("ent-b"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert mine.json()["enterprise"]["code"] == zone.enterprise.credit_code
    assert theirs.json()["enterprise"]["code"] == zone.other_enterprise.credit_code
    assert Demand.objects.count() == 2 and IdempotencyRecord.objects.count() == 2


def test_a_refused_request_can_be_retried_with_a_fixed_body_under_the_same_key(zone, api):
    contact = api("ent-a")
    refused_by_service = file(contact, {**BODY, "category": "nope"})
    assert refused_by_service.status_code == 422
    assert refused_by_service.json()["fields"] == {"category": [str(MSG_UNKNOWN_CATEGORY)]}
    refused_by_schema = file(contact, {"description": "没有标题"})
    assert refused_by_schema.status_code == 422
    assert Demand.objects.count() == 0 and IdempotencyRecord.objects.count() == 0
    fixed = file(contact)
    assert fixed.status_code == 201, fixed.content
    assert file(contact).json()["id"] == fixed.json()["id"]
    assert Demand.objects.count() == 1


def test_a_key_that_is_too_long_is_refused(zone, api):
    r = file(api("ent-a"), key="k" * 256)
    assert r.status_code == 422
    assert r.json()["fields"] == {"Idempotency-Key": [str(MSG_KEY_TOO_LONG)]}
    assert Demand.objects.count() == 0
    assert file(api("ent-a"), key="k" * 255).status_code == 201


def test_a_retry_that_orders_the_json_keys_differently_is_the_same_request(zone, api):
    contact = api("ent-a")
    first = file(contact, body=BODY)
    reordered = dict(reversed(list(BODY.items())))
    second = file(contact, body=reordered)
    assert second.status_code == 201, second.content
    assert second.json()["id"] == first.json()["id"]
    assert Demand.objects.count() == 1
