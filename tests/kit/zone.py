"""The zone every test builds on: two units, a category, two enterprises and one person per
role; and JSON clients of the API signed in with a token."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from mashang.org.models import User
from tests.kit.factories import CategoryFactory, EnterpriseFactory, UnitFactory, UserFactory

R = User.Role


@dataclass
class Zone:
    """A small zone: two units, a category routed to the first, two enterprises, one person per role."""

    land: object
    housing: object
    category: object
    enterprise: object
    other_enterprise: object
    contact: User
    other_contact: User
    officer: User
    land_staff: User
    housing_staff: User
    supervisor: User
    leader: User
    #: The head of ``land``, only where a test asks for one (``tests.kit.walk.with_head``).
    land_head: User | None = None


@pytest.fixture
def zone(db) -> Zone:
    land = UnitFactory(code="zrzy", name="自然资源分局")
    housing = UnitFactory(code="zjj", name="住房和城乡建设局")
    category = CategoryFactory(code="land", name="用地", default_lead_unit=land)
    enterprise = EnterpriseFactory(name="甲企业有限公司")
    other_enterprise = EnterpriseFactory(name="乙企业有限公司")
    return Zone(
        land=land,
        housing=housing,
        category=category,
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        contact=UserFactory(username="ent-a", role=R.ENTERPRISE, enterprise=enterprise),
        other_contact=UserFactory(username="ent-b", role=R.ENTERPRISE, enterprise=other_enterprise),
        officer=UserFactory(username="officer", role=R.OFFICER),
        land_staff=UserFactory(username="unit-zrzy", role=R.UNIT_STAFF, unit=land),
        housing_staff=UserFactory(username="unit-zjj", role=R.UNIT_STAFF, unit=housing),
        supervisor=UserFactory(username="supervisor", role=R.SUPERVISOR),
        leader=UserFactory(username="leader", role=R.LEADER),
    )


class ApiClient:
    """A JSON client signed in with a bearer token obtained through the API itself."""

    def __init__(self, username: str | None, password: str = "pw"):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if username:
            response = self.client.post(
                "/api/v1/auth/token",
                {"username": username, "password": password},
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
            self.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, data=None, *, raw: bytes | str | None = None, headers=None):
        body = raw if raw is not None else __import__("json").dumps(data or {})
        return self.client.post(
            path, body, content_type="application/json", headers={**self.headers, **(headers or {})}
        )

    def act(self, demand: dict, action: str, **fields):
        return self.post(
            f"/api/v1/demands/{demand['id']}/actions/{action}", {"version": demand["version"], **fields}
        )


@pytest.fixture
def api():
    return ApiClient


@pytest.fixture
def db_vendor(db) -> str:
    return connection.vendor


@pytest.fixture(autouse=True)
def _number_sequences_left_behind(request, django_db_blocker):
    """A test that commits (transactional, or a live server) leaves no year's number sequence
    behind on PostgreSQL, so the first number of a year is 1 in the next test too — as the
    table rows are flushed. A test that rolls back takes its sequences away by itself."""
    yield
    marker = request.node.get_closest_marker("django_db")
    commits = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not commits or connection.vendor != "postgresql":
        return
    from django.apps import apps

    from mashang.core.models import YearlySequence
    from mashang.core.numbering import number_sequences_drop

    with django_db_blocker.unblock():
        # Every kind of number: demands, projects, meetings, action items.
        for sequences in apps.get_models():
            if issubclass(sequences, YearlySequence):
                number_sequences_drop(sequences)
