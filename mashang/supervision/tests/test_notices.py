"""Manual notices and acknowledgements: who may, from both sides."""

from __future__ import annotations

import pytest

from mashang.audit.models import Event
from mashang.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.demands.models import Status
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.selectors import NoticeFilters, notice_list, notices_for_demand
from mashang.supervision.services import notice_acknowledge, notice_issue, supervision_sweep
from mashang.supervision.services.notices import (
    MSG_ALREADY_ACKNOWLEDGED,
    MSG_COMMENT_REQUIRED,
    MSG_DEMAND_CLOSED,
    MSG_MAY_NOT_ACKNOWLEDGE,
    MSG_MAY_NOT_ISSUE,
)
from tests.kit.clocks import at
from tests.kit.sweeps import assert_version_counts_events
from tests.kit.walk import submit, walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_settings")]

COMMENT = "请今天内联系企业并反馈进展"


@pytest.fixture
def dispatched(zone, people):
    return walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0))


def test_a_supervisor_issues_a_notice_with_a_comment(zone, people, dispatched):
    notice = notice_issue(
        actor=zone.supervisor,
        demand_id=dispatched.pk,
        level=Level.YELLOW,
        comment=f"  {COMMENT} ",
        at=at(2026, 10, 12, 9, 30),
    )
    assert (notice.raised_by, notice.comment, notice.level) == (
        zone.supervisor,
        COMMENT,
        Level.YELLOW,
    )
    assert (notice.kind, notice.due_at, notice.unit) == (
        "first_contact",
        dispatched.next_due_at,
        zone.land,
    )
    assert set(notice.addressed_to.values_list("username", flat=True)) == {
        "unit-zrzy",
        "head-zrzy",
        "supervisor",
    }
    event = Event.objects.filter(subject_type="demand", subject_id=dispatched.pk).latest("id")
    assert (event.action, event.actor, event.reason) == ("notice", zone.supervisor, COMMENT)
    assert event.payload["notice"] == notice.pk and event.payload["level"] == "yellow"
    assert_version_counts_events(dispatched)


def test_a_manual_notice_does_not_stop_the_sweep_raising_the_same_level(zone, people, dispatched):
    notice_issue(
        actor=zone.supervisor, demand_id=dispatched.pk, level=Level.YELLOW, comment=COMMENT
    )
    assert supervision_sweep(at=at(2026, 10, 12, 10, 30)).raised[Level.YELLOW] == 1
    assert SupervisionNotice.objects.filter(demand=dispatched, level=Level.YELLOW).count() == 2


@pytest.mark.parametrize("person", ["leader", "officer", "land_staff", "housing_staff", "contact"])
def test_others_who_see_the_demand_may_not_issue(zone, people, dispatched, person):
    with pytest.raises(PermissionDenied) as caught:
        notice_issue(
            actor=getattr(zone, person), demand_id=dispatched.pk, level="red", comment=COMMENT
        )
    assert caught.value.message == str(MSG_MAY_NOT_ISSUE)
    assert not SupervisionNotice.objects.exists()


def test_an_enterprise_that_cannot_see_the_demand_gets_not_found(zone, people, dispatched):
    with pytest.raises(NotFound):
        notice_issue(
            actor=zone.other_contact, demand_id=dispatched.pk, level="red", comment=COMMENT
        )
    with pytest.raises(NotFound):
        notice_issue(
            actor=zone.supervisor, demand_id=dispatched.pk + 1000, level="red", comment=COMMENT
        )


def test_a_manual_notice_needs_a_level_a_comment_and_an_open_demand(zone, people, dispatched):
    with pytest.raises(ValidationFailed) as caught:
        notice_issue(actor=zone.supervisor, demand_id=dispatched.pk, level="red", comment="  ")
    assert caught.value.fields == {"comment": [str(MSG_COMMENT_REQUIRED)]}
    with pytest.raises(ValidationFailed) as caught:
        notice_issue(actor=zone.supervisor, demand_id=dispatched.pk, level="black", comment=COMMENT)
    assert list(caught.value.fields) == ["level"]
    closed = walk_to(zone, Status.CLOSED, start=at(2026, 10, 12, 9, 0))
    with pytest.raises(TransitionNotAllowed) as caught:
        notice_issue(actor=zone.supervisor, demand_id=closed.pk, level="red", comment=COMMENT)
    assert caught.value.message == str(MSG_DEMAND_CLOSED)


