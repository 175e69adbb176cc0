"""The calendar as loaded from the database: selector, cache, services, system check, admin."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mashang.workcal.checks import calendar_coverage_check
from mashang.workcal.models import CalendarDay
from mashang.workcal.selectors import calendar_get, calendar_invalidate
from mashang.workcal.services import calendar_day_clear, calendar_day_set

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
DECEMBER_2026 = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)  # next year 2027 is not in the package
JUNE_2025 = datetime(2025, 6, 1, 10, 0, tzinfo=TZ)  # 2025 and 2026 are


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar_invalidate()
    yield
    calendar_invalidate()


def test_calendar_get_reads_overrides_in_one_query_and_settings(
    settings, django_assert_num_queries
):
    settings.MASHANG_OFFICE_HOURS = "09:00-12:00,13:00-18:00"
    CalendarDay.objects.create(
        date=date(2027, 1, 1), is_working_day=False, note="2027年元旦", notice_year=2027
    )
    with django_assert_num_queries(1):
        cal = calendar_get()
    assert cal.tz == TZ
    assert cal.day_length == timedelta(hours=8)
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_covered(2027)


def test_calendar_get_caches_for_the_configured_time(settings, django_assert_num_queries):
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 60
    first = calendar_get()
    with django_assert_num_queries(0):
        assert calendar_get() is first
    calendar_invalidate()
    assert calendar_get() is not first


def test_without_cache_every_call_reads_again(settings):
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 0
    assert calendar_get() is not calendar_get()


def test_services_set_and_clear_an_override_and_invalidate(
    settings, admin_user, django_capture_on_commit_callbacks
):
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 60
    assert calendar_get().is_working_day(date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        day = calendar_day_set(
            actor=admin_user, day=date(2027, 1, 1), is_working_day=False, note="元旦"
        )
    assert (day.date, day.is_working_day, day.note) == (date(2027, 1, 1), False, "元旦")
    assert not calendar_get().is_working_day(date(2027, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(
            actor=admin_user, day=date(2027, 1, 1), is_working_day=True, note="改为上班"
        )
    assert CalendarDay.objects.get().note == "改为上班"
    assert calendar_get().is_working_day(date(2027, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_clear(actor=admin_user, day=date(2027, 1, 1))
    assert not CalendarDay.objects.exists()
    assert not calendar_get().is_covered(2027)
    calendar_day_clear(actor=admin_user, day=date(2027, 1, 1))  # nothing to clear: no error


@time_machine.travel(DECEMBER_2026, tick=False)
def test_an_uncovered_next_year_is_logged_and_checked(caplog):
    with caplog.at_level(logging.WARNING, logger="mashang.workcal"):
        calendar_get()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "2026-12-31" in caplog.records[0].getMessage()
    assert [m.id for m in calendar_coverage_check()] == ["workcal.W001"]
    assert "2026-12-31" in calendar_coverage_check()[0].msg
    assert "2027" in calendar_coverage_check()[0].hint


@time_machine.travel(DECEMBER_2026, tick=False)
def test_a_date_set_by_hand_does_not_make_the_year_known_an_imported_notice_does(caplog):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False)
    assert [m.id for m in calendar_coverage_check()] == ["workcal.W001"]
    CalendarDay.objects.create(date=date(2027, 1, 2), is_working_day=False, notice_year=2027)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="mashang.workcal"):
        calendar_get()
    assert not caplog.records
    assert calendar_coverage_check() == []


@time_machine.travel(JUNE_2025, tick=False)
def test_covered_years_give_no_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="mashang.workcal"):
        calendar_get()
    assert not caplog.records
    assert calendar_coverage_check() == []


@time_machine.travel(DECEMBER_2026, tick=False)
def test_the_check_is_silent_when_the_table_does_not_exist(monkeypatch):
    monkeypatch.setattr(CalendarDay._meta, "db_table", "workcal_missing_table")
    assert calendar_coverage_check() == []


def test_the_check_only_runs_for_this_app():
    from django.apps import apps

    assert calendar_coverage_check(app_configs=[apps.get_app_config("auth")]) == []


@time_machine.travel(DECEMBER_2026, tick=False)
def test_admin_changelist_warns_when_the_known_calendar_ends_soon(admin_client):
    response = admin_client.get(reverse("admin:workcal_calendarday_changelist"))
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1 and "2026-12-31" in texts[0] and "2027" in texts[0]
    assert reverse("admin:workcal_calendarday_import") in response.content.decode()


@time_machine.travel(JUNE_2025, tick=False)
def test_admin_changelist_is_quiet_when_covered(admin_client):
    response = admin_client.get(reverse("admin:workcal_calendarday_changelist"))
    assert response.status_code == 200
    assert not list(response.context["messages"])


def test_admin_add_change_and_delete_go_through_the_services(
    settings, admin_client, django_capture_on_commit_callbacks
):
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 60
    assert calendar_get().is_working_day(date(2027, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workcal_calendarday_add"),
            {"date": "2027-01-01", "is_working_day": "False", "note": "2027年元旦"},
        )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.date, day.is_working_day, day.note) == (date(2027, 1, 1), False, "2027年元旦")
    assert not calendar_get().is_working_day(date(2027, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workcal_calendarday_change", args=[day.pk]),
            {"is_working_day": "True", "note": "上班"},
        )
    assert response.status_code == 302
    assert calendar_get().is_working_day(date(2027, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workcal_calendarday_delete", args=[day.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert not calendar_get().is_covered(2027)


def test_admin_bulk_delete_goes_through_the_services(
    admin_client, django_capture_on_commit_callbacks
):
    days = [CalendarDay.objects.create(date=date(2027, 1, d), is_working_day=False) for d in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            reverse("admin:workcal_calendarday_changelist"),
            {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"},
        )
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert len(callbacks) == 2
