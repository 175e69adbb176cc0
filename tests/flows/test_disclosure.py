"""What each party reads of a demand (``mashang.demands.disclosure``): a demand walked through a
whole life — a dispatch note, a supervision notice, a return, an extension refused and one
approved, an assessment, a question and its answer, a reply, a reopen, a difficult case declined
and then assigned, a sign-off —, one merged and one withdrawn; for every event of them and every
party, the page, the API and the selector show what the rule says, and no more."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mashang.audit.models import Event
from mashang.core.errors import NotFound
from mashang.demands import disclosure
from mashang.demands.disclosure import Sight, Standing
from mashang.demands.selectors import demand_detail_of, demand_get
from mashang.demands.services import demand_give_opinion
from mashang.demands.services.attachments import demand_attach
from mashang.demands.transitions import Action
from mashang.org.models import User
from mashang.supervision.services import notice_issue
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.walk import act, submit
from tests.kit.zone import ApiClient

R = User.Role
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

#: Each text someone writes carries a marker found nowhere else, so a page shows it or not.
DISPATCH_NOTE = "〔派单备注M01〕请自然资源分局牵头"
NOTICE_LAND = "〔督办M02〕请自然资源分局今日联系企业"
RETURN_REASON = "〔退单M03〕不属于本单位职责"
REDISPATCH_NOTE = "〔派单备注M04〕改由住建局牵头"
RESPOND_NOTE = "〔首次联系M05〕已电话联系"
EXTEND_REFUSED = "〔延期M06〕需要现场勘测"
REFUSE_NOTE = "〔不同意M07〕时限内可完成"
EXTEND_APPROVED = "〔延期M08〕需要补充材料"
APPROVE_NOTE = "〔同意M09〕"
NOTICE_HOUSING = "〔督办M10〕请住建局按时答复"
ASSESSMENT = "〔研判M11〕以 2025 年批复为准"
QUESTION = "〔问题M12〕请提供宗地图"
ANSWER = "〔回答M13〕已上传宗地图"
REPLY = "〔答复M14〕已现场复核"
COMMENT = "〔评价M15〕问题没有解决"
REOPEN_REASON = "〔重办M16〕仍未解决"
ESCALATE_REASON = "〔难题M17〕涉及多个部门"
DECLINE_REASON = "〔退回M18〕属一般诉求"
ESCALATE_AGAIN = "〔难题M19〕再次上报"
CASE_NOTE = "〔领导批示M20〕三日内拿出方案"
CASE_REPLY = "〔答复M21〕方案已定"
SIGN_OFF_NOTE = "〔签发M22〕同意答复"
TRIAGE_NOTE = "〔分拣备注M23〕"
MERGE_REASON = "〔合并M24〕重复诉求"
WITHDRAW_REASON = "〔撤回M25〕已自行解决"
OPINION = "〔协办意见M26〕税费可缓缴"

#: Who plays each standing; ``former`` is natural resources, which returned the demand.
PEOPLE = {
    Standing.ENTERPRISE: "contact",
    Standing.INTAKE_UNIT: "intake_staff",
    Standing.SERVICE_TEAM: "officer",
    Standing.LEAD_UNIT: "housing_staff",
    Standing.LEAD_UNIT_HEAD: "housing_head",
    Standing.CO_UNIT: "tax_staff",
    Standing.FORMER_UNIT: "land_staff",
    Standing.SUPERVISOR: "supervisor",
    Standing.LEADER: "leader",
}


@dataclass
class Life:
    zone: object
    main: object
    merged: object
    withdrawn: object


def _do(zone, action, person, demand, **extra):
    return act(zone, action, person, demand, **extra)


@pytest.fixture
def life(zone, settings, tmp_path) -> Life:
    settings.MEDIA_ROOT = tmp_path / "media"
    z = zone
    z.tax = UnitFactory(code="sw", name="税务分局")
    z.walkin = UnitFactory(code="jd", name="街道办")
    z.tax_staff = UserFactory(username="unit-sw", role=R.UNIT_STAFF, unit=z.tax)
    z.housing_head = UserFactory(username="head-zjj", role=R.UNIT_HEAD, unit=z.housing)
    z.intake_staff = UserFactory(username="unit-jd", role=R.UNIT_STAFF, unit=z.walkin)

    d = submit(z)
    # The enterprise came to the sub-district office, which registered it (walk-in).
    type(d).objects.filter(pk=d.pk).update(intake_unit=z.walkin)
    demand_attach(
        actor=z.contact, demand_id=d.pk,
        files=[SimpleUploadedFile("宗地图.pdf", PDF, content_type="application/pdf")],
    )
    d.refresh_from_db()
    d = _do(z, Action.TRIAGE, "officer", d, note=TRIAGE_NOTE)
    d = _do(z, Action.DISPATCH, "officer", d, note=DISPATCH_NOTE)
    notice_issue(actor=z.supervisor, demand_id=d.pk, level="yellow", comment=NOTICE_LAND)
    d.refresh_from_db()
    d = _do(z, Action.RETURN, "land_staff", d, reason=RETURN_REASON)
    d = _do(z, Action.DISPATCH, "officer", d, lead_unit="zjj", co_units=["sw"], note=REDISPATCH_NOTE)
    d = _do(z, Action.RESPOND, "housing_staff", d, note=RESPOND_NOTE)
    d = demand_give_opinion(actor=z.tax_staff, demand_id=d.pk, version=d.version, opinion=OPINION)
    d = _do(z, Action.EXTEND, "housing_staff", d, days=2, reason=EXTEND_REFUSED)
    d = _do(z, Action.REFUSE_EXTENSION, "supervisor", d, note=REFUSE_NOTE)
    d = _do(z, Action.EXTEND, "housing_staff", d, days=3, reason=EXTEND_APPROVED)
    d = _do(z, Action.APPROVE_EXTENSION, "supervisor", d, note=APPROVE_NOTE)
    notice_issue(actor=z.supervisor, demand_id=d.pk, level="red", comment=NOTICE_HOUSING)
    d.refresh_from_db()
    d = _do(z, Action.ASSESS, "housing_staff", d, assessment=ASSESSMENT)
    d = _do(z, Action.WAIT, "housing_staff", d, question=QUESTION)
    d = _do(z, Action.RESUME, "contact", d, answer=ANSWER)
    d = _do(z, Action.REPLY, "housing_staff", d, reply=REPLY)
    d = _do(z, Action.CONFIRM, "contact", d, resolved=False, rating="unsatisfied", comment=COMMENT)
    d = _do(z, Action.REOPEN, "contact", d, reason=REOPEN_REASON)
    d = _do(z, Action.ESCALATE, "officer", d, reason=ESCALATE_REASON)
    d = _do(z, Action.DECLINE_CASE, "leader", d, reason=DECLINE_REASON)
    d = _do(z, Action.DISPATCH, "officer", d, lead_unit="zjj", co_units=["sw"], note=REDISPATCH_NOTE)
    d = _do(z, Action.ESCALATE, "officer", d, reason=ESCALATE_AGAIN)
    d = _do(
        z, Action.ASSIGN_CASE, "leader", d,
        lead_unit="zjj", co_units=["sw"], note=CASE_NOTE, coordinator="supervisor",
    )
    d = _do(z, Action.RESPOND, "housing_staff", d, note=RESPOND_NOTE)
    d = _do(z, Action.REPLY, "housing_staff", d, reply=CASE_REPLY)
    d = _do(z, Action.SIGN_OFF, "housing_head", d, note=SIGN_OFF_NOTE)
    d = _do(z, Action.CONFIRM, "contact", d, resolved=True, rating="satisfied")

    # A duplicate merged into another open demand, and one the enterprise withdrew.
    keeper = submit(z, title="另一项诉求")
    dup = submit(z, title="重复的诉求")
    dup = _do(z, Action.MERGE, "officer", dup, into=keeper.number, reason=MERGE_REASON)
    gone = submit(z, title="撤回的诉求")
    gone = _do(z, Action.WITHDRAW, "contact", gone, reason=WITHDRAW_REASON)
    return Life(zone=z, main=d, merged=dup, withdrawn=gone)


def _events(demand) -> list[Event]:
    return list(Event.objects.filter(subject_type="demand", subject_id=demand.pk).select_related("actor").order_by("id"))


def _texts(event) -> list[str]:
    payload = event.payload or {}
    return [t for t in [event.reason, *(payload.get(k, "") for k in disclosure.TEXT_KEYS)] if t]


def _page(person: User, demand) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(person)
    response = client.get(f"/demands/{demand.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _timeline_actions(html: str) -> list[str]:
    section = html.split('id="h-timeline"', 1)[1]
    return re.findall(r'<li data-action="([^"]+)"', section)


def test_every_action_of_the_walk_has_a_row_and_the_walk_records_every_row(life):
    recorded = {e.action for d in (life.main, life.merged, life.withdrawn) for e in _events(d)}
    # Every event type of the table is in the walk, but an action item's opening (a meeting's).
    assert recorded == set(disclosure.RULES) - {disclosure.OPEN}
    assert set(Action.values) <= set(disclosure.RULES)


@pytest.mark.parametrize("standing", list(PEOPLE))
def test_page_api_and_selector_show_each_event_as_the_rule_says(life, standing):
    z = life.zone
    person: User = getattr(z, PEOPLE[standing])
    for demand in (life.main, life.merged, life.withdrawn):
        try:
            detail = demand_get(actor=person, demand_id=demand.pk)
        except NotFound:
            # Units see only what was dispatched to them (the walk-in unit: see the last test).
            assert standing in (Standing.INTAKE_UNIT, Standing.LEAD_UNIT, Standing.LEAD_UNIT_HEAD,
                                Standing.CO_UNIT, Standing.FORMER_UNIT)
            continue
        everything = _events(demand)
        standings = disclosure.standings_of(person, detail.demand, detail.assignments)
        if demand is life.main:
            assert standing in standings
        sights = [disclosure.sight_for(e, actor=person, standings=standings) for e in everything]
        expected = [e for e, s in zip(everything, sights, strict=True) if s != Sight.NONE]

        # The selector.
        assert [e.pk for e in detail.events] == [e.pk for e in expected]
        for shown, sight in zip(detail.events, [s for s in sights if s != Sight.NONE], strict=True):
            original = next(e for e in everything if e.pk == shown.pk)
            if sight == Sight.FULL:
                assert shown.reason == original.reason and shown.payload == original.payload
            else:
                assert shown.reason == "" and not set(shown.payload) & disclosure.TEXT_KEYS

        # The API.
        body = ApiClient(person.username).get(f"/api/v1/demands/{demand.pk}").json()
        assert [e["action"] for e in body["events"]] == [e.action for e in expected]
        for e, original, sight in zip(
            body["events"], expected, [s for s in sights if s != Sight.NONE], strict=True
        ):
            # Withheld: an event shown as a fact that had a text to take out.
            assert e["text_withheld"] is (sight == Sight.FACT and bool(_texts(original)))
            if sight == Sight.FACT:
                assert e["reason"] == "" and not set(e["payload"]) & disclosure.TEXT_KEYS
        assessment_readable = "assessment" not in disclosure.fields_hidden(standings)
        assert body["assessment"] == (demand.assessment if assessment_readable else "")

        # The page: the same entries, and each text shown exactly when the rule lets it be read.
        html = _page(person, demand)
        assert _timeline_actions(html) == [e.action for e in expected]
        for event, sight in zip(everything, sights, strict=True):
            if sight == Sight.FULL:
                # The timeline shows an event's reason (the texts of a payload stand elsewhere).
                assert event.reason in html, (standing, event.action, event.reason)
            elif event.action != Action.REPLY:
                # (The reply is also the demand's public answer.)
                for text in _texts(event):
                    assert text not in html, (standing, event.action, text)
        assert (ASSESSMENT in html) is (demand is life.main and assessment_readable)


def test_the_enterprise_reads_no_internal_text_and_no_notice(life):
    z = life.zone
    html = _page(z.contact, life.main)
    body = ApiClient("ent-a").get(f"/api/v1/demands/{life.main.pk}").json()
    dumped = str(body)
    for secret in (
        DISPATCH_NOTE, REDISPATCH_NOTE, TRIAGE_NOTE, ASSESSMENT, RETURN_REASON, EXTEND_REFUSED,
        EXTEND_APPROVED, REFUSE_NOTE, APPROVE_NOTE, NOTICE_LAND, NOTICE_HOUSING, ESCALATE_REASON,
        DECLINE_REASON, CASE_NOTE, SIGN_OFF_NOTE, RESPOND_NOTE, OPINION,
    ):
        assert secret not in html
        assert secret not in dumped
    assert {"notice", "opinion"}.isdisjoint(e["action"] for e in body["events"])
    assert 'id="h-notices"' not in html  # nor in the notices panel
    assert body["assessment"] == ""
    # What it happened it sees: returned, re-dispatched, taken up by a leader as a difficult case.
    actions = [e["action"] for e in body["events"]]
    assert actions.count("dispatch") == 3
    assert "return" in actions and "assign-case" in actions
    # The public texts: the unit's question, the reply, its own answer and reasons.
    for public in (QUESTION, ANSWER, CASE_REPLY, COMMENT, REOPEN_REASON):
        assert public in html
    assert REPLY in [e["payload"].get("reply") for e in body["events"]]
    # A duplicate merged away: that it was, not the officer's reason.
    merged = ApiClient("ent-a").get(f"/api/v1/demands/{life.merged.pk}").json()
    assert merged["events"][-1]["action"] == "merge" and merged["events"][-1]["reason"] == ""
    assert merged["events"][-1]["payload"]["into"]


def test_the_lead_unit_reads_the_dispatch_note_and_the_assessment(life):
    z = life.zone
    html = _page(z.housing_staff, life.main)
    for text in (REDISPATCH_NOTE, DISPATCH_NOTE, ASSESSMENT, NOTICE_HOUSING, RETURN_REASON, OPINION):
        assert text in html
    # The notice addressed to the unit before it is not the new lead unit's.
    assert NOTICE_LAND not in html
    assert ApiClient("unit-zjj").get(f"/api/v1/demands/{life.main.pk}").json()["assessment"] == ASSESSMENT


def test_a_co_unit_sees_no_notice_addressed_to_the_lead_unit(life):
    z = life.zone
    html = _page(z.tax_staff, life.main)
    assert NOTICE_HOUSING not in html and NOTICE_LAND not in html
    assert "notice" not in _timeline_actions(html)
    body = ApiClient("unit-sw").get(f"/api/v1/demands/{life.main.pk}").json()
    assert "notice" not in [e["action"] for e in body["events"]]
    # The notices panel agrees: the co-unit has none to show.
    assert 'id="h-notices"' not in html


def test_a_former_unit_reads_its_own_notice_and_return_not_the_new_units_internal_text(life):
    z = life.zone
    html = _page(z.land_staff, life.main)
    assert NOTICE_LAND in html and RETURN_REASON in html
    assert NOTICE_HOUSING not in html
    assert ASSESSMENT not in html and EXTEND_APPROVED not in html and CASE_NOTE not in html
    assert QUESTION in html and ANSWER in html


def test_the_unit_that_received_the_walk_in_reads_what_the_enterprise_reads(life):
    z = life.zone
    d = life.main
    d.refresh_from_db()
    as_intake = demand_detail_of(actor=z.intake_staff, demand=d)
    as_enterprise = demand_detail_of(actor=z.contact, demand=d)
    # The same entries; the enterprise also reads the reasons it gave itself (its reopen).
    assert [e.pk for e in as_intake.events] == [e.pk for e in as_enterprise.events]
    assert {e.reason for e in as_intake.events} - {""} == {QUESTION, ANSWER, COMMENT}
    assert REOPEN_REASON in {e.reason for e in as_enterprise.events}
    assert as_intake.readable("assessment") == ""


def test_supervisors_and_leaders_read_everything(life):
    z = life.zone
    everything = _events(life.main)
    for person in (z.supervisor, z.leader):
        detail = demand_get(actor=person, demand_id=life.main.pk)
        assert [(e.pk, e.reason, e.payload) for e in detail.events] == [
            (e.pk, e.reason, e.payload) for e in everything
        ]


def test_the_forms_say_which_text_the_enterprise_reads(zone):
    from tests.kit.walk import walk_to

    d = walk_to(zone, "in_progress")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(zone.land_staff)
    html = client.get(f"/demands/{d.pk}/").content.decode()

    def audience(field_id: str) -> str:
        label = re.search(rf'<label for="{field_id}">(.*?)</label>', html, re.S)
        assert label, field_id
        found = re.search(r'data-audience="(\w+)"', label.group(1))
        return found.group(1) if found else ""

    assert audience("id_assess_assessment") == "internal"
    assert audience("id_reply_reply") == "public"
    assert audience("id_wait_question") == "public"
    assert audience("id_return_reason") == "internal"
    assert audience("id_extend_reason") == "internal"
    # The enterprise is not told that what it writes is its own to read.
    client.force_login(zone.contact)
    act(zone, Action.WAIT, "land_staff", d)
    html = client.get(f"/demands/{d.pk}/").content.decode()
    assert 'id="id_resume_answer"' in html and "data-audience" not in html
