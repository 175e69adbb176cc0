"""Notices several at once: a supervisor to several overdue demands from the watch list, a unit
acknowledging several of its notices. Each item alone; a repeated request is already done."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mashang.audit.models import Event
from mashang.core.bulk import Outcome
from mashang.demands.models import Status
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.services import notice_issue
from mashang.supervision.services.bulk import notices_acknowledge_bulk, notices_issue_bulk
from tests.kit.walk import act, submit, walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_settings")]

WATCH = reverse("demands:watch")
NOTICES = reverse("supervision:notices")


def signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _notice_events(demand) -> int:
    return Event.objects.filter(subject_type="demand", subject_id=demand.pk, action="notice").count()


def _notice(zone, demand) -> SupervisionNotice:
    return notice_issue(actor=zone.supervisor, demand_id=demand.pk, level="yellow", comment="请尽快办理")


def test_a_notice_to_each_demand_one_refused_alone_and_a_repeat_already_done(zone, people):
    open_ = [walk_to(zone, Status.DISPATCHED) for _ in range(2)]
    closed = walk_to(zone, Status.CLOSED)
    items = [(d.pk, d.version) for d in [*open_, closed]]

    result = notices_issue_bulk(actor=zone.supervisor, items=items, level="red", comment="限期办结")

    assert [i.outcome for i in result.items] == [Outcome.DONE, Outcome.DONE, Outcome.FAILED]
    assert result.failed[0].label == closed.number
    for d in open_:
        assert SupervisionNotice.objects.filter(demand=d, level="red").count() == 1
        assert _notice_events(d) == 1
    assert not SupervisionNotice.objects.filter(demand=closed).exists()

    again = notices_issue_bulk(actor=zone.supervisor, items=items[:2], level="red", comment="限期办结")
    assert [i.outcome for i in again.items] == [Outcome.ALREADY, Outcome.ALREADY]
    assert all(SupervisionNotice.objects.filter(demand=d).count() == 1 for d in open_)


def test_only_a_supervisor_issues_notices(zone, people):
    d = walk_to(zone, Status.DISPATCHED)
    result = notices_issue_bulk(actor=zone.officer, items=[(d.pk, d.version)], level="reminder", comment="x")
    assert result.failed[0].status == 403
    assert signed_in(zone.land_staff).post(reverse("supervision:issue-many"), {}).status_code == 403


def test_a_unit_acknowledges_its_notices_not_another_units(zone, people):
    ours = [_notice(zone, walk_to(zone, Status.DISPATCHED)) for _ in range(2)]
    theirs_demand = act(zone, "dispatch", "officer", walk_to(zone, Status.TRIAGED), lead_unit="zjj", co_units=[])
    theirs = _notice(zone, theirs_demand)

    result = notices_acknowledge_bulk(actor=zone.land_staff, notice_ids=[n.pk for n in [*ours, theirs]])

    assert [i.outcome for i in result.items] == [Outcome.DONE, Outcome.DONE, Outcome.FAILED]
    assert result.failed[0].status == 404
    for n in ours:
        n.refresh_from_db()
        assert n.acknowledged_by == zone.land_staff
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    again = notices_acknowledge_bulk(actor=zone.land_staff, notice_ids=[n.pk for n in ours])
    assert [i.outcome for i in again.items] == [Outcome.ALREADY, Outcome.ALREADY]


def test_the_watch_list_issues_notices_to_the_ticked_demands(zone, people):
    late = walk_to(zone, Status.DISPATCHED)
    late.next_due_at = late.submitted_at  # overdue now
    late.save(update_fields=["next_due_at"])
    supervisor = signed_in(zone.supervisor)
    html = supervisor.get(WATCH).content.decode()
    assert f'value="{late.pk}:{late.version}"' in html and 'id="bulk-notice"' in html
    assert 'id="bulk-notice"' not in signed_in(zone.leader).get(WATCH).content.decode()

    data = {"demands": [f"{late.pk}:{late.version}"], "level": "yellow", "comment": "请说明原因", "next": WATCH}
    response = supervisor.post(reverse("supervision:issue-many"), data, follow=True)

    assert response.redirect_chain[-1][0] == WATCH
    assert "1 supervision notice issued." in [str(m) for m in response.context["messages"]]
    assert SupervisionNotice.objects.get(demand=late).comment == "请说明原因"


def test_the_notice_list_acknowledges_the_ticked_notices(zone, people):
    notices = [_notice(zone, walk_to(zone, Status.DISPATCHED)) for _ in range(2)]
    unit = signed_in(zone.land_staff)
    html = unit.get(NOTICES).content.decode()
    assert all(f'id="ack-pick-{n.pk}"' in html for n in notices) and 'id="bulk-ack"' in html
    assert 'id="bulk-ack"' not in signed_in(zone.supervisor).get(NOTICES).content.decode()

    data = {"notices": [str(n.pk) for n in notices], "next": NOTICES}
    response = unit.post(reverse("supervision:acknowledge-many"), data, follow=True)

    assert "2 notices acknowledged." in [str(m) for m in response.context["messages"]]
    assert SupervisionNotice.objects.filter(acknowledged_by=zone.land_staff).count() == 2
    assert signed_in(zone.contact).post(reverse("supervision:acknowledge-many"), data).status_code == 403


def test_nothing_ticked_says_so(zone, people):
    submit(zone)
    response = signed_in(zone.land_staff).post(reverse("supervision:acknowledge-many"), {}, follow=True)
    assert any("Choose at least one" in str(m) for m in response.context["messages"])
