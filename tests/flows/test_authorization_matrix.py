"""Every object endpoint × every party that must not reach it (issue 15).

The API's operations are read from its OpenAPI schema and the pages from the URL patterns: every
operation or pattern that names an object must have an entry in :data:`API` or :data:`PAGES`,
which says which object of the world it is called on and by whom; a new one without an entry
fails :func:`test_every_object_operation_has_an_entry` (or the pages' twin) until it gets one.

Each call is made as a wrong party — the other enterprise's contact, the staff of a unit
involved in nothing, and for a staff-only action the owner's own contact (on pages also a
visitor not signed in) — and must be refused (403 or 404; the API with its ``{"message": …}``
body; a visitor is sent to sign in), and nothing may change: the object's rows, its children's,
the number of events and of notifications are the same before and after.

The world is built once per module (:mod:`tests.kit.authz`); each case runs in its own
transaction inside the module's, rolled back after it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mashang.api.router import api
from mashang.audit.models import Event
from mashang.notify.models import Notification
from tests.kit.authz import World, example, pdf, world_build

#: The wrong parties: the other enterprise's contact, a unit involved in nothing, the owner's
#: own contact (on a staff-only action), and on pages a visitor who has not signed in.
OTHER, OUTSIDER, OWNER, ANONYMOUS = "other_contact", "outsider", "contact", "anonymous"
OUT = (OTHER, OUTSIDER)
STAFF = (OTHER, OUTSIDER, OWNER)
ENTERPRISES = (OTHER, OWNER)


@dataclass(frozen=True)
class Case:
    """Call an endpoint on ``target`` (a key of the world's objects) as each of ``parties``."""

    target: str
    parties: tuple[str, ...]
    params: dict[str, Any] | None = None  # further path parameters (keys of the world or values)
    data: dict[str, Any] | None = None  # a page's POST data (``version`` is added)


def _c(target: str, parties: tuple[str, ...], **params) -> Case:
    return Case(target, parties, params or None)


V1 = "/api/v1"
#: (method, path) of every object operation of the API -> its case.
API: dict[tuple[str, str], Case] = {
    ("delete", f"{V1}/auth/tokens/{{token_id}}"): _c("token", OUT),
    ("get", f"{V1}/demands/{{demand_id}}"): _c("demand", OUT),
    # The routing's suggestions: the service team and those who oversee it, no enterprise or unit.
    ("get", f"{V1}/demands/{{demand_id}}/suggestions"): _c("demand", STAFF),
    **{
        ("post", f"{V1}/demands/{{demand_id}}/actions/{a}"): _c("demand", STAFF)
        for a in (
            "triage",
            "dispatch",
            "respond",
            "assess",
            "opinion",
            "reply",
            "return",
            "extend",
            "approve-extension",
            "refuse-extension",
            "wait",
            "escalate",
            "assign-case",
            "decline-case",
            "sign-off",
            "merge",
        )
    },
    # What the enterprise does itself.
    **{
        ("post", f"{V1}/demands/{{demand_id}}/actions/{a}"): _c("demand", OUT)
        for a in ("confirm", "resume", "reopen", "withdraw")
    },
    ("post", f"{V1}/demands/{{demand_id}}/attachments"): _c("demand", OUT),
    ("post", f"{V1}/demands/{{demand_id}}/notices"): _c("demand", STAFF),
    ("post", f"{V1}/inbox/{{notification_id}}/read"): _c("notification", OUT),
    ("post", f"{V1}/notices/{{notice_id}}/acknowledge"): _c("notice", STAFF),
    ("get", f"{V1}/projects/{{project_id}}"): _c("project", OUT),
    ("patch", f"{V1}/projects/{{project_id}}"): _c("project", STAFF),
    ("post", f"{V1}/projects/{{project_id}}/actions/{{action}}"): _c("project", STAFF),
    ("post", f"{V1}/projects/{{project_id}}/milestones"): _c("project", STAFF),
    ("post", f"{V1}/projects/{{project_id}}/funds"): _c("project", STAFF),
    ("post", f"{V1}/projects/{{project_id}}/blockers"): _c("project", OUT),
    ("get", f"{V1}/landstarts/{{run_id}}"): _c("run", OUT),
    ("post", f"{V1}/landstarts/{{run_id}}/award"): _c("run", STAFF),
    ("post", f"{V1}/landstarts/{{run_id}}/cancel"): _c("run", STAFF),
    ("post", f"{V1}/landstarts/{{run_id}}/work-group"): _c("run", STAFF),
    **{
        ("post", f"{V1}/landstarts/{{run_id}}/steps/{{step}}/{a}"): _c("run", STAFF, step="step")
        for a in ("complete", "return", "stage", "documents")
    },
    ("get", f"{V1}/landstarts/{{run_id}}/documents/{{document_id}}"): _c(
        "run", OUT, document_id="document"
    ),
    # Zone-wide configuration, not a party's: only enterprises are kept out.
    # Any signed-in person reads the bundle templates (``template_list`` says so): no case.
    ("get", f"{V1}/landstart-templates/{{code}}"): _c("template", ()),
    ("get", f"{V1}/categories/{{code}}/rule-history"): _c("category", ENTERPRISES),
    ("get", f"{V1}/landstart-commitments/{{commitment_id}}"): _c("commitment", OUT),
    ("post", f"{V1}/landstart-commitments/{{commitment_id}}/fulfil"): _c("commitment", STAFF),
    ("post", f"{V1}/landstart-commitments/{{commitment_id}}/cancel"): _c("commitment", STAFF),
    ("get", f"{V1}/landstart-batches/{{batch_id}}"): _c("batch", OUT),
    ("get", f"{V1}/landstart-batches/{{batch_id}}/plan"): _c("batch", STAFF),
    ("get", f"{V1}/landstart-batches/{{batch_id}}/board"): _c("batch", OUT),
    ("patch", f"{V1}/landstart-batches/{{batch_id}}"): _c("batch", STAFF),
    ("post", f"{V1}/landstart-batches/{{batch_id}}/runs"): _c("batch", STAFF),
    ("delete", f"{V1}/landstart-batches/{{batch_id}}/runs/{{run_id}}"): _c(
        "batch", STAFF, run_id="run"
    ),
    # Meetings are the zone's internal work: staff read them, only their people act.
    ("get", f"{V1}/meetings/{{meeting_id}}"): _c("meeting", ENTERPRISES),
    ("get", f"{V1}/meetings/{{meeting_id}}/minutes.{{ext}}"): _c("meeting", ENTERPRISES),
    **{
        ("post", f"{V1}/meetings/{{meeting_id}}/actions/{a}"): _c(
            "meeting", (OTHER, OWNER, OUTSIDER)
        )
        for a in (
            "edit",
            "propose",
            "accept-item",
            "drop-item",
            "add-item",
            "freeze",
            "decide",
            "hold",
            "approve",
            "cancel",
        )
    },
}

#: What a body needs beyond the schema's least value to pass the services' own checks of input
#: (made before they look for the object): a refusal is then the permission's.
BODY: dict[str, dict[str, Any]] = {
    f"{V1}/demands/{{demand_id}}/actions/triage": {"category": "land", "urgency": "urgent"},
    f"{V1}/demands/{{demand_id}}/actions/assign-case": {
        "coordinator": "supervisor",
        "lead_unit": "zrzy",
        "co_units": ["zjj"],
        "working_days": 10,
    },
    f"{V1}/demands/{{demand_id}}/actions/merge": {"into": "keeper"},
    f"{V1}/projects/{{project_id}}/milestones": {
        "milestones": [{"stage": "signed", "planned_on": "2026-12-31"}]
    },
    f"{V1}/projects/{{project_id}}/funds": {"amount": "1000000", "received_on": "2026-12-01"},
    f"{V1}/landstarts/{{run_id}}/award": {"awarded_at": "2026-06-10T09:30:00+08:00"},
}

#: Operations that look up a second object with the caller's sight before the first: a
#: wrong party is told the second is not found (422 on its field), which says nothing of the
#: first (the merge's ``into``, the enterprise's demand the wrong party does not see either).
INPUT_FIRST: dict[str, tuple[int, ...]] = {f"{V1}/demands/{{demand_id}}/actions/merge": (422,)}

#: The path parameter naming the object itself, for each target.
ID_PARAM = {
    "token": "token_id",
    "demand": "demand_id",
    "notification": "notification_id",
    "notice": "notice_id",
    "project": "project_id",
    "run": "run_id",
    "template": "code",
    "category": "code",
    "commitment": "commitment_id",
    "batch": "batch_id",
    "meeting": "meeting_id",
    "rule": "rule_id",
    "topic": "topic_id",
    "classifier": "classifier_id",
}

# --- the world, built once -------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once and committed (a transaction held open over hundreds of cases would hold
    their locks to the end); each case rolls back its own, and the module's end empties the
    tables as a transactional test does."""
    from django.core.management import call_command
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        try:
            yield world_build()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            if connection.vendor == "postgresql":
                from django.apps import apps

                from mashang.core.models import YearlySequence
                from mashang.core.numbering import number_sequences_drop

                for model in apps.get_models():
                    if issubclass(model, YearlySequence):
                        number_sequences_drop(model)


@pytest.fixture
def w(world, db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return world


def _key(obj) -> Any:
    return (
        getattr(obj, "code", None)
        if obj.__class__.__name__ in ("BundleTemplate", "Category")
        else obj.pk
    )


def _children(w: World, target: str) -> list:
    """The rows a call on ``target`` could change besides the object's own."""
    from mashang.demands.models import Assignment, Attachment, Demand
    from mashang.landstart.models import Commitment, Run, RunStep, StepDocument
    from mashang.meetings.models import AgendaItem
    from mashang.supervision.models import SupervisionNotice

    o = w.objects
    demand, run = o["demand"], o["run"]
    rows = {
        "demand": [
            Assignment.objects.filter(demand=demand),
            Attachment.objects.filter(demand=demand),
            SupervisionNotice.objects.filter(demand=demand),
        ],
        "project": [
            Demand.objects.filter(project=o["project"]),
            Run.objects.filter(project=o["project"]),
        ],
        "run": [RunStep.objects.filter(run=run), StepDocument.objects.filter(step__run=run)],
        "commitment": [RunStep.objects.filter(run=run), StepDocument.objects.filter(step__run=run)],
        "batch": [Run.objects.filter(pk=run.pk)],
        "meeting": [AgendaItem.objects.filter(meeting=o["meeting"])],
        "notice": [Commitment.objects.none()],
    }.get(target, [])
    return [sorted(map(repr, q.values())) for q in rows]


