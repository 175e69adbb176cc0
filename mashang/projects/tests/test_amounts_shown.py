"""Amounts on the project pages in 万元 and 亿元, never raw yuan with '.00'; no concurrency
counter ('version') shown to people."""

from __future__ import annotations

import re
from decimal import Decimal

from django.test import Client
from django.utils import translation

from mashang.core.amounts import amount_text


def _html(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_project_page_says_amounts_in_yi_and_wan_and_hides_the_version(zone, make_project):
    project = make_project(planned_investment=Decimal("26579500000.00"))
    html = _html(zone.officer, f"/projects/{project.pk}/")
    shown = re.search(r'id="planned-investment">(.*?)</dd>', html, re.S).group(1)
    with translation.override("zh-hans"):
        assert shown == amount_text(Decimal("26579500000.00"))
    assert "265.80" in shown and "26,579,500,000.00" not in html
    assert ">Version<" not in html and "版本" not in html
    assert not re.search(r"\d,\d{3}\.00\b", html)


def test_the_pipeline_lists_amounts_in_yi_and_wan(zone, make_project):
    make_project(name="甲项目", planned_investment=Decimal("32000000.00"), stage="signed")
    html = _html(zone.leader, "/projects/")
    assert "3,200 " in html
    assert "32,000,000.00" not in html
