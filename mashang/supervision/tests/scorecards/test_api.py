"""The scorecard API, its Excel export, publishing, the pages and who may see what."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from mashang.audit.models import Event
from mashang.demands import services as S
from mashang.supervision.scorecards.models import ScorecardPublication
from mashang.supervision.scorecards.services import scorecard_publish
from mashang.supervision.tests.scorecards.scenario import NOVEMBER, NOW, OCTOBER, build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_rates")]

NOV = {"from": "2026-11-01", "to": "2026-12-01"}


@pytest.fixture
def built(zone):
    with time_machine.travel(NOW, tick=False):
        result = build(zone)
    with time_machine.travel(NOW, tick=False):
        yield result


def test_the_list_has_one_entry_per_unit_with_every_figure(built, api):
    response = api("supervisor").get("/api/v1/scorecards", **NOV)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [e["unit"] for e in body] == ["zrzy", "zjj"]
    zrzy, zjj = body
    assert zrzy == {
        "unit": "zrzy",
        "unit_name": "自然资源分局",
        "lead": 5,
        "co": 1,
        "led": 4,
        "response_rate": 50.0,
        "on_time_rate": 50.0,
        "resolution_rate": 100.0,
        "satisfaction_rate": 100.0,
        "reopen_rate": 33.3,
        "return_rate": 20.0,
        "difficult_rate": 0.0,
        # The three rates: response on the efficiency axis, resolution on quality,
        # satisfaction on its own; nothing measures quantity.
        "axes": {"quantity": None, "efficiency": 50.0, "quality": 100.0, "satisfaction": 100.0},
        "scores": {"response": 50.0, "resolution": 100.0, "satisfaction": 100.0},
        "composite": 95.0,
        "standing": "red",  # two units: one place on each list
        "rank": 1,
        "previous_rank": 2,
        "rank_change": 1,
        "composite_change": 95.0,
        "response_hours_median": 0.5,
        "response_hours_p90": 1.7,
        "reply_hours_median": 14.0,
        "reply_hours_p90": 31.6,
        "response_hours_mean": 1.0,  # (0.5 + 2.0 + 0.5) / 3
        "reply_hours_mean": 19.0,  # (14 + 36 + 7) / 3
        "notices": {"reminder": 0, "yellow": 1, "red": 1},
        "counts": zrzy["counts"],
        "published": False,
        "published_at": None,
    }
    assert zrzy["counts"]["returned"] == 1 and zrzy["counts"]["first_contact_on_time"] == 2
    assert (zjj["satisfaction_rate"], zjj["composite"], zjj["rank"], zjj["rank_change"]) == (66.7, 85.0, 2, -1)
    assert zjj["standing"] == "black" and zjj["axes"]["satisfaction"] == 66.67
    assert (zjj["reply_hours_median"], zjj["reply_hours_p90"], zjj["response_hours_p90"]) == (10.5, 28.0, 0.9)  # 0.85 rounds half up


def test_the_period_is_checked(built, api):
    client = api("supervisor")
    response = client.get("/api/v1/scorecards", **{"from": "2026-11-10", "to": "2026-11-01"})
    assert response.status_code == 422
    assert set(response.json()) == {"message", "fields"} and "to" in response.json()["fields"]
    assert client.get("/api/v1/scorecards", **{"from": "nonsense"}).status_code == 422
    # Without a period: the last complete month (October, "today" being 10 December: November).
    default = client.get("/api/v1/scorecards")
    assert default.status_code == 200
    assert [e["composite"] for e in default.json()] == [95.0, 85.0]


def test_permissions(built, api):
    assert api("ent-a").get("/api/v1/scorecards", **NOV).status_code == 403
    assert api("ent-a").get("/api/v1/scorecards/export", **NOV).status_code == 403
    assert api(None).get("/api/v1/scorecards", **NOV).status_code == 401
    for who in ("leader", "officer"):
        assert len(api(who).get("/api/v1/scorecards", **NOV).json()) == 2
    # A unit sees its own row only (with its rank among all) until the period is published …
    own = api("unit-zjj").get("/api/v1/scorecards", **NOV).json()
    assert [(e["unit"], e["rank"]) for e in own] == [("zjj", 2)]
    # … and may not publish.
    refused = api("unit-zjj").post("/api/v1/scorecards/publish", NOV)
    assert refused.status_code == 403
    assert api("leader").post("/api/v1/scorecards/publish", NOV).status_code == 403


def test_publishing_freezes_the_figures(built, api, zone):
    supervisor = api("supervisor")
    response = supervisor.post("/api/v1/scorecards/publish", NOV)
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1 and response.json()["units"] == 2
    publication = ScorecardPublication.objects.get()
    assert publication.weights == {"response": 10.0, "resolution": 45.0, "satisfaction": 45.0}
    assert publication.definitions["satisfaction"] and "{basic}" not in publication.definitions["satisfaction"]
    event = Event.objects.get(subject_type="scorecard")
    assert event.action == "publish" and event.subject_id == publication.pk and event.actor == zone.supervisor

    # A correction afterwards: B3 is confirmed resolved and satisfied.
    b3 = built.demands["B3"]
    S.demand_confirm(actor=zone.contact, demand_id=b3.pk, version=b3.version, resolved=True, rating="satisfied")

    body = supervisor.get("/api/v1/scorecards", **NOV).json()
    zjj = next(e for e in body if e["unit"] == "zjj")
    assert zjj["published"] is True and zjj["published_at"].startswith("2026-12-10T12:00")
    assert zjj["satisfaction_rate"] == 66.7 and zjj["composite"] == 85.0  # as published
    # Published periods are public to every unit.
    assert [e["unit"] for e in api("unit-zjj").get("/api/v1/scorecards", **NOV).json()] == ["zrzy", "zjj"]

    # The page says it is published and shows what a recomputation now gives.
    client = Client()
    client.force_login(zone.supervisor)
    page = client.get("/supervision/scorecards/", NOV)
    assert page.status_code == 200
    html = page.content.decode()
    assert "85.00" in html and 'id="differences"' in html
    # Live zjj satisfaction is now (2 + 1)/4 = 75 %, composite (1000 + 4500 + 45·75)/100 = 88.75.
    card = page.context["card"]
    changed = {(d["unit"], d["figure"]): (d["published"], d["now"]) for d in card.differences}
    assert changed[("zjj", "composite")] == (85.0, 88.75)
    assert changed[("zjj", "rated")] == (3, 4)
    # … each difference named as the rest of the page names it, not by its internal key.
    differences = html[html.index('id="differences"') :]
    differences = differences[: differences.index("</details>")]
    assert "<td>综合得分</td>" in differences and "<td>已评价</td>" in differences
    assert "<td>composite</td>" not in differences and "<td>rated</td>" not in differences

    # Publishing again adds a version; the older one stays.
    scorecard_publish(actor=zone.supervisor, period_from=NOVEMBER.start, period_to=NOVEMBER.end)
    assert list(ScorecardPublication.objects.values_list("version", flat=True).order_by("version")) == [1, 2]
    zjj = next(e for e in supervisor.get("/api/v1/scorecards", **NOV).json() if e["unit"] == "zjj")
    assert zjj["composite"] == 88.75


def test_a_period_is_published_once_it_is_over(built, api):
    response = api("supervisor").post("/api/v1/scorecards/publish", {"from": "2026-12-01", "to": "2027-01-01"})
    assert response.status_code == 422
    assert response.json()["fields"]["to"]


def test_the_previous_rank_comes_from_the_published_previous_period(built, zone):
    from mashang.supervision.scorecards import selectors as sel

    scorecard_publish(actor=zone.supervisor, period_from=OCTOBER.start, period_to=OCTOBER.end)
    card = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    assert [(u.code, u.previous_rank, u.previous_composite) for u in card.units] == [
        ("zrzy", 2, 0.0),
        ("zjj", 1, 100.0),
    ]


def test_the_excel_export_carries_the_same_figures(built, api):
    response = api("supervisor").get("/api/v1/scorecards/export", **NOV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "scorecards-2026-11-01-2026-11-30.xlsx" in response["Content-Disposition"]
    wb = load_workbook(BytesIO(response.content))
    assert len(wb.sheetnames) == 5
    ranking, volumes, timeliness, indicators, definitions = (wb[name] for name in wb.sheetnames)
    assert ranking.freeze_panes == "A6"
    assert ranking.print_title_rows == "$5:$5"
    assert ranking.page_setup.orientation == "landscape" and ranking.page_setup.fitToWidth == 1
    assert "2026-11-01" in ranking["A2"].value and "2026-11-30" in ranking["A2"].value
    rows = [[c.value for c in row] for row in ranking.iter_rows(min_row=6)]
    # rank, unit, composite, list, the four axes, rank change, score change, then the seven
    # rates as fractions
    assert rows[0][:10] == [1, "自然资源分局", 95.0, "红榜", None, 50.0, 100.0, 100.0, "▲1", 95.0]
    assert [round(v * 100, 1) for v in rows[0][10:17]] == [50.0, 50.0, 100.0, 100.0, 33.3, 20.0, 0.0]
    assert rows[1][:10] == [2, "住房和城乡建设局", 85.0, "黑榜", None, 100.0, 100.0, 66.67, "▼1", -15.0]
    assert [round(v * 100, 1) for v in rows[1][10:17]] == [100.0, 100.0, 100.0, 66.7, 0.0, 0.0, 0.0]
    assert ranking.cell(6, 11).number_format == "0.0%"
    assert [c.value for c in volumes[6]][:4] == ["自然资源分局", 5, 1, 4]
    assert [c.value for c in timeliness[6]] == ["自然资源分局", 0.5, 1.7, 14.0, 31.6, 1.0, 19.0]
    assert [[c.value for c in row][:3] for row in indicators.iter_rows(min_row=6)] == [
        ["效率", "响应率", 10],
        ["质量", "解决率", 45],
        ["满意度", "满意率", 45],
    ]
    assert definitions.freeze_panes == "A6"
    texts = [row[1].value for row in definitions.iter_rows(min_row=6) if row[1].value]
    assert any("基本满意" in str(t) or "basically satisfied" in str(t) for t in texts)


def test_pages_and_who_sees_them(built, zone):
    client = Client()
    client.force_login(zone.contact)
    assert client.get("/supervision/scorecards/", NOV).status_code == 403
    assert client.get("/supervision/scorecards/zrzy/", NOV).status_code == 403

    client.force_login(zone.housing_staff)
    page = client.get("/supervision/scorecards/", NOV)
    assert page.status_code == 200
    assert [u.code for u in page.context["card"].units] == ["zjj"]
    assert client.get("/supervision/scorecards/zrzy/", NOV).status_code == 404
    own = client.get("/supervision/scorecards/zjj/", {**NOV, "figure": "unsatisfied"})
    assert own.status_code == 200
    assert [d.number for d in own.context["page"].object_list] == [built.demands["B2"].number]

    client.force_login(zone.leader)
    page = client.get("/supervision/scorecards/", NOV)
    html = page.content.decode()
    assert "▲1" in html and "▼1" in html and "<details" in html
    assert "<script>" not in html and " style=" not in html
    assert 'src="/static/web/scorecards.js"' in html
    data = client.get("/supervision/scorecards/data.json", NOV)
    assert data.status_code == 200
    trend = data.json()
    assert trend["periods"][-2:] == ["2026-10", "2026-11"]
    series = {u["code"]: u for u in trend["units"]}
    assert series["zrzy"]["composite"][-2:] == [0.0, 95.0]
    assert series["zjj"]["satisfaction"][-1] == 66.7
    unit_page = client.get("/supervision/scorecards/zrzy/", {**NOV, "figure": "returned"})
    assert unit_page.status_code == 200
    assert [d.number for d in unit_page.context["page"].object_list] == [built.demands["A4"].number]
    assert client.post("/supervision/scorecards/publish/", NOV).status_code == 403

    client.force_login(zone.supervisor)
    done = client.post("/supervision/scorecards/publish/", NOV)
    assert done.status_code == 302 and ScorecardPublication.objects.count() == 1
