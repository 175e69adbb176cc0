"""The production stack as deployed (docs/deploy.md): two gunicorn instances, a Celery worker and
exactly one beat, all with ``MASHANG_ENV=production`` on one PostgreSQL database and one Redis
database, behind what a TLS-terminating proxy sends (``X-Forwarded-Proto: https``,
``X-Forwarded-For`` with ``MASHANG_PROXY_COUNT=1``). A demand walks through them, and the
worker is killed with SIGKILL in the middle of a delivery.

The chat robot is the local stand-in of tests/kit/notify.py, in a thread of this process. Like
a real platform it posts a message it has read even when the sender hangs up before the answer:
the message in flight when the worker died is sent again (at least once, as
docs/configuration.md says); every other is sent once.
"""

from __future__ import annotations

import os
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from django.conf import settings

from tests.kit.notify import FakePlatforms
from tests.kit.stack import database_beside, group_alive, running_stack

pytestmark = pytest.mark.postgres

#: A PDF as small as the upload check takes (the first bytes say what it is).
PDF = b"%PDF-1.4\n% mashang stack test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
#: What nginx sends for a client (deploy/nginx/mashang.conf).
CLIENT = "203.0.113.10"
LEASE_SECONDS = 8


class Through:
    """A client of one instance as nginx would pass it on: over TLS, from ``address``.

    The cookies are kept here, not in httpx's jar: production marks them Secure and the test
    speaks plain HTTP to gunicorn, as the proxy does."""

    def __init__(self, base: str, *, address: str = CLIENT, token: str | None = None):
        self.base = base
        self.host = urlsplit(base).netloc
        self.address = address
        self.cookies: dict[str, str] = {}
        self.token = token
        self.http = httpx.Client(base_url=base, timeout=20)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            **kwargs.pop("headers", {}),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kwargs)
        for line in response.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def sign_in(self, username: str, password: str = "pw") -> httpx.Response:
        response = self.request(
            "POST", "/api/v1/auth/token", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.token = response.json()["token"]
        return response

    def act(self, demand: dict, action: str, **body) -> dict:
        response = self.request(
            "POST",
            f"/api/v1/demands/{demand['id']}/actions/{action}",
            json={"version": demand["version"], **body},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def file_demand(self, title: str) -> dict:
        response = self.request(
            "POST",
            "/api/v1/demands",
            json={"title": title, "description": "用地手续咨询", "category": "land"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def web_sign_in(self, username: str, password: str = "pw") -> None:
        page = self.request("GET", "/login/")
        token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        response = self.request(
            "POST",
            "/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"https://{self.host}/login/"},
        )
        assert response.status_code == 302, response.text


def _wait_for(what: str, check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def stack(tmp_path):
    base = os.environ["DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER") or "gw0"
    name = f"{urlsplit(base).path.strip('/')}_stack_{worker}"
    robots = FakePlatforms()
    robots.start()
    with running_stack(
        database_url=database_beside(base, name),
        redis_url=settings.MASHANG_TEST_REDIS_URL,
        folder=tmp_path / "var",
        settings={
            "MASHANG_SWEEP_SECONDS": "2",
            # A card waits this long for others bound to the same robot (60 s in production).
            "MASHANG_NOTIFY_DIGEST_SECONDS": "2",
            "MASHANG_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
            "MASHANG_NOTIFY_GATHER_MS": "100",
            "MASHANG_BASE_URL": "https://mashang.example.gov.cn",
            "MASHANG_SIGNIN_MAX_FAILURES": "3",
        },
    ) as stack:
        stack.robots = robots
        try:
            # Every process starts while the zone is seeded; one gunicorn worker per instance
            # keeps six Python processes within two cores.
            stack.urls = [
                stack.start_web(name, workers=1, threads=4, wait=False)
                for name in ("web-a", "web-b")
            ]
            stack.start_worker(wait=False)
            stack.start_beat(wait=False)
            stack.call("tests.kit.stack:seed_zone", robot_url=robots.url("wecom"))
            stack.wait_ready()
            yield stack
        finally:
            groups = [p.pid for p in stack.processes.values()]
            stack.stop()
            robots.stop()
            assert [pid for pid in groups if group_alive(pid)] == []  # nothing outlives the test


def _robot_rows(stack) -> dict[str, int]:
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM notify_notification WHERE robot_id IS NOT NULL GROUP BY status"
        ).fetchall()
    return dict(rows)


def test_a_demand_walks_through_the_production_stack(stack):
    a_url, b_url = stack.urls
    robots: FakePlatforms = stack.robots

    # Filed on A by the enterprise, accepted and dispatched on B by the service officer.
    enterprise = Through(a_url)
    assert enterprise.sign_in("ent-a").status_code == 200
    officer = Through(b_url)
    assert officer.sign_in("officer").status_code == 200
    demand = enterprise.file_demand("厂房用地手续办理")
    demand = officer.act(demand, "triage", category="land")
    demand = officer.act(demand, "dispatch")
    assert demand["status"] == "dispatched" and demand["lead_unit"]["code"] == "zrzy"
    number = demand["number"]

    # The worker tells the unit's work group, once.
    _wait_for("the dispatch in the work group", lambda: robots.count_containing(number) == 1, 20)

    # Its first-contact deadline passes: beat's sweep raises a yellow card, the group hears it.
    with psycopg.connect(stack.database_url) as conn:
        conn.execute(
            "UPDATE demands_demand SET first_response_due_at = now() - interval '1 minute', "
            "next_due_at = now() - interval '1 minute' WHERE id = %s",
            [demand["id"]],
        )
    _wait_for("the yellow card in the work group", lambda: robots.count_containing(number) == 2, 30)
    with psycopg.connect(stack.database_url) as conn:
        levels = [
            row[0]
            for row in conn.execute(
                "SELECT level FROM supervision_supervisionnotice WHERE demand_id = %s",
                [demand["id"]],
            )
        ]
    assert levels == ["yellow"]

    # A sign-in locked out on A stays locked on B (the failures are rows in the database), for
    # the client address the proxy gave; another client signs in.
    tries = [Through(a_url).sign_in("locked-out", "wrong").status_code for _ in range(3)]
    assert tries == [401, 401, 429]  # the third failure locks (MASHANG_SIGNIN_MAX_FAILURES=3)
    assert Through(b_url).sign_in("locked-out").status_code == 429
    assert Through(b_url, address="198.51.100.20").sign_in("locked-out").status_code == 200

    # A file uploaded on A downloads from B (one shared media folder), in a session signed in on A.
    uploaded = enterprise.request(
        "POST",
        f"/api/v1/demands/{demand['id']}/attachments",
        files=[("files", ("用地证明.pdf", PDF, "application/pdf"))],
    )
    assert uploaded.status_code == 201, uploaded.text
    browser = Through(a_url)
    browser.web_sign_in("ent-a")
    browser_on_b = Through(b_url)
    browser_on_b.cookies = browser.cookies
    download = browser_on_b.request(
        "GET", f"/demands/{demand['id']}/attachments/{uploaded.json()[0]['id']}/"
    )
    assert download.status_code == 200 and download.content == PDF

    # The worker is killed (SIGKILL) while a work group is slow to answer; started again, it
    # delivers every message: none lost, none sent before the kill sent again. A message the
    # platform had taken when the worker died is sent once more (the worker never heard the
    # answer; chat robots take no idempotency key): delivery is at least once.
    batch = [
        officer.act(enterprise.file_demand(f"停电抢修协调 {i}"), "triage", category="land")
        for i in range(3)
    ]
    robots.slow_seconds = 3.0
    robots.mode = "slow"
    hits = robots.hits
    numbers = [officer.act(d, "dispatch")["number"] for d in batch]
    _wait_for("a delivery in flight", lambda: robots.hits > hits, 20)
    stack.kill("worker")
    time.sleep(3.5)  # the answer the killed worker waited for comes to no one
    in_flight = robots.abandoned
    assert in_flight >= 1
    robots.mode = "up"
    stack.start_worker()
    _wait_for(
        "every dispatch of the batch in the work group",
        lambda: all(robots.count_containing(n) >= 1 for n in numbers),
        LEASE_SECONDS + 30,
    )
    assert _robot_rows(stack) == {"sent": 5}
    assert robots.count_containing(number) == 2  # sent before the kill: not sent again
    again = sum(robots.count_containing(n) - 1 for n in numbers)
    assert 0 <= again <= in_flight, (again, in_flight)
    assert robots.problems == []
