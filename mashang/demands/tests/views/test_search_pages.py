"""The "All demands" page: search and filters in the URL, field errors, the Excel export of the
list it shows; the Excel export of the watch list."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from mashang.demands.models import Demand, Status
from tests.kit.factories import EnterpriseFactory, UserFactory
from tests.kit.walk import submit, walk_to

pytestmark = pytest.mark.django_db

ALL = reverse("demands:all")
EXPORT = reverse("demands:all-export")


@pytest.fixture
def wanshun(zone):
    ent = EnterpriseFactory(name="佛山万顺达精密制造有限公司")
    contact = UserFactory(username="ent-ws", role="enterprise", enterprise=ent)
    return submit(zone, actor=contact, title="车间停电影响生产", description="今晨完全停电。")


def listed(response) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def sheet(response) -> tuple[list[str], list[list[object]]]:
    """The header row and the data rows of an exported workbook."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if i > 0 and r and r[0] is None) + 1
    return list(rows[start]), [list(r) for r in rows[start + 1 :]]


def test_a_piece_of_the_enterprise_name_finds_its_demands(zone, as_, wanshun):
    other = submit(zone)
    response = as_("officer").get(ALL, {"q": "万顺"})
    assert response.status_code == 200
    assert listed(response) == [wanshun.number]
    html = response.content.decode()
    assert 'value="万顺"' in html  # the query stays in the box
    assert f'{EXPORT}?q=%E4%B8%87%E9%A1%BA"' in html  # the export of this same list
    assert listed(as_("officer").get(ALL)) == [other.number, wanshun.number]  # newest first


def test_filters_in_the_url_combine(zone, as_, wanshun):
    dispatched = walk_to(zone, Status.IN_PROGRESS)
    client = as_("supervisor")
    assert listed(client.get(ALL, {"unit": "zjj"})) == [dispatched.number]
    assert listed(client.get(ALL, {"unit": "zjj", "lead_only": "on"})) == []
    assert listed(client.get(ALL, {"status": "submitted", "channel": "web"})) == [wanshun.number]
    today = timezone.localdate().isoformat()
    assert len(listed(client.get(ALL, {"submitted_from": today, "submitted_to": today}))) == 2
    # Years at the ends of the calendar are accepted and do not break the page.
    response = client.get(ALL, {"submitted_from": "0001-01-01", "submitted_to": "9999-12-31"})
    assert response.status_code == 200 and len(listed(response)) == 2
    # A unit's member lists only what was dispatched to the unit.
    assert listed(as_("land_staff").get(ALL, {"q": "停电"})) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"submitted_from": "2026-02-30"}, "submitted_from"),
        ({"submitted_to": "yesterday"}, "submitted_to"),
        ({"submitted_from": "2026-03-02", "submitted_to": "2026-03-01"}, "submitted_to"),
        ({"unit": "nope"}, "unit"),
        ({"status": "lost"}, "status"),
        ({"channel": "fax"}, "channel"),
        ({"category": "nope"}, "category"),
    ],
)
def test_a_bad_filter_is_a_field_error(zone, as_, params, field):
    for url in (ALL, EXPORT):
        response = as_("officer").get(url, params)
        assert response.status_code == 422
        html = response.content.decode()
        assert 'role="alert"' in html
        assert f'id="id_{field}"' in html


def test_the_page_takes_the_same_queries_however_many_rows(zone, as_, wanshun, settings):
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 300  # as in production: the calendar once
    client = as_("officer")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(ALL, {"q": "停电", "status": "submitted"}).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of the process reads what it then keeps
    few = count()
    for i in range(6):
        submit(zone, title=f"停电{i}")
    assert count() == few
    assert few <= 12


def test_the_export_holds_exactly_the_listed_rows(zone, as_, wanshun):
    dispatched = walk_to(zone, Status.IN_PROGRESS)
    submit(zone, title="无关的诉求")
    client = as_("officer")
    params = {"q": "企业", "status": "in_progress"}
    shown = listed(client.get(ALL, params))
    assert shown == [dispatched.number]
    headers, rows = sheet(client.get(EXPORT, params))
    assert [r[0] for r in rows] == shown
    with translation.override("en"):
        assert headers[:3] == ["Number", "Title", "Enterprise"]
        assert rows[0][headers.index("Status")] == str(Status.IN_PROGRESS.label)
        assert rows[0][headers.index("Lead unit")] == "自然资源分局"
    # Dates are local wall-clock times.
    submitted = rows[0][headers.index("Submitted at")]
    local = timezone.localtime(dispatched.submitted_at).replace(tzinfo=None, microsecond=0)
    assert abs(submitted - local) < timedelta(seconds=1)
    # Everything, as the page's every page would show it.
    _, everything = sheet(client.get(EXPORT))
    assert len(everything) == 3


def test_the_export_headers_are_in_the_readers_language(zone, as_, wanshun):
    response = as_("officer", language="zh-hans").get(EXPORT, {"q": "万顺"})
    headers, rows = sheet(response)
    with translation.override("zh-hans"):
        assert headers[:3] == [gettext("Number"), gettext("Title"), gettext("Enterprise")]
    assert [r[0] for r in rows] == [wanshun.number]


def test_a_typed_formula_stays_text_in_the_export(zone, as_):
    submit(zone, title='=HYPERLINK("http://spam.example","点我")')
    _, rows = sheet(as_("officer").get(EXPORT))
    assert rows[0][1] == '=HYPERLINK("http://spam.example","点我")'
    raw = as_("officer").get(EXPORT).content
    assert b"<f>" not in raw  # no formula cell in the sheet's XML (it is zipped: decompress)


def test_the_enterprise_has_no_export(zone, as_):
    assert as_("contact").get(EXPORT).status_code == 302


def test_the_watch_list_exports_what_it_lists(zone, as_):
    late = submit(zone, when=timezone.now() - timedelta(days=10), title="早就该受理的诉求")
    fresh = submit(zone, when=timezone.now() - timedelta(days=10), title="刚提交的诉求")
    Demand.objects.filter(pk=fresh.pk).update(next_due_at=timezone.now() + timedelta(days=30))
    response = as_("supervisor").get(reverse("demands:watch"))
    assert reverse("demands:watch-export") in response.content.decode()
    headers, rows = sheet(as_("supervisor").get(reverse("demands:watch-export")))
    with translation.override("en"):
        assert headers[:2] == ["List", "Number"]
        assert [(r[0], r[1]) for r in rows] == [("Overdue", late.number)]
    assert as_("land_staff").get(reverse("demands:watch-export")).status_code == 403