def _state(w: World, target: str) -> tuple:
    obj = w.objects[target]
    own = list(type(obj).objects.filter(pk=obj.pk).values())
    return own, _children(w, target), Event.objects.count(), Notification.objects.count()


def _value(w: World, value: Any) -> Any:
    obj = w.objects.get(value) if isinstance(value, str) else None
    if obj is None:
        return value
    if obj.__class__.__name__ == "Demand":
        return obj.number
    return obj.code if obj.__class__.__name__ == "RunStep" else obj.pk


def _version(w: World, target: str) -> int | None:
    return getattr(w.objects[target], "version", None)


# --- the API ---------------------------------------------------------------------------------


@functools.cache
def _schema() -> dict:
    return api.get_openapi_schema()


def _object_operations(schema: dict) -> list[tuple[str, str]]:
    """Every operation whose path has a parameter: it names an object (or a part of one)."""
    return [
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if "{" in path
    ]


def test_every_object_operation_has_an_entry():
    found = set(_object_operations(_schema()))
    missing = sorted(found - set(API))
    assert not missing, (
        "These API operations name an object but have no entry in the authorization matrix "
        f"(tests/flows/test_authorization_matrix.py, API): {missing}"
    )
    gone = sorted(set(API) - found)
    assert not gone, f"The matrix names operations the API no longer has: {gone}"


