"""The notice endpoints: shape, filters, visibility and errors in the API's one error shape."""

from __future__ import annotations

import pytest
from django.utils import translation

from mashang.demands.deadlines import DeadlineKind
from mashang.demands.models import Status
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.services import supervision_sweep
from mashang.supervision.services.notices import MSG_MAY_NOT_ACKNOWLEDGE, MSG_MAY_NOT_ISSUE
from tests.kit.clocks import at
from tests.kit.walk import submit, walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_settings")]


def _zh(label) -> str:
    """Labels come in the zone's language (zh-Hans, the default)."""
    with translation.override("zh-hans"):
        return str(label)


@pytest.fixture
def notices(zone, people):
    unit_demand = walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0))
    triage_demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 10, 30))
    return (
        SupervisionNotice.objects.get(demand=unit_demand),
        SupervisionNotice.objects.get(demand=triage_demand),
    )


def test_the_list_and_its_shape(zone, people, notices, api):
    unit_notice, triage_notice = notices
    body = api("supervisor").get("/api/v1/notices").json()
    assert body["count"] == 2 and (body["page"], body["page_size"]) == (1, 20)
    first = next(n for n in body["results"] if n["id"] == unit_notice.pk)
    assert first == {
        "id": unit_notice.pk,
        "demand": {
            "id": unit_notice.demand.pk,
            "number": unit_notice.demand.number,
            "title": unit_notice.demand.title,
            "status": "dispatched",
        },
        "kind": "first_contact",
        "kind_label": _zh(DeadlineKind.FIRST_CONTACT.label),
        "due_at": "2026-10-12T10:02:00+08:00",
        "level": "yellow",
        "level_label": _zh(Level.YELLOW.label),
        "raised_at": "2026-10-12T10:30:00+08:00",
        "raised_by": None,
        "comment": "",
        "unit": {"code": "zrzy", "name": "自然资源分局"},
        "addressed_to": [
            {"username": "head-zrzy", "name": str(people.land_head)},
            {"username": "supervisor", "name": str(zone.supervisor)},
            {"username": "unit-zrzy", "name": str(zone.land_staff)},
        ],
        "acknowledged_at": None,
        "acknowledged_by": None,
        "can_acknowledge": False,
    }


def test_filters_and_visibility(zone, people, notices, api):
    unit_notice, triage_notice = notices

    def ids(user, **params):
        response = api(user).get("/api/v1/notices", **params)
        assert response.status_code == 200, response.content
        return {n["id"] for n in response.json()["results"]}

    assert ids("supervisor", unit="zrzy") == {unit_notice.pk}
    assert ids("leader", level="yellow") == {unit_notice.pk, triage_notice.pk}
    assert ids("supervisor", acknowledged="true") == set()
    assert ids("unit-zrzy") == {unit_notice.pk}
    assert ids("officer") == {triage_notice.pk}
    assert ids("unit-zjj") == ids("ent-a") == set()
    (row,) = api("unit-zrzy").get("/api/v1/notices").json()["results"]
    assert row["can_acknowledge"] is True


def test_bad_filters_and_no_token(zone, people, notices, api):
    response = api("supervisor").get("/api/v1/notices", level="black")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["level"]
    response = api(None).get("/api/v1/notices")
    assert response.status_code == 401 and set(response.json()) == {"message", "fields"}


def test_a_supervisor_issues_a_notice(zone, people, notices, api):
    demand = notices[0].demand
    response = api("supervisor").post(
        f"/api/v1/demands/{demand.pk}/notices", {"level": "red", "comment": "今天必须联系企业"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["level"], body["comment"], body["raised_by"]["username"]) == (
        "red",
        "今天必须联系企业",
        "supervisor",
    )
    detail = api("supervisor").get(f"/api/v1/demands/{demand.pk}").json()
    assert detail["events"][-1]["action"] == "notice" and detail["version"] == len(detail["events"])


@pytest.mark.parametrize(
    ("user", "body", "status", "fields"),
    [
        ("unit-zrzy", {"level": "red", "comment": "x"}, 403, []),
        ("ent-b", {"level": "red", "comment": "x"}, 404, []),
        ("supervisor", {"level": "black", "comment": "x"}, 422, ["level"]),
        ("supervisor", {"level": "red", "comment": ""}, 422, ["comment"]),
        ("supervisor", {"level": "red"}, 422, ["comment"]),
    ],
)
def test_issuing_errors(zone, people, notices, api, user, body, status, fields):
    demand = notices[0].demand
    response = api(user).post(f"/api/v1/demands/{demand.pk}/notices", body)
    assert response.status_code == status, response.content
    assert sorted(response.json()["fields"]) == fields
    if status == 403:
        assert response.json()["message"] == str(MSG_MAY_NOT_ISSUE)


def test_acknowledging(zone, people, notices, api):
    unit_notice, triage_notice = notices
    url = f"/api/v1/notices/{unit_notice.pk}/acknowledge"
    assert api("supervisor").post(url).status_code == 403
    assert api("supervisor").post(url).json()["message"] == str(MSG_MAY_NOT_ACKNOWLEDGE)
    assert api("unit-zjj").post(url).status_code == 404
    response = api("unit-zrzy").post(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["acknowledged_by"]["username"] == "unit-zrzy" and body["can_acknowledge"] is False
    assert api("unit-zrzy").post(url).status_code == 409
    assert api("officer").post(f"/api/v1/notices/{triage_notice.pk}/acknowledge").status_code == 200
    assert api("officer").post("/api/v1/notices/999999/acknowledge").status_code == 404
