"""No integer that comes in reaches the database out of range: a version, a page number, an id,
a count of days of 2**31 or 2**63 is answered 422 (the API, naming the field) or 400 / a form
error (the pages), never a 500.

The API half walks the OpenAPI schema: every operation with an integer in its path, its query
string or its JSON body gets each of :data:`HUGE` in that one place, the rest of the request
minimal, as an officer and as an enterprise. The pages half sends the same numbers in the
query strings of the lists.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from mashang.api.auth import api_token_issue
from mashang.api.router import api
from tests.kit.landstart import OPENED

HUGE = [2**31, 2**63, -(2**63)]
#: A value 20 digits long in a query string: beyond bigint, and beyond a C long.
HUGE_TEXT = ["99999999999999999999", "-99999999999999999999", "2147483648"]


# --- walking the schema --------------------------------------------------------------------------


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_integer(schema: dict, components: dict) -> bool:
    schema = _resolve(schema, components)
    if schema.get("type") == "integer":
        return True
    return any(
        _is_integer(s, components) for s in schema.get("anyOf", []) + schema.get("allOf", [])
    )


def _choices(schema: dict, components: dict) -> list[dict]:
    """The alternatives of a schema: its anyOf/oneOf without null, or itself."""
    schema = _resolve(schema, components)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        real = [_resolve(s, components) for s in options if s.get("type") != "null"]
        return real or [schema]
    return [schema]


def _integer_places(schema: dict, components: dict, path: tuple = ()) -> list[tuple]:
    """The paths (keys; ``0`` for a list's first item) to every integer in a body schema."""
    found = []
    if _is_integer(schema, components) and path:
        found.append(path)
    for option in _choices(schema, components):
        if option.get("type") == "array" and "items" in option:
            found += _integer_places(option["items"], components, path + (0,))
        for name, inner in option.get("properties", {}).items():
            found += _integer_places(inner, components, path + (name,))
    return list(dict.fromkeys(found))


def _minimal(schema: dict, components: dict, target: tuple = (), value: Any = None) -> Any:
    """A small value of ``schema`` with ``value`` at ``target`` (a path into it)."""
    if target == ():
        if value is not None:
            return value
    option = _choices(schema, components)[0]
    if "enum" in option:
        return option["enum"][0]
    kind = option.get("type")
    if kind == "object" or "properties" in option:
        wanted = set(option.get("required", []))
        if target:
            wanted.add(target[0])
        return {
            name: _minimal(
                inner,
                components,
                target[1:] if target and target[0] == name else (),
                value if target and target[0] == name else None,
            )
            for name, inner in option.get("properties", {}).items()
            if name in wanted
        }
    if kind == "array":
        if target:
            return [_minimal(option.get("items", {}), components, target[1:], value)]
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if option.get("format") == "date":
        return "2026-03-02"
    if option.get("format") == "date-time":
        return "2026-03-02T09:00:00+08:00"
    return "x"


def _integer_cases(schema: dict) -> list[tuple[str, str, str, tuple]]:
    """(method, path, where, place) for every integer parameter and body property."""
    components = schema.get("components", {}).get("schemas", {})
    cases = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if _is_integer(parameter.get("schema", {}), components):
                    cases.append((method, path, parameter["in"], (parameter["name"],)))
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body:
                for place in _integer_places(body, components):
                    cases.append((method, path, "body", place))
    return cases


SCHEMA = api.get_openapi_schema()
CASES = _integer_cases(SCHEMA)


# --- the requests ---------------------------------------------------------------------------------


def _objects(bundle) -> dict[str, Any]:
    """Real objects for the path's ids, so that a huge body value reaches the handler."""
    from mashang.demands.models import Demand
    from mashang.landstart.services.runs import landstart_open

    zone = bundle.zone
    officer = _client(zone.officer)
    enterprise = _client(zone.contact)
    demand = enterprise.post(
        "/api/v1/demands",
        json.dumps({"title": "用地手续咨询", "description": "需要了解供地审议的安排。"}),
        content_type="application/json",
    )
    assert demand.status_code == 201, demand.content[:300]
    run = landstart_open(actor=zone.officer, project_id=bundle.project.pk, at=OPENED)
    meeting = _created(
        [officer, _client(zone.supervisor)],
        "/api/v1/meetings",
        {
            "title": "诉求研判会",
            "starts_at": "2026-03-10T09:00:00+08:00",
            "chair": "leader",
            "secretary": "officer",
        },
    )
    batch = _created(
        [officer, _client(zone.supervisor)],
        "/api/v1/landstart-batches",
        {"name": "第一批", "award_from": "2026-06-01", "award_to": "2026-06-30"},
    )
    ids = {
        "demand_id": Demand.objects.get().pk,
        "project_id": bundle.project.pk,
        "run_id": run.pk,
        "step": "confirmation",
        "code": bundle.template.code,
        "action": "sign",
        "ext": "docx",
    }
    assert meeting and batch, (meeting, batch)
    ids["meeting_id"] = meeting["id"]
    ids["batch_id"] = batch["id"]
    return ids


def _created(clients: list[Client], url: str, body: dict) -> dict | None:
    """What the first of ``clients`` allowed to create at ``url`` made, or None."""
    for client in clients:
        response = client.post(url, json.dumps(body), content_type="application/json")
        if response.status_code in (200, 201):
            return response.json()
    return None


def _client(user) -> Client:
    client = Client(
        raise_request_exception=False,
        headers={"Authorization": f"Bearer {api_token_issue(user=user)[0]}"},
    )
    return client


def _send(client: Client, method: str, path: str, params: dict, body: Any):
    """One request, in a savepoint: a failed statement on PostgreSQL leaves the test's
    transaction usable for the next request."""
    point = transaction.savepoint()
    try:
        if method == "get":
            response = client.get(path, params)
        else:
            query = "&".join(f"{k}={v}" for k, v in params.items())
            send = getattr(client, method)
            response = send(
                path + (f"?{query}" if query else ""),
                json.dumps(body) if body is not None else "",
                content_type="application/json",
            )
    finally:
        transaction.savepoint_rollback(point)
    return response


def _request(method: str, path: str, where: str, place: tuple, value: int, ids: dict):
    components = SCHEMA.get("components", {}).get("schemas", {})
    operation = SCHEMA["paths"][path][method]
    path_values = {name: str(ids.get(name, 1)) for name in re.findall(r"{(\w+)}", path)}
    params: dict[str, Any] = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            continue
        if parameter.get("required"):
            params[name] = _minimal(parameter.get("schema", {}), components)
    if where == "path":
        path_values[place[0]] = str(value)
    elif where == "query":
        params[place[0]] = value
    url = path
    for name, text in path_values.items():
        url = url.replace("{" + name + "}", text)
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is not None:
        body = _minimal(
            schema, components, place if where == "body" else (), value if where == "body" else None
        )
    return url, params, body


def _bad(response) -> str | None:
    """What is wrong with an answer, or None."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        if response.status_code >= 400 and (
            not isinstance(data, dict) or set(data) != {"message", "fields"}
        ):
            return f"{response.status_code} not in the error shape: {str(data)[:120]}"
        if response.status_code == 422 and not data["fields"]:
            return f"422 without fields: {data['message']}"
    return None


@pytest.mark.postgres
def test_the_probe_finds_integers_throughout_the_api():
    assert len(CASES) > 100
    assert ("post", "/api/v1/demands/{demand_id}/actions/triage", "body", ("version",)) in CASES


@pytest.mark.postgres
def test_no_huge_integer_in_the_api_gives_a_server_error(bundle):
    ids = _objects(bundle)
    clients = {"officer": _client(bundle.zone.officer), "enterprise": _client(bundle.zone.contact)}
    failures = []
    statuses: Counter = Counter()
    for method, path, where, place in CASES:
        for value in HUGE:
            url, params, body = _request(method, path, where, place, value, ids)
            for who, client in clients.items():
                response = _send(client, method, url, params, body)
                problem = _bad(response)
                statuses[response.status_code] += 1
                if problem:
                    failures.append(
                        f"{who} {method.upper()} {path} {where}:{'.'.join(map(str, place))}={value} → {problem}"
                    )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
    # The requests reach the handlers: a huge version is a stale one there (409).
    assert statuses[409] > 50 and statuses[422] > 100, statuses


# --- the pages -------------------------------------------------------------------------------------

#: The pages with lists, filters or plans: each gets every name of :data:`NAMES` in turn.
PAGES = [
    "/demands/my/",
    "/demands/intake/",
    "/demands/team/",
    "/demands/unit/",
    "/demands/all/",
    "/demands/all/export.xlsx",
    "/demands/watch/",
    "/demands/watch/export.xlsx",
    "/demands/dashboard/data.json",
    "/inbox/",
    "/supervision/scorecards/",
    "/supervision/scorecards/data.json",
    "/supervision/notices/",
    "/supervision/notices/export.xlsx",
    "/projects/",
    "/projects/export/",
    "/landstart/",
    "/landstart/history/",
    "/landstart/templates/default/",
    "/landstart/batches/",
    "/landstart/capacity/",
    "/landstart/commitments/",
    "/meetings/",
    "/meetings/action-items/",
    "/audit/security/",
]


#: Pages named by an id in the path.
ID_PAGES = [
    "/demands/{id}/",
    "/demands/{id}/print/",
    "/projects/{id}/",
    "/meetings/{id}/",
    "/landstart/{id}/",
    "/landstart/batches/{id}/",
    "/landstart/batches/{id}/plan/",
    "/landstart/batches/1/plan/?cap-zrzy={id}",
]


#: The integer parameters of the pages (a page ignores the ones it does not read).
NAMES = [
    "page",
    "per_page",
    "page_size",
    "version",
    "year",
    "month",
    "unit",
    "category",
    "template",
    "meeting",
    "project",
    "cap-zrzy",
]


@pytest.mark.postgres
@pytest.mark.parametrize("url", PAGES + ID_PAGES)
def test_no_huge_integer_in_a_page_s_address_gives_a_server_error(url, bundle):
    people = [bundle.zone.officer, bundle.zone.supervisor, bundle.admin]
    failures = []
    for user in people:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        if "{id}" in url:
            tries = [(url.format(id=value), {}) for value in HUGE_TEXT + [str(2**63)]]
        else:
            tries = [(url, {name: value}) for name in NAMES for value in HUGE_TEXT]
        for address, params in tries:
            response = _send(client, "get", address, params, None)
            if response.status_code >= 500:
                failures.append(f"{user.username} GET {address} {params} → {response.status_code}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