def _api_cases():
    for (method, path), case in API.items():
        for party in case.parties:
            yield pytest.param(
                method, path, party, id=f"{method.upper()} {path[len(V1) :]} as {party}"
            )


def _api_call(w: World, method: str, path: str, party: str):
    schema = _schema()
    operation = schema["paths"][path][method]
    components = schema["components"]["schemas"]
    case = API[(method, path)]
    values = {ID_PARAM[case.target]: _key(w.objects[case.target])}
    for name, value in (case.params or {}).items():
        values[name] = _value(w, value)
    for p in operation.get("parameters", []):
        if p["in"] == "path" and p["name"] not in values:
            values[p["name"]] = example(p["schema"], components)
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    client = Client()
    headers = {"Authorization": f"Bearer {w.tokens[w.person(party).username]}"}
    body = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        return client.post(url, {"files": [pdf()]}, headers=headers)
    if "application/json" in body:
        data = example(
            body["application/json"]["schema"], components, version=_version(w, case.target)
        )
        data.update({k: _value(w, v) for k, v in BODY.get(path, {}).items()})
        return client.generic(
            method.upper(), url, __import__("json").dumps(data), "application/json", headers=headers
        )
    return client.generic(method.upper(), url, headers=headers)


@pytest.mark.parametrize(("method", "path", "party"), list(_api_cases()))
def test_api_refuses_the_wrong_party_and_changes_nothing(w, method, path, party):
    target = API[(method, path)].target
    before = _state(w, target)
    response = _api_call(w, method, path, party)
    allowed = (403, 404, *INPUT_FIRST.get(path, ()))
    assert response.status_code in allowed, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body.get("message"), str) and body["message"], body
    assert _state(w, target) == before


