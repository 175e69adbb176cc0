"""Applying a year's notice: the service, the admin's paste → review → confirm, and the warning
from 60 days before the known calendar ends (admin, supervisors' pages, system check)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mashang.audit.models import Event, SecurityEvent
from mashang.workcal.checks import calendar_coverage_check
from mashang.workcal.models import CalendarDay
from mashang.workcal.notice import notice_parse
from mashang.workcal.selectors import (
    calendar_ends_soon,
    calendar_get,
    calendar_invalidate,
    calendar_known_until,
)
from mashang.workcal.services import calendar_day_set, calendar_year_apply
from mashang.workcal.tests.test_notice import notice
from tests.kit.factories import UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")

# No 2027 notice is published yet (it comes in November 2026): a made-up one in the published
# wording, its weekdays right for 2027.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假1天，不调休。
六、中秋节：9月15日（周三）放假1天，不调休。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
国务院办公厅
"""


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar_invalidate()
    yield
    calendar_invalidate()


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_applying_a_year_beyond_the_package_sets_its_days_and_deadlines_use_them(
    admin_user, django_capture_on_commit_callbacks
):
    days = notice_parse(NOTICE_2027, year=2027)
    before = calendar_get()
    assert before.add_working_days(at(2027, 2, 4, 10), 1) == at(2027, 2, 5, 10)
    assert calendar_known_until() is None or calendar_known_until() < date(2027, 12, 31)

    with django_capture_on_commit_callbacks(execute=True):
        written = calendar_year_apply(
            actor=admin_user, year=2027, days=days, notice_text=NOTICE_2027
        )
    assert written == len(days) == 34
    after = calendar_get()
    # 2月5日 to 13日 are the Spring Festival, 14日 a Sunday: a day's work from Thursday the 4th
    # is due on Monday the 15th; the make-up Saturday the 20th works.
    assert after.add_working_days(at(2027, 2, 4, 10), 1) == at(2027, 2, 15, 10)
    assert after.is_working_day(date(2027, 2, 20))
    assert not after.is_working_day(date(2027, 10, 4))
    assert after.working_time_between(at(2027, 9, 30, 17, 30), at(2027, 10, 8, 8, 30)) == timedelta(
        0
    )
    assert after.is_covered(2027)

    event = Event.objects.get(subject_type="calendar_year")
    assert (event.subject_id, event.action, event.actor_id) == (2027, "notice_apply", admin_user.pk)
    assert event.payload["notice"] == NOTICE_2027
    assert "2027-02-20" in event.payload["working_days"]
    with time_machine.travel(at(2027, 6, 1, 9), tick=False):
        assert calendar_known_until() == date(2027, 12, 31)
        assert calendar_ends_soon() is None


def test_a_new_import_replaces_the_earlier_one_and_keeps_other_dates_set_by_hand(admin_user):
    local = calendar_day_set(
        actor=admin_user, day=date(2027, 7, 1), is_working_day=False, note="园区活动日"
    )
    calendar_day_set(actor=admin_user, day=date(2027, 1, 1), is_working_day=True, note="手工")
    calendar_year_apply(
        actor=admin_user,
        year=2027,
        days=notice_parse(NOTICE_2027, year=2027),
        notice_text=NOTICE_2027,
    )
    # The notice named 1月1日: its row replaced the one set by hand.
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).notice_year == 2027
    # A corrected notice without 2月20日 as a make-up day: the earlier import's row goes.
    corrected = NOTICE_2027.replace("2月20日（周六）上班。", "")
    calendar_year_apply(
        actor=admin_user,
        year=2027,
        days=notice_parse(corrected, year=2027),
        notice_text=corrected,
    )
    assert not CalendarDay.objects.filter(date=date(2027, 2, 20)).exists()
    assert CalendarDay.objects.filter(notice_year=2027).count() == 33
    kept = CalendarDay.objects.get(date=date(2027, 7, 1))
    assert (kept.pk, kept.notice_year, kept.note) == (local.pk, None, "园区活动日")


