"""A unit's capacity for land start: who may set it (administrators, the service team, the
unit's own head), the steps at once following the people on duty, the event it leaves, a
change made meanwhile, and the page that lists and edits the capacities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils.html import escape

from mashang.audit.models import Event
from mashang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mashang.landstart.models import UnitCapacity
from mashang.landstart.services.capacity import (
    MSG_MAY_NOT_SET,
    MSG_PEOPLE_RANGE,
    MSG_STEPS_RANGE,
    SUBJECT,
    unit_capacity_set,
)
from mashang.landstart.views.capacity import MSG_SAVED
from mashang.org.models import User
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import OPENED

R = User.Role


@pytest.fixture
def finance_head(bundle):
    return UserFactory(username="head-cz", role=R.UNIT_HEAD, unit=bundle.units["cz"])


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_steps_at_once_follow_the_people_on_duty_unless_given(bundle):
    cz = bundle.units["cz"]
    capacity = unit_capacity_set(actor=bundle.admin, unit_id=cz.pk, people_on_duty=2, at=OPENED)
    assert (capacity.people_on_duty, capacity.steps_at_once, capacity.updated_by) == (
        2,
        2,
        bundle.admin,
    )
    capacity = unit_capacity_set(
        actor=bundle.zone.officer,
        unit_id=cz.pk,
        people_on_duty=3,
        steps_at_once=1,
        at=OPENED + timedelta(hours=1),
    )
    assert (capacity.people_on_duty, capacity.steps_at_once) == (3, 1)
    assert UnitCapacity.objects.filter(unit=cz).count() == 1
    events = list(Event.objects.filter(subject_type=SUBJECT, subject_id=cz.pk).order_by("id"))
    assert [e.payload["steps_at_once"] for e in events] == [2, 1]
    assert events[1].payload["before"] == {"people_on_duty": 2, "steps_at_once": 2}
    assert events[1].actor == bundle.zone.officer and events[0].payload["before"] is None


def test_a_units_head_sets_its_own_unit_only(bundle, finance_head):
    unit_capacity_set(actor=finance_head, unit_id=bundle.units["cz"].pk, people_on_duty=2)
    with pytest.raises(PermissionDenied) as refused:
        unit_capacity_set(actor=finance_head, unit_id=bundle.units["sw"].pk, people_on_duty=2)
    assert refused.value.message == str(MSG_MAY_NOT_SET).format(unit="税务分局")
    assert not UnitCapacity.objects.filter(unit=bundle.units["sw"]).exists()


def test_the_person_named_head_of_a_unit_may_set_it(bundle):
    sw = bundle.units["sw"]
    sw.head = bundle.people["sw"]
    sw.save(update_fields=["head"])
    unit_capacity_set(actor=bundle.people["sw"], unit_id=sw.pk, people_on_duty=4)
    assert UnitCapacity.objects.get(unit=sw).steps_at_once == 4


def test_staff_leaders_supervisors_and_enterprises_may_not_set_a_capacity(bundle):
    z = bundle.zone
    for user in (bundle.people["cz"], z.leader, z.supervisor, z.contact):
        with pytest.raises(PermissionDenied):
            unit_capacity_set(actor=user, unit_id=bundle.units["cz"].pk, people_on_duty=2)
    inactive = UserFactory(username="old-admin", role=R.ADMIN, is_active=False)
    with pytest.raises(PermissionDenied):
        unit_capacity_set(actor=inactive, unit_id=bundle.units["cz"].pk, people_on_duty=2)
    assert not UnitCapacity.objects.exists()
    assert not Event.objects.filter(subject_type=SUBJECT).exists()


@pytest.mark.parametrize(
    ("people", "steps", "field"),
    [
        (0, None, "people_on_duty"),
        (100, None, "people_on_duty"),
        (2, 0, "steps_at_once"),
        (2, 100, "steps_at_once"),
    ],
)
def test_a_capacity_is_a_whole_number_from_one(bundle, people, steps, field):
    with pytest.raises(ValidationFailed) as refused:
        unit_capacity_set(
            actor=bundle.admin,
            unit_id=bundle.units["cz"].pk,
            people_on_duty=people,
            steps_at_once=steps,
        )
    assert list(refused.value.fields) == [field]
    message = MSG_PEOPLE_RANGE if field == "people_on_duty" else MSG_STEPS_RANGE
    assert refused.value.message == str(message).format(most=99)
    assert not UnitCapacity.objects.exists()


def test_an_unknown_or_inactive_unit_is_not_found(bundle):
    gone = UnitFactory(code="gone", is_active=False)
    for unit_id in (gone.pk, 999999):
        with pytest.raises(NotFound):
            unit_capacity_set(actor=bundle.admin, unit_id=unit_id, people_on_duty=1)


def test_a_change_made_since_the_form_was_read_is_a_conflict(bundle):
    cz = bundle.units["cz"]
    first = unit_capacity_set(actor=bundle.admin, unit_id=cz.pk, people_on_duty=2, at=OPENED)
    unit_capacity_set(
        actor=bundle.zone.officer,
        unit_id=cz.pk,
        people_on_duty=3,
        seen_updated_at=first.updated_at,
        at=OPENED + timedelta(minutes=1),
    )
    with pytest.raises(Conflict):
        unit_capacity_set(
            actor=bundle.admin, unit_id=cz.pk, people_on_duty=5, seen_updated_at=first.updated_at
        )
    assert UnitCapacity.objects.get(unit=cz).people_on_duty == 3


# --- the page ---------------------------------------------------------------------------------


def test_the_page_lists_the_units_with_land_start_steps(bundle):
    unit_capacity_set(
        actor=bundle.admin, unit_id=bundle.units["cz"].pk, people_on_duty=2, at=OPENED
    )
    UnitFactory(code="nosteps", name="无关单位")
    html = client_for(bundle.zone.officer).get("/landstart/capacity/").content.decode()
    for code in ("jyzx", "zrzy", "cz", "sw", "zjj"):
        assert f'data-unit="{code}"' in html
    assert 'data-unit="nosteps"' not in html
    assert html.count('<form method="post" action="/landstart/capacity/"') == 5


def test_unit_staff_see_the_capacities_without_forms_and_enterprises_not_at_all(
    bundle, finance_head
):
    html = client_for(bundle.people["cz"]).get("/landstart/capacity/").content.decode()
    assert 'data-unit="cz"' in html and 'action="/landstart/capacity/"' not in html
    head = client_for(finance_head).get("/landstart/capacity/").content.decode()
    assert head.count('action="/landstart/capacity/"') == 1
    assert client_for(bundle.zone.contact).get("/landstart/capacity/").status_code == 404


def test_saving_on_the_page(bundle, finance_head):
    cz = bundle.units["cz"]
    c = client_for(finance_head)
    response = c.post(
        "/landstart/capacity/", {"unit": cz.pk, f"u{cz.pk}-people_on_duty": "3"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/landstart/capacity/"
    assert (
        escape(str(MSG_SAVED).format(unit=cz.name, people=3, steps=3)) in response.content.decode()
    )
    assert (
        UnitCapacity.objects.get(unit=cz).people_on_duty,
        UnitCapacity.objects.get(unit=cz).steps_at_once,
    ) == (3, 3)

    refused = c.post("/landstart/capacity/", {"unit": cz.pk, f"u{cz.pk}-people_on_duty": "0"})
    assert refused.status_code == 422
    assert UnitCapacity.objects.get(unit=cz).people_on_duty == 3

    other = bundle.units["sw"]
    forbidden = c.post(
        "/landstart/capacity/", {"unit": other.pk, f"u{other.pk}-people_on_duty": "2"}
    )
    assert forbidden.status_code == 403
    assert not UnitCapacity.objects.filter(unit=other).exists()


def test_a_stale_form_says_so(bundle):
    cz = bundle.units["cz"]
    first = unit_capacity_set(actor=bundle.admin, unit_id=cz.pk, people_on_duty=2, at=OPENED)
    unit_capacity_set(
        actor=bundle.zone.officer, unit_id=cz.pk, people_on_duty=3, at=OPENED + timedelta(minutes=1)
    )
    response = client_for(bundle.admin).post(
        "/landstart/capacity/",
        {
            "unit": cz.pk,
            f"u{cz.pk}-people_on_duty": "5",
            f"u{cz.pk}-seen": first.updated_at.isoformat(),
        },
    )
    assert response.status_code == 409
    assert UnitCapacity.objects.get(unit=cz).people_on_duty == 3


def test_people_range_message_is_shown_beside_the_field(bundle):
    cz = bundle.units["cz"]
    response = client_for(bundle.admin).post(
        "/landstart/capacity/", {"unit": cz.pk, f"u{cz.pk}-people_on_duty": "-1"}
    )
    assert response.status_code == 422
    assert 'class="field invalid"' in response.content.decode()