# --- the pages -------------------------------------------------------------------------------


def _p(target: str, parties: tuple[str, ...], method: str = "get", data=None, **params) -> Case:
    return Case(target, parties, {"method": method, **params}, data)


VERSION = "<version>"  # in a page's POST data: the object's version

#: name of every URL pattern of ours that takes an object -> its cases.
PAGES: dict[str, list[Case]] = {
    "demands:detail": [_p("demand", OUT)],
    "demands:act": [
        _p("demand", STAFF, "post", {"category": "land", "urgency": "urgent"}, action="triage"),
        _p("demand", OUT, "post", {"reason": "x"}, action="withdraw"),
    ],
    "demands:print": [_p("demand", OUT)],
    "demands:print-pdf": [_p("demand", OUT)],
    "demands:attachment": [_p("demand", OUT, attachment_id="attachment")],
    "notify:read": [_p("notification", OUT, "post")],
    "supervision:scorecard-unit": [_p("unit", ENTERPRISES)],
    "supervision:acknowledge": [_p("notice", STAFF, "post")],
    "supervision:issue": [_p("demand", STAFF, "post", {"level": "yellow", "comment": "x"})],
    "projects:detail": [_p("project", OUT)],
    "projects:act": [
        _p("project", STAFF, "post", {"reason": "x"}, name="pause"),
        _p("project", OUT, "post", {"title": "x", "description": "x"}, name="blocker"),
    ],
    "landstart:template": [_p("template", ())],  # any signed-in person reads templates
    "landstart:template-edit": [_p("template", STAFF)],
    "landstart:batch": [_p("batch", OUT)],
    "landstart:batch-live": [_p("batch", OUT)],
    "landstart:batch-edit": [_p("batch", STAFF)],
    "landstart:batch-run-add": [_p("batch", STAFF, "post", {"run": "run"})],
    "landstart:batch-run-remove": [_p("batch", STAFF, "post", run_id="run")],
    "landstart:batch-export": [_p("batch", OUT)],
    "landstart:batch-plan": [_p("batch", STAFF)],
    "landstart:batch-screen": [_p("batch", OUT)],
    "landstart:batch-screen-live": [_p("batch", OUT)],
    "landstart:commitment-act": [_p("commitment", STAFF, "post", {"reason": "x"}, action="cancel")],
    "landstart:board": [_p("run", OUT)],
    "landstart:board-live": [_p("run", OUT)],
    "landstart:run-act": [
        _p(
            "run",
            STAFF,
            "post",
            {"run-cancel-reason": "x", "run-cancel-version": VERSION},
            action="cancel",
        )
    ],
    "landstart:step-act": [_p("run", STAFF, "post", {}, code="step", action="complete")],
    "landstart:document": [_p("run", OUT, document_id="document")],
    "landstart:work-group": [_p("run", STAFF, "post", {})],
    "landstart:run-screen": [_p("run", OUT)],
    "landstart:run-screen-live": [_p("run", OUT)],
    "meetings:detail": [_p("meeting", ENTERPRISES)],
    "meetings:act": [_p("meeting", (OTHER, OWNER, OUTSIDER), "post", {}, action="freeze")],
    "meetings:docx": [_p("meeting", ENTERPRISES)],
    "meetings:pdf": [_p("meeting", ENTERPRISES)],
    # Routing rules are the administrator's: every other role is refused.
    "routing:rule-edit": [
        _p("rule", (*STAFF, "officer")),
        _p("rule", (*STAFF, "officer"), "post", {"name": "x", "lead_unit": "zjj"}),
    ],
    "routing:rule-history": [_p("rule", (*STAFF, "officer"))],
    "routing:rule-act": [_p("rule", (*STAFF, "officer"), "post", {}, action="off")],
    # Hot topics span enterprises: no enterprise reads one (a unit's staff sees only its demands).
    "routing:topic": [_p("topic", ENTERPRISES)],
    # How good the suggestions are: the service team, supervisors, leaders and administrators.
    "routing:classifier": [_p("classifier", STAFF)],
    "routing:classifier-export": [_p("classifier", STAFF)],
}

