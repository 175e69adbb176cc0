"""Every answer under /api is JSON in the one error shape, ``{"message", "fields"}``, also where
Django answers before any API handler: a body over the upload limit, a POST to an unknown path,
the API's root."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from mashang.api.errors import MSG_NOT_FOUND, MSG_TOO_LARGE
from mashang.api.limits import upload_limit_text
from mashang.demands.models import Demand


def error_shaped(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "fields"} and body["message"], body
    assert isinstance(body["fields"], dict)
    return body


def test_a_body_over_the_upload_limit_gets_a_json_413_that_says_the_limit(zone, api):
    client = api("ent-a")
    filler = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    raw = json.dumps({"title": "太大的诉求", "description": filler})
    body = error_shaped(client.post("/api/v1/demands", raw=raw), 413)
    assert body == {"message": str(MSG_TOO_LARGE).format(limit=upload_limit_text()), "fields": {}}
    assert upload_limit_text() == "2.5 MB"
    assert Demand.objects.count() == 0


def test_a_body_just_under_the_limit_is_read(zone, api):
    raw = json.dumps({"title": "t", "description": "x" * 10}).ljust(
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 10
    )
    response = api("ent-a").post("/api/v1/demands", raw=raw)
    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/", "/api/v2/demands", "/api/"])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_an_unknown_api_path_is_a_json_404_for_every_method(path, method, zone, api):
    client = api("ent-a")
    client.client.raise_request_exception = False
    send = getattr(client.client, method)
    if method == "get":
        response = send(path, headers=client.headers)
    else:
        response = send(path, "{}", content_type="application/json", headers=client.headers)
    # A POST without a CSRF token is not Django's HTML 403 page.
    body = error_shaped(response, 404)
    assert body["message"] != ""


def test_the_csrf_check_is_enforced_as_json_when_a_browser_session_posts(zone, client):
    """With CSRF checks on (as in a browser), an unknown API path still answers a JSON 404."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(zone.contact)
    error_shaped(browser.post("/api/v1/nothing-here", {"a": "b"}), 404)


def test_the_not_found_message_of_the_api_is_the_api_s(zone, api):
    response = api("ent-a").get("/api/v1/demands/999999")
    assert error_shaped(response, 404)["message"]
    assert str(MSG_NOT_FOUND)
