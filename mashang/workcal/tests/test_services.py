from datetime import date

import pytest

from mashang.audit.models import Event
from mashang.workcal.selectors import calendar_get
from mashang.workcal.services import calendar_day_clear, calendar_day_set
from tests.kit.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_an_override_is_recorded_with_its_author_and_changes_the_calendar():
    admin = UserFactory(role="admin")
    new_year = date(2027, 1, 1)  # a Friday, not yet known to the statutory package
    assert calendar_get().is_working_day(new_year)

    calendar_day_set(actor=admin, day=new_year, is_working_day=False, note="2027年元旦")
    assert not calendar_get().is_working_day(new_year)
    calendar_day_clear(actor=admin, day=new_year)
    assert calendar_get().is_working_day(new_year)

    events = list(Event.objects.filter(subject_type="calendar_day").order_by("id"))
    assert [(e.action, e.actor_id, e.payload["date"]) for e in events] == [
        ("set", admin.pk, "2027-01-01"),
        ("clear", admin.pk, "2027-01-01"),
    ]
    assert events[0].reason == "2027年元旦"