PAGE_ID = {**ID_PARAM, "unit": "code"}


def _patterns(resolvers, prefix: str = "", namespace: str = ""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}", p.callback.__module__


def _object_pages() -> dict[str, str]:
    """Our pages (not the admin site's, not the API) whose route takes a parameter."""
    return {
        name: route
        for route, name, module in _patterns(get_resolver().url_patterns)
        if module.startswith("mashang.")
        and not module.startswith("mashang.api")
        and not route.startswith("admin/")
        and "<" in route
    }


def test_every_object_page_has_an_entry():
    found = _object_pages()
    missing = sorted(set(found) - set(PAGES))
    assert not missing, (
        "These pages take an object but have no entry in the authorization matrix "
        f"(tests/flows/test_authorization_matrix.py, PAGES): {[(n, found[n]) for n in missing]}"
    )
    gone = sorted(set(PAGES) - set(found))
    assert not gone, f"The matrix names pages that no longer exist: {gone}"


def _page_cases():
    for name, cases in PAGES.items():
        for i, case in enumerate(cases):
            for party in (*case.parties, ANONYMOUS):
                method = case.params["method"]
                yield pytest.param(name, i, party, id=f"{method.upper()} {name}[{i}] as {party}")


@pytest.mark.parametrize(("name", "index", "party"), list(_page_cases()))
def test_page_refuses_the_wrong_party_and_changes_nothing(w, name, index, party):
    case = PAGES[name][index]
    params = dict(case.params or {})
    method = params.pop("method")
    if case.target == "unit":
        w.objects["unit"] = w.zone.land
    target = case.target
    kwargs = {PAGE_ID[target]: _key(w.objects[target])}
    kwargs.update({k: _value(w, v) for k, v in params.items()})
    url = reverse(name, kwargs=kwargs)
    client = Client()
    if party != ANONYMOUS:
        client.force_login(w.person(party))
    before = _state(w, target)
    if method == "post":
        version = _version(w, target)
        data = {k: version if v == VERSION else _value(w, v) for k, v in (case.data or {}).items()}
        if version is not None:
            data.setdefault("version", version)
        response = client.post(url, data)
    else:
        response = client.get(url)
    if party == ANONYMOUS:
        assert response.status_code in (302, 403, 404), response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("web:login")), response["Location"]
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content[:300])
    assert _state(w, target) == before