def test_admin_paste_review_confirm(admin_client, admin_user, django_capture_on_commit_callbacks):
    CalendarDay.objects.create(date=date(2027, 7, 1), is_working_day=False, note="园区活动日")
    url = reverse("admin:workcal_calendarday_import")
    assert admin_client.get(url).status_code == 200

    review = admin_client.post(url, {"year": "2027", "text": NOTICE_2027})
    assert review.status_code == 200
    html = review.content.decode()
    assert html.count("<caption>2027年") == 12
    assert 'class="holiday changed" data-date="2027-02-05"' in html
    assert 'class="makeup changed" data-date="2027-02-20"' in html
    assert 'class="manual" data-date="2027-07-01"' in html
    assert "国庆节" in html and 'name="confirm"' in html
    assert not CalendarDay.objects.filter(notice_year=2027).exists()  # nothing written yet

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(url, {"year": "2027", "text": NOTICE_2027, "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:workcal_calendarday_changelist")
    assert CalendarDay.objects.filter(notice_year=2027).count() == 34
    assert not calendar_get().is_working_day(date(2027, 2, 8))
    assert Event.objects.filter(subject_type="calendar_year", actor=admin_user).count() == 1
    security = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ADMIN_CHANGE)
    assert (security.user_id, security.object_id) == (admin_user.pk, "notice:2027")


def test_admin_errors_show_the_line_at_fault(admin_client):
    url = reverse("admin:workcal_calendarday_import")
    response = admin_client.post(url, {"year": "2027", "text": notice(2026)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "一、元旦：1月1日（周四）至3日（周六）放假调休" in html
    assert "2027-01-01" in html
    assert not CalendarDay.objects.exists()
    # A confirm of a faulty text writes nothing either.
    admin_client.post(url, {"year": "2027", "text": notice(2026), "confirm": "1"})
    assert not CalendarDay.objects.exists()


def test_only_those_who_may_change_calendar_days_import(client):
    url = reverse("admin:workcal_calendarday_import")
    staff = UserFactory(role="admin", is_staff=True)
    client.force_login(staff)
    if staff.has_perm("workcal.change_calendarday"):
        pytest.skip("the system administrator's role grants the permission here")
    assert (
        client.post(url, {"year": "2027", "text": NOTICE_2027, "confirm": "1"}).status_code == 403
    )
    assert not CalendarDay.objects.exists()
    supervisor = UserFactory(role="supervisor")
    client.force_login(supervisor)
    assert client.get(url).status_code == 302  # to the admin's sign-in


@pytest.mark.parametrize(
    ("moment", "warned"),
    [
        (at(2026, 10, 31, 12), False),  # 61 days before 2026-12-31
        (at(2026, 11, 1, 12), True),  # 60 days before
        (at(2026, 12, 20, 12), True),
        (at(2027, 2, 1, 12), True),  # past it
    ],
)
def test_the_warning_starts_60_days_before_the_known_calendar_ends(
    moment, warned, admin_user, client
):
    supervisor = UserFactory(role="supervisor")
    officer = UserFactory(role="officer")
    with time_machine.travel(moment, tick=False):
        client.force_login(admin_user)
        admin_client = client
        assert (calendar_ends_soon() is not None) is warned
        assert bool(calendar_coverage_check()) is warned
        changelist = admin_client.get(reverse("admin:workcal_calendarday_changelist"))
        texts = [str(m) for m in changelist.context["messages"]]
        assert any("2026-12-31" in t for t in texts) is warned
        client.force_login(supervisor)
        page = client.get(reverse("demands:watch"))
        assert page.status_code == 200
        page = page.content.decode()
        assert ('id="calendar-warning"' in page) is warned
        client.force_login(officer)
        page = client.get(reverse("demands:all")).content.decode()
        assert 'id="calendar-warning"' not in page


def test_importing_the_next_year_ends_the_warning(admin_user):
    with time_machine.travel(at(2026, 12, 1, 12), tick=False):
        assert calendar_ends_soon() == date(2026, 12, 31)
        calendar_year_apply(
            actor=admin_user,
            year=2027,
            days=notice_parse(NOTICE_2027, year=2027),
            notice_text=NOTICE_2027,
        )
        calendar_invalidate()
        assert calendar_ends_soon() is None
        assert calendar_coverage_check() == []
        assert calendar_known_until() == date(2027, 12, 31)
    with time_machine.travel(at(2027, 11, 2, 12), tick=False):
        assert calendar_ends_soon() == date(2027, 12, 31)
