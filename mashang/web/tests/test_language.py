"""The pages speak the zone's Simplified Chinese whatever the browser asks, until the person
chooses another language with the switch."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_chinese_pages_until_english_is_chosen(zone):
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    client.force_login(zone.officer)
    page = client.get("/", follow=True).content.decode()
    assert 'lang="zh-CN"' in page and "退出" in page  # Sign out

    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert chosen.status_code == 302
    page = client.get("/", follow=True).content.decode()
    assert 'lang="en"' in page and "Sign out" in page

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-CN"' in client.get("/", follow=True).content.decode()


def test_the_sign_in_page_is_chinese_for_an_english_browser():
    page = Client(headers={"accept-language": "en"}).get("/login/").content.decode()
    assert 'lang="zh-CN"' in page


def test_the_api_still_answers_in_the_language_asked(zone, api):
    english = Client(headers={"accept-language": "en"}).get("/api/v1/scorecards")
    chinese = Client().get("/api/v1/scorecards")
    assert english.status_code == chinese.status_code == 401
    assert english.json()["message"] != chinese.json()["message"]
