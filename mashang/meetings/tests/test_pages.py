"""The meeting pages: who sees them, the agenda builder, the live minutes, approval, the minutes
as documents, the tracker and its export, the difficult cases; refusals shown beside the form
(409 for a stale version, 422 field by field) with nothing written."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from mashang.audit.models import Event
from mashang.demands.models import Demand, Status
from mashang.meetings import services as M
from mashang.meetings.models import ActionItem, AgendaItem, ItemStatus, Meeting
from mashang.meetings.models import Status as MeetingStatus
from mashang.web.navigation import nav_for
from tests.kit.walk import act, walk_to, with_head

pytestmark = pytest.mark.django_db

DECISION = "由自然资源分局牵头复核用地红线，两周内答复企业"
MATTER = "复核甲企业厂房用地红线并书面答复"


@pytest.fixture
def as_(zone):
    """``as_("supervisor")``: a test client signed in as that person of the zone."""

    def client_for(person: str, language: str = "en") -> Client:
        # Messages are asserted in English (the msgids); zh-Hans is the default otherwise.
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch does
        client.force_login(getattr(zone, person))
        return client

    return client_for


def plan(zone, **kw) -> Meeting:
    args = {
        "title": "12 月企业诉求研判会",
        "starts_at": "2026-12-03T10:00",
        "place": "管委会 301 会议室",
        "chair": "leader",
        "secretary": "supervisor",
        "participants": ["officer"],
        "units": ["zrzy", "zjj"],
        **kw,
    }
    return M.meeting_plan(actor=zone.supervisor, **args)


def page_url(meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def act_url(meeting, action: str) -> str:
    return reverse("meetings:act", args=[meeting.pk, action])


def fresh(meeting) -> Meeting:
    return Meeting.objects.get(pk=meeting.pk)


def offered(html: str) -> set[str]:
    """The actions whose forms a meeting page renders."""
    return set(re.findall(r'action="/meetings/\d+/act/([a-z-]+)/"', html))


def events_of(meeting) -> list[str]:
    return list(
        Event.objects.filter(subject_type="meeting", subject_id=meeting.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def decision_post(meeting, item, **rows) -> dict:
    data = {"version": meeting.version, "item": item.pk, "decision": DECISION}
    data.update(rows)
    return data


ACTION_ITEM = {
    "action_items-0-title": MATTER,
    "action_items-0-lead_unit": "zrzy",
    "action_items-0-co_units": ["zjj"],
    "action_items-0-owner": "unit-zrzy",
    "action_items-0-working_days": "5",
    "action_items-0-closing_rule": "书面答复企业并经督查室确认",
}


def with_two_proposals(zone) -> tuple[Meeting, list[AgendaItem]]:
    """A meeting whose agenda the data filled with two demands overdue for weeks."""
    long_ago = timezone.now() - timedelta(days=30)
    walk_to(zone, Status.DISPATCHED, start=long_ago)
    walk_to(zone, Status.DISPATCHED, start=long_ago + timedelta(hours=1))
    meeting = plan(zone)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    assert [i.status for i in items] == [ItemStatus.PROPOSED, ItemStatus.PROPOSED]
    return meeting, items


# --- who sees what -----------------------------------------------------------------------------


def test_an_enterprise_contact_gets_no_meeting_page(zone, as_):
    meeting = plan(zone)
    client = as_("contact")
    for url in [
        reverse("meetings:index"),
        reverse("meetings:index") + "?month=2026-12",
        reverse("meetings:new"),
        page_url(meeting),
        reverse("meetings:docx", args=[meeting.pk]),
        reverse("meetings:pdf", args=[meeting.pk]),
        reverse("meetings:action-items"),
        reverse("meetings:action-items-export"),
        reverse("meetings:difficult-cases"),
    ]:
        assert client.get(url).status_code in (403, 404), url
    response = client.post(act_url(meeting, "freeze"), {"version": meeting.version})
    assert response.status_code == 404
    response = client.post(reverse("meetings:new"), {"title": "x"})
    assert response.status_code == 403
    assert fresh(meeting).version == meeting.version
    assert not any("/meetings/" in i["url"] for i in nav_for(zone.contact))


def test_the_navigation_offers_the_meetings_to_the_zone_and_the_cases_to_who_decides_them(zone):
    for person in ("officer", "land_staff", "supervisor", "leader"):
        urls = [i["url"] for i in nav_for(getattr(zone, person))]
        assert "/meetings/" in urls and "/meetings/action-items/" in urls, person
        cases = "/meetings/difficult-cases/" in urls
        assert cases == (person != "land_staff"), person


def test_a_signed_out_visitor_is_sent_to_sign_in(zone):
    response = Client().get(reverse("meetings:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the list, the calendar, calling a meeting -------------------------------------------------


def test_the_list_filters_by_status_and_kind_and_the_calendar_shows_the_month(zone, as_):
    demand_review = plan(zone)
    land = plan(zone, kind="land_joint", title="供地联席会办", starts_at="2026-12-17T15:00")
    client = as_("land_staff")
    html = client.get(reverse("meetings:index")).content.decode()
    assert demand_review.title in html and land.title in html
    assert 'id="call-meeting"' not in html  # a unit does not call meetings
    html = client.get(reverse("meetings:index"), {"kind": "land_joint"}).content.decode()
    assert land.title in html and demand_review.title not in html
    html = client.get(reverse("meetings:index"), {"status": "held"}).content.decode()
    assert land.title not in html and "No meeting matches." in html
    html = client.get(reverse("meetings:index"), {"month": "2026-12"}).content.decode()
    assert 'datetime="2026-12-03"' in html and demand_review.title in html and land.title in html
    assert "?month=2027-01" in html and "?month=2026-11" in html
    html = client.get(reverse("meetings:index"), {"month": "2027-01"}).content.decode()
    assert land.title not in html and "No meeting in this month." in html
    # A month that is none falls back to this one instead of failing.
    assert client.get(reverse("meetings:index"), {"month": "soon"}).status_code == 200
    assert 'id="call-meeting"' in as_("supervisor").get(reverse("meetings:index")).content.decode()


def test_a_meeting_is_called_through_the_form_and_bad_input_is_refused_field_by_field(zone, as_):
    client = as_("officer")
    page = client.get(reverse("meetings:new")).content.decode()
    assert 'name="chair"' in page and 'value="leader"' in page
    assert 'value="ent-a"' not in page  # an enterprise contact never takes part
    response = client.post(
        reverse("meetings:new"),
        {
            "kind": "demand_review",
            "title": "12 月企业诉求研判会",
            "starts_at": "2026-12-03T10:00",
            "chair": "leader",
            "secretary": "officer",
            "participants": ["supervisor"],
            "units": ["zrzy"],
            "period_start": "2026-11-30",
            "period_end": "2026-11-01",
        },
    )
    assert response.status_code == 422
    assert "The reviewed period ends after it starts." in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        reverse("meetings:new"),
        {
            "kind": "demand_review",
            "title": "12 月企业诉求研判会",
            "starts_at": "2026-12-03T10:00",
            "chair": "leader",
            "secretary": "officer",
            "units": ["zrzy"],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == page_url(meeting)
    assert (meeting.secretary, meeting.chair) == (zone.officer, zone.leader)
    assert meeting.period_start.isoformat() == "2026-11-01"
    assert as_("land_staff").get(reverse("meetings:new")).status_code == 403


# --- the meeting, from agenda to approved minutes ----------------------------------------------


def test_the_secretary_builds_the_agenda_records_the_decisions_and_the_leader_approves(zone, as_):
    meeting, (first, second) = with_two_proposals(zone)
    secretary = as_("supervisor")
    html = secretary.get(page_url(meeting)).content.decode()
    assert {"accept-item", "drop-item", "add-item", "propose", "freeze", "cancel"} <= offered(html)
    assert "decide" not in offered(html) and "approve" not in offered(html)
    assert str(first.get_source_display()) in html and first.evidence[0] in html
    assert f'href="/demands/{first.demand_id}/"' in html

    response = secretary.post(
        act_url(meeting, "accept-item"), {"version": fresh(meeting).version, "item": first.pk}
    )
    assert response.status_code == 302
    secretary.post(
        act_url(meeting, "drop-item"), {"version": fresh(meeting).version, "item": second.pk}
    )
    response = secretary.post(
        act_url(meeting, "add-item"),
        {
            "version": fresh(meeting).version,
            "title": "用地类诉求退单偏多",
            "evidence": "11 月用地类诉求退单 5 次\n涉及两个单位",
        },
    )
    assert response.status_code == 302
    added = AgendaItem.objects.filter(meeting=meeting).latest("id")
    assert added.status == ItemStatus.ACCEPTED and added.evidence == [
        "11 月用地类诉求退单 5 次",
        "涉及两个单位",
    ]
    statuses = dict(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "status"))
    assert statuses == {
        first.pk: ItemStatus.ACCEPTED,
        second.pk: ItemStatus.DROPPED,
        added.pk: ItemStatus.ACCEPTED,
    }
    # Refreshing from the data adds nothing new: both demands are on the agenda already.
    response = secretary.post(
        act_url(meeting, "propose"), {"version": fresh(meeting).version}, follow=True
    )
    assert "Nothing new" in response.content.decode()

    secretary.post(act_url(meeting, "freeze"), {"version": fresh(meeting).version})
    assert fresh(meeting).status == MeetingStatus.AGENDA_FROZEN
    html = secretary.get(page_url(meeting)).content.decode()
    assert offered(html) >= {"decide", "hold", "cancel"}
    assert "accept-item" not in offered(html)
    assert html.count('name="action_items-2-title"') == 2  # three blank rows per item

    response = secretary.post(
        act_url(meeting, "decide"), decision_post(fresh(meeting), first, **ACTION_ITEM)
    )
    assert response.status_code == 302
    planned = ActionItem.objects.get()
    assert (planned.title, planned.lead_unit, planned.owner, planned.working_days) == (
        MATTER,
        zone.land,
        zone.land_staff,
        5,
    )
    assert list(planned.co_units.all()) == [zone.housing]
    # The page shows the decision and offers to correct it, its rows filled with what it plans.
    html = secretary.get(page_url(meeting)).content.decode()
    assert DECISION in html and f'name="action_items-0-title" value="{MATTER}"' in html
    assert '<option value="zjj" selected>' in html
    # The second item's decision: a rule change in the second row (the first left empty).
    response = secretary.post(
        act_url(meeting, "decide"),
        {
            **decision_post(fresh(meeting), added),
            "decision": "用地类诉求的办结时限调整为 8 个工作日",
            "rule_changes-1-category": "land",
            "rule_changes-1-field": "resolution_days",
            "rule_changes-1-value": "8",
        },
    )
    assert response.status_code == 302
    # Holding is refused until every accepted item is decided; here both are.
    secretary.post(act_url(meeting, "hold"), {"version": fresh(meeting).version})
    assert fresh(meeting).status == MeetingStatus.HELD

    # The secretary does not approve; the leader (the chair) does.
    assert "approve" not in offered(secretary.get(page_url(meeting)).content.decode())
    leader = as_("leader")
    assert "approve" in offered(leader.get(page_url(meeting)).content.decode())
    response = leader.post(
        act_url(meeting, "approve"), {"version": fresh(meeting).version}, follow=True
    )
    assert response.status_code == 200
    assert fresh(meeting).status == MeetingStatus.MINUTES_APPROVED
    tracked = ActionItem.objects.get().demand
    html = response.content.decode()
    assert f'href="/demands/{tracked.pk}/"' in html and tracked.number in html
    assert DECISION in html and "(applied; before: 5.00)" in html
    assert offered(html) == set()

    # The tracker lists it, linking to the tracked demand; the export carries it.
    tracker = as_("land_staff").get(reverse("meetings:action-items")).content.decode()
    assert tracked.number in tracker and f'href="/demands/{tracked.pk}/"' in tracker
    assert MATTER in tracker
    export = as_("supervisor").get(reverse("meetings:action-items-export"), {"unit": "zrzy"})
    assert export.status_code == 200
    assert export["Content-Disposition"].startswith('attachment; filename="action-items-open-')
    sheet = load_workbook(BytesIO(export.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert tracked.number in values and MATTER in values and DECISION in values
    assert events_of(meeting)[-1] == "approve"


def test_the_minutes_download_as_docx_and_pdf_with_the_decisions(zone, as_):
    meeting = plan(zone)
    meeting = M.agenda_item_add(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, title="退单偏多"
    )
    item = AgendaItem.objects.get(meeting=meeting)
    meeting = M.meeting_freeze(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version
    )
    as_("supervisor").post(act_url(meeting, "decide"), decision_post(meeting, item, **ACTION_ITEM))
    client = as_("officer")  # a participant reads the minutes
    docx = client.get(reverse("meetings:docx", args=[meeting.pk]))
    assert docx.status_code == 200
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert docx["Content-Disposition"] == f'attachment; filename="minutes-{meeting.number}.docx"'
    document = Document(BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert DECISION in text and MATTER in text
    pdf = client.get(reverse("meetings:pdf", args=[meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="minutes-{meeting.number}.pdf"'
    extracted = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert re.sub(r"\s+", "", DECISION) in re.sub(r"\s+", "", extracted)
    html = client.get(page_url(meeting)).content.decode()
    assert 'id="minutes-docx"' in html and 'id="minutes-pdf"' in html


def test_a_stale_version_gets_409_and_changes_nothing(zone, as_):
    meeting, (first, _second) = with_two_proposals(zone)
    stale = meeting.version
    M.agenda_item_drop(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, item=_second.pk
    )
    before = events_of(meeting)
    response = as_("supervisor").post(
        act_url(meeting, "accept-item"), {"version": stale, "item": first.pk}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html and "Reload the meeting" in html
    assert AgendaItem.objects.get(pk=first.pk).status == ItemStatus.PROPOSED
    assert events_of(meeting) == before
    # With htmx the refusal comes back as the meeting's body, to be swapped in.
    response = as_("supervisor").post(
        act_url(meeting, "freeze"), {"version": stale}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert response.content.decode().startswith('<div id="meeting-body"')
    assert fresh(meeting).status == MeetingStatus.PLANNED


def test_a_bad_decision_gets_422_with_the_fields_message_and_nothing_is_written(zone, as_):
    meeting = plan(zone)
    meeting = M.agenda_item_add(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, title="退单偏多"
    )
    item = AgendaItem.objects.get(meeting=meeting)
    meeting = M.meeting_freeze(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version
    )
    before = events_of(meeting)
    # The action item sits in the second row: its message is shown at that row's field.
    rows = {k.replace("action_items-0-", "action_items-1-"): v for k, v in ACTION_ITEM.items()}
    rows["action_items-1-working_days"] = "0"
    response = as_("supervisor").post(
        act_url(meeting, "decide"), decision_post(meeting, item, **rows)
    )
    assert response.status_code == 422
    html = response.content.decode()
    field = re.search(
        r'<div class="field invalid">\s*<label for="id_decide_\d+_action_items-1-working_days">'
        r".*?</div>",
        html,
        re.S,
    )
    assert field and str(M.MSG_BAD_DAYS) in field.group(0)
    assert DECISION in html  # what was typed is kept
    item.refresh_from_db()
    assert item.decision == "" and item.decided_at is None
    assert not ActionItem.objects.exists()
    assert events_of(meeting) == before and fresh(meeting).version == meeting.version
    # An empty decision is refused by the form itself, and nothing is written either.
    response = as_("supervisor").post(
        act_url(meeting, "decide"), {"version": meeting.version, "item": item.pk, "decision": ""}
    )
    assert response.status_code == 422 and "Please check the fields marked below." in (
        response.content.decode()
    )
    assert events_of(meeting) == before


def test_a_refused_move_is_shown_beside_its_button(zone, as_):
    meeting = plan(zone)
    response = as_("supervisor").post(act_url(meeting, "freeze"), {"version": meeting.version})
    assert response.status_code == 422
    assert str(M.MSG_NOTHING_ACCEPTED) in response.content.decode()
    assert fresh(meeting).status == MeetingStatus.PLANNED
    # Someone with no part in the meeting is offered nothing and refused with a 403.
    html = as_("land_staff").get(page_url(meeting)).content.decode()
    assert offered(html) == set()
    response = as_("land_staff").post(
        act_url(meeting, "cancel"), {"version": meeting.version, "reason": "不开了"}
    )
    assert response.status_code == 403
    assert fresh(meeting).status == MeetingStatus.PLANNED


def test_a_meeting_is_cancelled_with_a_reason(zone, as_):
    meeting = plan(zone)
    client = as_("leader")
    response = client.post(act_url(meeting, "cancel"), {"version": meeting.version, "reason": ""})
    assert response.status_code == 422
    response = client.post(
        act_url(meeting, "cancel"), {"version": meeting.version, "reason": "领导另有安排"}
    )
    assert response.status_code == 302
    assert fresh(meeting).status == MeetingStatus.CANCELLED
    html = client.get(page_url(meeting)).content.decode()
    assert "领导另有安排" in html and offered(html) == set()


# --- the tracker and the difficult cases -------------------------------------------------------


def test_the_tracker_tabs_and_the_summary_per_unit(zone, as_):
    meeting = plan(zone)
    meeting = M.agenda_item_add(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, title="退单偏多"
    )
    item = AgendaItem.objects.get(meeting=meeting)
    meeting = M.meeting_freeze(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version
    )
    meeting = M.item_decide(
        actor=zone.supervisor,
        meeting_id=meeting.pk,
        version=meeting.version,
        item=item.pk,
        decision=DECISION,
        action_items=[
            {"title": MATTER, "lead_unit": "zrzy", "working_days": 5, "closing_rule": "答复"},
            {
                "title": "住建配合核查",
                "lead_unit": "zjj",
                "working_days": 3,
                "closing_rule": "核查",
            },
        ],
    )
    meeting = M.meeting_hold(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version)
    M.meeting_approve(actor=zone.leader, meeting_id=meeting.pk, version=meeting.version)
    client = as_("supervisor")
    html = client.get(reverse("meetings:action-items")).content.decode()
    assert MATTER in html and "住建配合核查" in html
    assert 'aria-current="page" data-state="open"' in html
    html = client.get(reverse("meetings:action-items"), {"unit": "zjj"}).content.decode()
    assert MATTER not in html and "住建配合核查" in html
    assert "?state=open&amp;unit=zrzy" in html  # the summary links to each unit's list
    html = client.get(reverse("meetings:action-items"), {"state": "closed"}).content.decode()
    assert MATTER not in html and "No action item in this list." in html
    # A unit sees the items it leads or helps with.
    html = as_("housing_staff").get(reverse("meetings:action-items")).content.decode()
    assert "住建配合核查" in html and MATTER not in html


def test_the_difficult_cases_as_a_leader_sees_them(zone, as_):
    with_head(zone)
    waiting = walk_to(zone, Status.DIFFICULT)
    assigned = walk_to(zone, Status.DIFFICULT)
    act(zone, "assign-case", "leader", assigned)
    html = as_("leader").get(reverse("meetings:difficult-cases")).content.decode()
    waiting_part, open_part = html.split('id="h-open"')
    assert waiting.number in waiting_part and "涉及多个部门" in waiting_part
    assert f'href="/demands/{waiting.pk}/#action-assign-case"' in waiting_part
    assigned = Demand.objects.get(pk=assigned.pk)
    assert assigned.number in open_part and str(zone.supervisor) in open_part
    assert assigned.number not in waiting_part
    assert as_("land_staff").get(reverse("meetings:difficult-cases")).status_code == 403
    assert as_("officer").get(reverse("meetings:difficult-cases")).status_code == 200


def test_the_meeting_page_reads_a_fixed_number_of_queries_however_many_items(zone, as_):
    def queries(titles: list[str]) -> int:
        meeting = plan(zone, title="+".join(titles))
        for title in titles:
            meeting = M.agenda_item_add(
                actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, title=title
            )
        meeting = M.meeting_freeze(
            actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version
        )
        for item in AgendaItem.objects.filter(meeting=meeting):
            meeting = M.item_decide(
                actor=zone.supervisor,
                meeting_id=meeting.pk,
                version=meeting.version,
                item=item.pk,
                decision=DECISION,
                action_items=[
                    {
                        "title": MATTER,
                        "lead_unit": "zrzy",
                        "co_units": ["zjj"],
                        "working_days": 5,
                        "closing_rule": "答复",
                    }
                ],
            )
        client = as_("supervisor")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(meeting)).status_code == 200
        return len(captured)

    assert queries(["一"]) == queries(["二", "三", "四"])