def test_a_manual_notice_while_the_clock_is_paused_has_no_deadline(zone, people):
    waiting = walk_to(zone, Status.WAITING, start=at(2026, 10, 12, 9, 0))
    notice = notice_issue(
        actor=zone.supervisor, demand_id=waiting.pk, level="reminder", comment=COMMENT
    )
    assert (notice.kind, notice.due_at, notice.unit) == ("", None, zone.land)


@pytest.fixture
def unit_notice(zone, people, dispatched):
    supervision_sweep(at=at(2026, 10, 12, 10, 30))  # first contact missed: yellow
    return SupervisionNotice.objects.get(demand=dispatched)


@pytest.fixture
def triage_notice(zone, people):
    demand = submit(zone, when=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 10, 0))
    return SupervisionNotice.objects.get(demand=demand)


@pytest.mark.parametrize("person", ["land_staff", "land_head"])
def test_the_responsible_unit_acknowledges(zone, people, unit_notice, person):
    actor = getattr(people, person, None) or getattr(zone, person)
    notice = notice_acknowledge(actor=actor, notice_id=unit_notice.pk, at=at(2026, 10, 12, 11, 0))
    assert (notice.acknowledged_by, notice.acknowledged_at) == (actor, at(2026, 10, 12, 11, 0))
    event = Event.objects.get(subject_type="supervision_notice", subject_id=notice.pk)
    assert (event.action, event.actor) == ("acknowledge", actor)
    assert_version_counts_events(unit_notice.demand)  # the demand's timeline is untouched
    with pytest.raises(Conflict) as caught:
        notice_acknowledge(actor=actor, notice_id=unit_notice.pk)
    assert caught.value.message == str(MSG_ALREADY_ACKNOWLEDGED)


@pytest.mark.parametrize("person", ["supervisor", "leader"])
def test_supervisors_and_leaders_see_but_do_not_acknowledge(zone, people, unit_notice, person):
    with pytest.raises(PermissionDenied) as caught:
        notice_acknowledge(actor=getattr(zone, person), notice_id=unit_notice.pk)
    assert caught.value.message == str(MSG_MAY_NOT_ACKNOWLEDGE)


@pytest.mark.parametrize("person", ["housing_staff", "officer", "contact", "other_contact"])
def test_others_do_not_even_see_a_unit_notice(zone, people, unit_notice, person):
    with pytest.raises(NotFound):
        notice_acknowledge(actor=getattr(zone, person), notice_id=unit_notice.pk)


def test_an_officer_acknowledges_a_triage_notice_a_unit_does_not_see_it(
    zone, people, triage_notice
):
    with pytest.raises(NotFound):
        notice_acknowledge(actor=zone.land_staff, notice_id=triage_notice.pk)
    assert (
        notice_acknowledge(actor=zone.officer, notice_id=triage_notice.pk).acknowledged_by
        == zone.officer
    )


def test_the_service_teams_head_acknowledges_a_triage_notice(zone, people, triage_notice):
    assert (
        notice_acknowledge(actor=people.team_head, notice_id=triage_notice.pk).acknowledged_by
        == people.team_head
    )


def test_who_sees_which_notices(zone, people, unit_notice, triage_notice):
    def seen(person) -> set[int]:
        return set(notice_list(actor=person).values_list("pk", flat=True))

    both = {unit_notice.pk, triage_notice.pk}
    assert seen(zone.supervisor) == seen(zone.leader) == both
    assert seen(zone.officer) == {triage_notice.pk}
    assert seen(zone.land_staff) == seen(people.land_head) == {unit_notice.pk}
    assert seen(people.team_head) == {triage_notice.pk}
    assert seen(zone.housing_staff) == seen(zone.contact) == seen(zone.other_contact) == set()
    assert notices_for_demand(actor=zone.contact, demand=unit_notice.demand) == []
    (shown,) = notices_for_demand(actor=zone.land_staff, demand=unit_notice.demand)
    assert shown.can_acknowledge is True
    (shown,) = notices_for_demand(actor=zone.supervisor, demand=unit_notice.demand)
    assert shown.can_acknowledge is False


def test_filters(zone, people, unit_notice, triage_notice):
    def ids(**f) -> set[int]:
        return set(
            notice_list(actor=zone.supervisor, filters=NoticeFilters(**f)).values_list(
                "pk", flat=True
            )
        )

    assert ids(unit="zrzy") == {unit_notice.pk}
    assert ids(unit="team") == {triage_notice.pk}
    assert ids(level="yellow") == {unit_notice.pk, triage_notice.pk}
    assert ids(level="red") == set()
    notice_acknowledge(actor=zone.officer, notice_id=triage_notice.pk)
    assert ids(acknowledged=True) == {triage_notice.pk}
    assert ids(acknowledged=False) == {unit_notice.pk}
