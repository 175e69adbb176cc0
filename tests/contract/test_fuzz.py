"""The fuzzer in ``make test``: generated requests from the schema, as an enterprise and as an
officer, give no server error, no answer outside its documented schema, no undocumented status."""

from __future__ import annotations

import time

import pytest

from mashang.api.auth import api_token_issue
from tests.contract.fuzzing import fuzz

#: Examples per operation and per person: bounded so the test stays well within two minutes.
MAX_EXAMPLES = 4


@pytest.mark.postgres
def test_generated_requests_get_documented_answers_and_no_server_error(zone, client, request):
    examples = request.config.getoption("--fuzz-examples", default=None) or MAX_EXAMPLES
    raw_schema = client.get("/api/v1/openapi.json").json()
    tokens = {
        "enterprise": lambda: api_token_issue(user=zone.contact)[0],
        "officer": lambda: api_token_issue(user=zone.officer)[0],
    }
    started = time.monotonic()
    report = fuzz(raw_schema, tokens, max_examples=examples)
    elapsed = time.monotonic() - started
    print("\n".join(report.lines()), f"\n{elapsed:.0f} s")
    assert report.operations > 50 and report.requests >= report.operations
    assert not report.failures, "\n".join(report.lines())


@pytest.mark.postgres
def test_the_fuzzer_reports_an_answer_the_schema_does_not_document(zone, client):
    """The checks bite: with 404 taken out of one operation's schema, its 404s are failures."""
    raw_schema = client.get("/api/v1/openapi.json").json()
    path = "/api/v1/demands/{demand_id}"
    del raw_schema["paths"][path]["get"]["responses"]["404"]
    tokens = {"officer": lambda: api_token_issue(user=zone.officer)[0]}
    report = fuzz(raw_schema, tokens, max_examples=3, paths={path})
    assert report.operations == 1
    assert any(status == 404 and "status code" in check.lower() for check, _, status in report.failures)
