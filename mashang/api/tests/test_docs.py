"""The API reference page (/api/v1/docs) is served whole by mashang under the strict CSP: no
CDN, no inline script or style (the browser test tests/browser/test_api_docs.py draws it)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/docs"


@pytest.fixture
def page() -> str:
    response = Client().get(DOCS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    return response.content.decode()


def test_anyone_may_read_the_reference_as_before(page):
    # Like the schema at /api/v1/openapi.json, the reference needs no sign-in.
    assert 'id="swagger-ui"' in page
    assert Client().get("/api/v1/openapi.json").status_code == 200


def test_nothing_is_loaded_from_another_host(page):
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", page) == []
    assert "cdn" not in page.lower()


def test_every_script_is_a_file_of_ours_or_inert_data(page):
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts
    for attributes, content in scripts:
        if 'type="application/json"' in attributes:
            continue
        assert 'src="/static/' in attributes and content.strip() == "", attributes
    assert "<style" not in page and " style=" not in page


def test_the_scripts_and_styles_it_names_exist(page):
    for url in re.findall(r"""(?:src|href)="/static/([^"]+)\"""", page):
        assert finders.find(url), f"static file {url} is missing (run make assets)"
    assert "vendor/swagger-ui-bundle.js" in page and "vendor/swagger-ui.css" in page


def test_swagger_ui_reads_our_schema_and_asks_no_one_else(page):
    data = re.search(r'<script id="swagger-settings" type="application/json">(.*?)</script>', page, re.S)
    assert data is not None
    settings = json.loads(data.group(1))
    assert settings["url"] == "/api/v1/openapi.json"
    assert settings["validatorUrl"] is None
    assert settings["queryConfigEnabled"] is False
