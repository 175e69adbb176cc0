"""Land start where people already look: the project's page links its board and names its
service officer's phone and e-mail; a unit's queue shows the steps waiting on it and next."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from mashang.landstart.services import landstart_step_stage
from tests.kit.landstart import AWARD, OPENED, run_of

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_project_page_links_its_board_and_gives_the_officers_contact(bundle):
    officer = bundle.zone.officer
    officer.phone, officer.email = "0571-88886666", "officer@zone.example"
    officer.save(update_fields=["phone", "email"])
    html = _client(officer).get(reverse("projects:detail", args=[bundle.project.pk])).content.decode()
    assert 'id="landstart-board"' not in html  # no run yet
    facts = re.search(r'id="service-officer">(.*?)</dd>', html, re.S).group(1)
    assert 'href="tel:0571-88886666"' in facts and 'href="mailto:officer@zone.example"' in facts

    run = run_of(bundle, opened=OPENED)
    html = _client(officer).get(reverse("projects:detail", args=[bundle.project.pk])).content.decode()
    assert f'href="{reverse("landstart:board", args=[run.pk])}"' in html


def test_the_unit_queue_shows_the_units_active_and_next_steps(bundle):
    run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 0.25})
    with time_machine.travel(AWARD.replace(hour=10), tick=False):
        html = _client(bundle.zone.land_staff).get(reverse("demands:unit")).content.decode()
    active = _list(html, "unit-steps-active")
    assert 'data-step="land_contract"' in active and f"/landstart/{run.pk}/" in active
    assert 'data-step="land_use_permit"' in _list(html, "unit-steps-next")  # after the payment

    # The tax office has nothing to do yet: its step comes next.
    html = _client(bundle.people["sw"]).get(reverse("demands:unit")).content.decode()
    assert 'id="unit-steps-active"' not in html
    assert 'data-step="deed_tax"' in _list(html, "unit-steps-next")


def _list(html: str, list_id: str) -> str:
    start = html.index(f'id="{list_id}"')
    return html[start : html.index("</ul>", start)]


def test_a_step_made_ready_on_another_day_shows_its_date_on_the_board(bundle):
    run = run_of(bundle, opened=OPENED)
    ready = OPENED + timedelta(minutes=5, seconds=19)  # 2026-06-01 10:05:19
    landstart_step_stage(actor=bundle.zone.land_staff, run_id=run.pk, step_code="land_contract", at=ready)
    with time_machine.travel(OPENED + timedelta(days=3), tick=False):
        html = _client(bundle.zone.officer).get(reverse("landstart:board", args=[run.pk])).content.decode()
    node = html[html.index('data-step="land_contract"') :]
    times = re.search(r'<text class="node-times"[^>]*>(.*?)</text>', node, re.S).group(1)
    assert "06-01 10:05" in times
