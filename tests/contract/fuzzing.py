"""The property-based fuzzer of the API: schemathesis generates requests from
/api/v1/openapi.json and sends them, in process, to Django's WSGI application, signed in as an
enterprise and as an officer; each answer is checked for a server error, conformance to the
documented response schema, and a documented status code.

Used by tests/contract/test_fuzz.py (bounded, in ``make test``) and by bench/fuzz_api.py (more
examples, prints the counts).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    #: (check, "METHOD /path", status) → how many answers failed it.
    failures: Counter = field(default_factory=Counter)
    #: One example per failure key: the request and the first lines of the answer.
    examples: dict = field(default_factory=dict)
    #: (person, status) → how many answers.
    statuses: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        failed = sum(self.failures.values())
        out = [f"operations {self.operations}, requests {self.requests}, failures {failed}"]
        out.append("  statuses: " + ", ".join(f"{w} {s}: {n}" for (w, s), n in sorted(self.statuses.items())))
        by_check = Counter()
        for (check, _, _), n in self.failures.items():
            by_check[check] += n
        out += [f"  {check}: {n}" for check, n in sorted(by_check.items())]
        for key, n in sorted(self.failures.items()):
            out.append(f"  {n:4d} × {key[0]} {key[1]} → {key[2]}")
            out.append(f"         {self.examples[key]}")
        return out


@contextlib.contextmanager
def in_process_requests():
    """Requests inside the test's transaction: Django's WSGI handler would close the
    connection at each request's start and end (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _failure_names(exc: BaseException) -> list[tuple[str, str]]:
    """(check title, message) of each failure schemathesis raised."""
    found = []
    for failure in getattr(exc, "exceptions", None) or [exc]:
        title = getattr(failure, "title", type(failure).__name__)
        message = getattr(failure, "message", str(failure))
        found.append((str(title), str(message).splitlines()[0] if str(message) else ""))
    return found


def fuzz(
    raw_schema: dict,
    tokens: dict[str, Callable[[], str]],
    *,
    max_examples: int,
    paths: set[str] | None = None,
) -> Report:
    """Send ``max_examples`` generated requests per operation and per person; count failures.

    ``tokens`` gives a fresh token of each person for each operation: an operation may revoke
    the token it is called with (DELETE /auth/token). ``paths`` limits the run to those paths."""
    report = Report()
    with in_process_requests() as app:
        schema = schemathesis.openapi.from_dict(raw_schema)
        schema.app = app
        for result in schema.get_all_operations():
            operation = result.ok()
            if paths is not None and operation.path not in paths:
                continue
            report.operations += 1
            label = f"{operation.method.upper()} {operation.path}"
            for who, token in tokens.items():
                _run(operation, label, who, token(), report, max_examples)
    return report


def _run(operation, label: str, who: str, token: str, report: Report, max_examples: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def send(case):
        response = case.call(headers=headers)
        report.requests += 1
        report.statuses[who, response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, FailureGroup) as exc:  # noqa: BLE001 — each is counted, none stops the run
            for title, message in _failure_names(exc):
                key = (title, label, response.status_code)
                report.failures[key] += 1
                report.examples.setdefault(
                    key, f"{who}: {case.as_curl_command()[:300]} — {message[:200]}"
                )

    send()
