"""403, 404 and 500 in production (DEBUG off): the site's layout, in Chinese, with a way back;
the API keeps its JSON shape."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mashang.web.tests.error_urls")]


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def _signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_missing_page_is_the_sites_404_in_chinese_with_a_way_back(zone):
    response = _signed_in(zone.officer).get("/demands/999999/", headers={"referer": "http://testserver/demands/"})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="zh-CN"' in html and 'class="topbar"' in html and 'data-status="404"' in html
    assert "Not Found" not in html and "The requested resource was not found" not in html
    assert 'href="/"' in html and 'href="http://testserver/demands/"' in html


def test_a_refused_page_is_the_sites_403_with_its_reason(zone):
    response = _signed_in(zone.contact).get("/supervision/scorecards/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-status="403"' in html and 'class="topbar"' in html and 'lang="zh-CN"' in html
    assert "<h1>403 Forbidden</h1>" not in html
    assert 'href="/"' in html


def test_a_failure_is_the_sites_500_without_the_database(zone, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert 'lang="zh-CN"' in html and 'data-status="500"' in html and "mashang.css" in html
    assert "Server Error (500)" not in html and 'href="/"' in html


def test_the_api_keeps_json_errors(zone):
    client = Client(raise_request_exception=False)
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and set(missing.json()) == {"message", "fields"}
    failed = client.get("/api/boom/")
    assert failed.status_code == 500 and set(failed.json()) == {"message", "fields"}
