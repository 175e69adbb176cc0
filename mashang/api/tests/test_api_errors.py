"""Bad input gets a 4xx in one shape, ``{"message": …, "fields": {…}}``, never a 500 and never a
half-written record; the list filters and pages return the right rows in deadline order; the
schema and the reference lists describe the API."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.translation import gettext

from mashang.api.errors import MSG_BAD_JSON
from mashang.api.parser import MSG_NUL
from mashang.audit.models import Event
from mashang.demands.models import Assignment, Demand
from mashang.demands.services import lifecycle, submit
from mashang.demands.transitions import MOVES, Action
from mashang.org.credit_code import MSG_CHECK_DIGIT, MSG_LENGTH
from mashang.org.models import Enterprise
from tests.kit.factories import CategoryFactory
from tests.kit.walk import act, walk_to
from tests.kit.walk import submit as file_demand

CST = ZoneInfo("Asia/Shanghai")
VALID_CODE = "91350100M000100Y43"  # checked in mashang/org/tests/test_credit_code.py
REQUIRED = "This field is required."


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def counts() -> tuple[int, int, int, int]:
    return (
        Demand.objects.count(),
        Event.objects.count(),
        Enterprise.objects.count(),
        Assignment.objects.count(),
    )


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert (
        set(body) == {"message", "fields"} and isinstance(body["message"], str) and body["message"]
    )
    assert isinstance(body["fields"], dict)
    return body


def new_demand(**fields) -> dict:
    return {"title": "厂房用地红线需要复核", "description": "请协助复核用地红线。", **fields}


# --- filing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,status",
    [("{not json", 400), ('{"title": "t",}', 400), ("[]", 422), ('["t", "d"]', 422)]
    + [('"a string"', 422), ("42", 422), ("null", 422), ("", 422)],
)
def test_a_body_that_is_not_a_json_object_is_refused(raw, status, zone, api):
    before = counts()
    body = refused(api("ent-a").post("/api/v1/demands", raw=raw), status)
    if status == 400:
        assert body == {"message": str(MSG_BAD_JSON), "fields": {}}
    else:
        assert body["fields"]
    assert counts() == before


P = pytest.param


@pytest.mark.parametrize(
    "fields,field,message",
    [
        P({"category": "nope"}, "category", submit.MSG_UNKNOWN_CATEGORY, id="unknown-category"),
        P({"title": "标" * 100_000}, "title", None, id="100k-title"),
        P({"title": ""}, "title", None, id="empty-title"),
        P({"title": "   "}, "title", submit.MSG_TITLE_REQUIRED, id="blank-title"),
        P({"description": "x" * 5001}, "description", None, id="long-description"),
        P({"channel": "fax"}, "channel", None, id="bad-channel"),
        P({"channel": "phone"}, "channel", submit.MSG_CHANNEL_FOR_OFFICERS, id="phone-by-ent"),
        P(
            {"enterprise_credit_code": VALID_CODE},
            "enterprise_credit_code",
            submit.MSG_OWN_ENTERPRISE_ONLY,
            id="other-enterprise",
        ),  # fmt: skip
        P({"title": "标题\x00"}, "title", MSG_NUL, id="nul-in-title"),
        P({"contact_name": "\x00"}, "contact_name", MSG_NUL, id="nul-in-contact"),
    ],
)
def test_an_enterprise_filing_with_a_bad_field_gets_422_on_that_field(
    fields, field, message, zone, api
):
    before = counts()
    body = refused(api("ent-a").post("/api/v1/demands", new_demand(**fields)), 422)
    assert field in body["fields"], body
    if message is not None:
        assert body["fields"][field] == [str(message)]
    assert counts() == before


def test_a_missing_title_is_named(zone, api):
    body = refused(api("ent-a").post("/api/v1/demands", {"description": "只有描述"}), 422)
    assert body["fields"] == {"title": [gettext(REQUIRED)]}


@pytest.mark.parametrize(
    "code,message",
    [
        (VALID_CODE[:-1] + "4", MSG_CHECK_DIGIT),
        (VALID_CODE[:17], MSG_LENGTH),
        ("", submit.MSG_CREDIT_CODE_REQUIRED),
    ],
    ids=["wrong-check-character", "17-characters", "none"],
)
def test_an_officer_filing_for_a_bad_credit_code_is_told_why(code, message, zone, api):
    before = counts()
    r = api("officer").post(
        "/api/v1/demands",
        new_demand(channel="phone", enterprise_credit_code=code, enterprise_name="福建某公司"),
    )
    assert refused(r, 422) == {
        "message": str(message),
        "fields": {"enterprise_credit_code": [str(message)]},
    }
    assert counts() == before


def test_an_officer_filing_normalises_the_credit_code(zone, api):
    officer = api("officer")
    r = officer.post(
        "/api/v1/demands",
        new_demand(
            channel="phone", enterprise_credit_code=VALID_CODE.lower(), enterprise_name="福建某公司"
        ),
    )
    assert r.status_code == 201, r.content
    assert r.json()["enterprise"] == {"code": VALID_CODE, "name": "福建某公司"}
    again = officer.post(
        "/api/v1/demands", new_demand(channel="visit", enterprise_credit_code=f" {VALID_CODE} ")
    )
    assert again.status_code == 201 and again.json()["enterprise"]["code"] == VALID_CODE
    assert Enterprise.objects.filter(credit_code=VALID_CODE).count() == 1
    new_without_name = officer.post(
        "/api/v1/demands", new_demand(channel="phone", enterprise_credit_code="91110000600037341L")
    )
    assert list(refused(new_without_name, 422)["fields"]) == ["enterprise_name"]


# --- actions ------------------------------------------------------------------------------------


def test_an_unknown_action_or_path_is_a_json_404(zone, api):
    demand = api("ent-a").post("/api/v1/demands", new_demand()).json()
    officer = api("officer")
    refused(officer.act(demand, "approve"), 404)
    refused(officer.get("/api/v1/nothing-here"), 404)
    refused(officer.get("/api/v1/demands/999999"), 404)
    assert refused(officer.get("/api/v1/demands/12345678901234567890123"), 404)["message"]
    refused(
        officer.post(
            "/api/v1/demands/12345678901234567890123/actions/triage",
            {"version": 1, "category": "land"},
        ),
        404,
    )
    assert list(refused(officer.get("/api/v1/demands/abc"), 422)["fields"]) == ["demand_id"]


def test_a_wrong_method_is_a_json_405(zone, api):
    demand = api("ent-a").post("/api/v1/demands", new_demand()).json()
    refused(api("officer").get(f"/api/v1/demands/{demand['id']}/actions/triage"), 405)


def triaged(zone):
    return walk_to(zone, "triaged")


def as_dict(demand: Demand) -> dict:
    return {"id": demand.pk, "version": demand.version}


UNKNOWN = str(lifecycle.MSG_UNKNOWN_UNIT).format(code="nope")


@pytest.mark.parametrize(
    "body,field,message",
    [
        P({"lead_unit": "nope"}, "lead_unit", UNKNOWN, id="unknown-lead"),
        P(
            {"lead_unit": "zrzy", "co_units": ["zrzy"]},
            "co_units",
            str(lifecycle.MSG_LEAD_AMONG_CO),
            id="lead-among-co",
        ),  # fmt: skip
        P({"lead_unit": "zrzy", "co_units": ["zjj", "nope"]}, "co_units", UNKNOWN, id="unknown-co"),
        P({"lead_unit": "zrzy", "co_units": "zjj"}, "co_units", None, id="co-not-a-list"),
        P({"lead_unit": "zr\x00zy"}, "lead_unit", str(MSG_NUL), id="nul-in-code"),
        P({"co_units": ["zjj", "\x00"]}, "co_units.1", str(MSG_NUL), id="nul-in-co"),
    ],
)
def test_a_bad_dispatch_is_refused_and_changes_nothing(body, field, message, zone, api):
    demand = triaged(zone)
    before = counts()
    answer = refused(api("officer").act(as_dict(demand), "dispatch", **body), 422)
    assert list(answer["fields"]) == [field]
    if message:
        assert answer["fields"][field] == [message]
    assert counts() == before
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.version, stored.status, stored.lead_unit) == (demand.version, "triaged", None)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"resolved": True, "rating": "great"}, "rating"),
        ({"resolved": "maybe", "rating": "satisfied"}, "resolved"),
        ({"rating": "satisfied"}, "resolved"),
    ],
)
def test_a_bad_rating_is_refused(body, field, zone, api):
    demand = walk_to(zone, "replied")
    answer = refused(api("ent-a").act(as_dict(demand), "confirm", **body), 422)
    assert list(answer["fields"]) == [field]
    assert Demand.objects.get(pk=demand.pk).status == "replied"


@pytest.mark.parametrize("version", [None, "abc", 1.5, [1], 0, -3, {"v": 1}, True, "1"])
def test_a_missing_or_malformed_version_is_refused(version, zone, api):
    demand = walk_to(zone, "submitted")
    body = {"category": "land"} if version is None else {"category": "land", "version": version}
    answer = refused(api("officer").post(f"/api/v1/demands/{demand.pk}/actions/triage", body), 422)
    assert list(answer["fields"]) == ["version"]
    if version is None:
        assert answer["fields"]["version"] == [gettext(REQUIRED)]
    assert Demand.objects.get(pk=demand.pk).version == 1


def test_a_stale_version_is_a_409_and_changes_nothing(zone, api):
    demand = act(zone, Action.TRIAGE, "officer", walk_to(zone, "submitted"))
    before = counts()
    answer = refused(
        api("officer").act({"id": demand.pk, "version": 1}, "dispatch", lead_unit="zrzy"), 409
    )
    assert answer["message"] == str(lifecycle.MSG_STALE).format(given=1, current=2)
    assert counts() == before
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.version, stored.status, stored.lead_unit) == (2, "triaged", None)


# --- the list -----------------------------------------------------------------------------------

NOW = at(2026, 3, 10, 12, 0)  # Tuesday noon


@pytest.fixture
def listed(zone):
    """Six demands with known next deadlines (nearest first: a, b, c, e; d and f have none)."""
    CategoryFactory(code="tax", name="税务", default_lead_unit=zone.housing)
    other = zone.other_contact
    # a: filed Mon 2 Mar 09:00, never triaged: due 10:00 that day, overdue.
    a = file_demand(zone, when=at(2026, 3, 2, 9, 0))
    # b: dispatched Mon 9 Mar 10:00 to zrzy (lead) and zjj: first contact due 11:00, overdue.
    b = file_demand(zone, when=at(2026, 3, 9, 9, 0))
    b = act(zone, Action.TRIAGE, "officer", b, when=at(2026, 3, 9, 9, 30))
    b = act(zone, Action.DISPATCH, "officer", b, when=at(2026, 3, 9, 10, 0))
    # c: the other enterprise, filed Tue 10 Mar 11:30 as tax: triage due 14:30.
    c = file_demand(zone, actor=other, when=at(2026, 3, 10, 11, 30), category_code="tax")
    # d: the other enterprise, answered by zjj as lead: replied, no deadline.
    d = file_demand(zone, actor=other, when=at(2026, 3, 3, 9, 0))
    d = act(zone, Action.TRIAGE, "officer", d, when=at(2026, 3, 3, 9, 30))
    d = act(
        zone, Action.DISPATCH, "officer", d, when=at(2026, 3, 3, 10), lead_unit="zjj", co_units=[]
    )
    d = act(zone, Action.RESPOND, "housing_staff", d, when=at(2026, 3, 3, 10, 30))
    d = act(zone, Action.REPLY, "housing_staff", d, when=at(2026, 3, 4, 10, 0))
    # e: dispatched to zrzy alone Tue 10 Mar 09:30, contacted: interim reply due Fri 13 Mar 09:30.
    e = file_demand(zone, when=at(2026, 3, 10, 9, 0))
    e = act(zone, Action.TRIAGE, "officer", e, when=at(2026, 3, 10, 9, 10))
    e = act(zone, Action.DISPATCH, "officer", e, when=at(2026, 3, 10, 9, 30), co_units=[])
    e = act(zone, Action.RESPOND, "land_staff", e, when=at(2026, 3, 10, 9, 45))
    # f: withdrawn, no deadline.
    f = file_demand(zone, when=at(2026, 3, 5, 9, 0))
    f = act(zone, Action.WITHDRAW, "contact", f, when=at(2026, 3, 5, 10, 0))
    return {name: demand.number for name, demand in zip("abcdef", (a, b, c, d, e, f), strict=True)}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, "abcedf"),
        ({"status": "submitted"}, "ac"),
        ({"status": ["submitted", "replied"]}, "acd"),
        ({"unit": "zrzy"}, "be"),
        ({"unit": "zjj"}, "bd"),
        ({"category": "land"}, "bed"),
        ({"category": "tax"}, "c"),
        ({"enterprise": "other"}, "cd"),
        ({"overdue": "true"}, "ab"),
        ({"overdue": "false"}, "cedf"),
        ({"open": "false"}, "f"),
        ({"created_from": "2026-03-09T00:00:00+08:00"}, "bce"),
        ({"created_to": "2026-03-09T00:00:00+08:00"}, "adf"),
        ({"created_from": "2026-03-03T00:00+08:00", "created_to": "2026-03-10T00:00+08:00"}, "bdf"),
        ({"category": "land", "overdue": "true", "unit": "zrzy"}, "b"),
    ],
)
def test_the_list_filters_and_orders_by_the_nearest_deadline(query, expected, listed, zone, api):
    if query.get("enterprise") == "other":
        query = {**query, "enterprise": zone.other_enterprise.credit_code}
    with time_machine.travel(NOW, tick=False):
        page = api("officer").get("/api/v1/demands", **query)
    assert page.status_code == 200, page.content
    body = page.json()
    assert [row["number"] for row in body["results"]] == [listed[name] for name in expected]
    assert body["count"] == len(expected)


def test_the_list_pages(listed, api):
    with time_machine.travel(NOW, tick=False):
        officer = api("officer")
        pages = [officer.get("/api/v1/demands", page=n, page_size=2).json() for n in (1, 2, 3, 4)]
        bad = [
            officer.get("/api/v1/demands", **q)
            for q in (
                {"page": 0},
                {"page_size": 101},
                {"overdue": "sometimes"},
                {"status": "lost"},
                {"created_from": "yesterday"},
                {"category": "la\x00nd"},
            )
        ]
    assert [p["count"] for p in pages] == [6, 6, 6, 6]
    assert [(p["page"], p["page_size"]) for p in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    assert [row["number"] for p in pages for row in p["results"]] == [listed[n] for n in "abcedf"]
    assert pages[3]["results"] == []
    for response in bad:
        assert refused(response, 422)["fields"]
    assert refused(bad[-1], 422)["fields"] == {"category": [str(MSG_NUL)]}


# --- description of the API ---------------------------------------------------------------------


def test_the_openapi_schema_is_openapi_3_and_lists_every_action(zone, api):
    r = api(None).get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert (
        schema["openapi"].startswith("3.") and schema["info"]["title"] and schema["info"]["version"]
    )
    paths = schema["paths"]
    for action in MOVES:
        assert "post" in paths[f"/api/v1/demands/{{demand_id}}/actions/{action}"], action
    assert {"get", "post"} <= set(paths["/api/v1/demands"])
    assert {
        "/api/v1/demands/{demand_id}",
        "/api/v1/categories",
        "/api/v1/units",
        "/api/v1/auth/token",
    } <= set(paths)
    components = schema["components"]["schemas"]
    operation_ids = []
    for path, operations in paths.items():
        declared = set(re.findall(r"\{(\w+)\}", path))  # also "minutes.{ext}"
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}, (path, method)
            assert operation["responses"], (path, method)
            operation_ids.append(operation["operationId"])
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == declared, (path, method)
    assert len(operation_ids) == len(set(operation_ids))
    assert "BearerAuth" in schema["components"]["securitySchemes"]

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(schema):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref


def test_categories_and_units_give_codes_and_names(zone, api):
    client = api("ent-a")
    categories = client.get("/api/v1/categories").json()
    assert [(c["code"], c["name"], c["default_lead_unit"]) for c in categories] == [
        ("land", "用地", "zrzy")
    ]
    assert float(categories[0]["resolution_days"]) == 5
    units = client.get("/api/v1/units").json()
    assert [(u["code"], u["name"]) for u in units] == [
        ("zjj", "住房和城乡建设局"),
        ("zrzy", "自然资源分局"),
    ]
