"""Commitments in place of missing papers (容缺受理 / 告知承诺制): a step that names a document
completes with it, or under a commitment where its template allows one; the commitment's
deadline is in working time and is swept like a demand's (reminder → yellow → red)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.landstart.models import Commitment, CommitmentState, RunStep, StepDocument
from mashang.landstart.services import landstart_award, landstart_step_complete
from mashang.landstart.services.commitments import (
    MSG_COMMITMENT_NOT_ALLOWED,
    MSG_DOCUMENT_REQUIRED,
    MSG_DOCUMENT_REQUIRED_NO_COMMITMENT,
    MSG_DUE_PAST,
    MSG_DUE_TOO_LATE,
    MSG_MAY_NOT_CANCEL,
    MSG_MAY_NOT_FULFIL,
    MSG_NOTHING_TO_PROMISE,
    CommitmentTerms,
    commitment_cancel,
    commitment_fulfil,
    commitments_sweep,
    day_end,
    working_days_end,
)
from mashang.notify.models import Notification
from mashang.org.models import User
from mashang.workcal.selectors import calendar_get
from tests.kit.clocks import CST
from tests.kit.landstart import OPENED, run_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: Thursday before the Dragon Boat Festival of 2026 (Friday 19 June, then the weekend).
AWARD = datetime(2026, 6, 18, 9, 30, tzinfo=CST)
#: The money branch up to the deed tax, minutes after the award.
TO_DEED_TAX = {"confirmation": 1, "land_contract": 2, "land_payment": 4}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str = "契税完税证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF)


def bare_run(bundle, *, minutes=TO_DEED_TAX):
    """A run whose steps have no documents on file, awarded, the steps in ``minutes`` done
    with their documents attached as they complete."""
    run = run_of(bundle, opened=OPENED, documents=False)
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=AWARD, at=AWARD)
    units = {"confirmation": "jyzx", "land_contract": "zrzy", "land_payment": "cz"}
    for code, m in minutes.items():
        landstart_step_complete(
            actor=bundle.people[units[code]],
            run_id=run.pk,
            step_code=code,
            at=AWARD + timedelta(minutes=m),
            documents=[pdf(f"{code}.pdf")],
        )
    return run


def step(run, code: str) -> RunStep:
    return RunStep.objects.get(run=run, code=code)


# --- the rule of completion ------------------------------------------------------------------


def test_a_step_naming_a_document_cannot_complete_without_it_and_completes_with_it(bundle, media):
    run = run_of(bundle, opened=OPENED, documents=False)
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=AWARD, at=AWARD)
    jyzx = bundle.people["jyzx"]
    with pytest.raises(ValidationFailed) as error:
        landstart_step_complete(actor=jyzx, run_id=run.pk, step_code="confirmation", at=AWARD)
    expected = str(MSG_DOCUMENT_REQUIRED_NO_COMMITMENT).format(document="成交确认书", step="成交确认书")
    assert error.value.fields == {"documents": [expected]}
    assert step(run, "confirmation").state == "active"

    # With the document in the same call it completes, and the event names the file.
    done = landstart_step_complete(
        actor=jyzx, run_id=run.pk, step_code="confirmation", at=AWARD + timedelta(seconds=15),
        documents=[pdf("成交确认书.pdf")],
    )
    assert done.state == "done"
    assert StepDocument.objects.get(step=done).original_name == "成交确认书.pdf"
    event = Event.objects.filter(subject_type="landstart", subject_id=run.pk).last()
    assert (event.action, event.payload["files"]) == ("complete", ["成交确认书.pdf"])


def test_a_document_staged_before_lets_the_step_complete(bundle, media):
    from mashang.landstart.services import landstart_document_attach

    run = run_of(bundle, opened=OPENED, documents=False)
    landstart_document_attach(actor=bundle.people["jyzx"], run_id=run.pk, step_code="confirmation",
                              files=[pdf("成交确认书.pdf")], at=OPENED)
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=AWARD, at=AWARD)
    done = landstart_step_complete(actor=bundle.people["jyzx"], run_id=run.pk, step_code="confirmation", at=AWARD)
    assert done.state == "done" and not Commitment.objects.exists()


def test_a_step_without_a_named_document_completes_as_before(bundle, media):
    run = bare_run(bundle)
    RunStep.objects.filter(run=run, code="deed_tax").update(document="")
    done = landstart_step_complete(actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax",
                                   at=AWARD + timedelta(minutes=6))
    assert done.state == "done" and not Commitment.objects.exists()


def test_a_step_naming_no_document_takes_no_commitment(bundle, media):
    """Nothing is missing, so nothing can be promised: no tracked promise of an empty document
    for the sweep to raise notices about."""
    run = bare_run(bundle)
    RunStep.objects.filter(run=run, code="deed_tax").update(document="", allows_commitment=True)
    with pytest.raises(ValidationFailed) as error:
        landstart_step_complete(actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax",
                                at=AWARD + timedelta(minutes=6),
                                commitment=CommitmentTerms(promised_by="甲企业有限公司 张三", working_days=2))
    assert error.value.fields["commitment"] == [str(MSG_NOTHING_TO_PROMISE).format(step="契税")]
    assert step(run, "deed_tax").state == "active" and not Commitment.objects.exists()


def test_under_a_commitment_only_where_the_template_allows_it(bundle, media):
    run = bare_run(bundle, minutes={"confirmation": 1, "land_contract": 2})
    at = AWARD + timedelta(minutes=3)
    terms = CommitmentTerms(promised_by="甲企业有限公司 张三", working_days=2)
    # The land price's voucher never follows later: refused, the file field says what to do.
    with pytest.raises(ValidationFailed) as error:
        landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment", at=at,
                                commitment=terms)
    message = str(MSG_COMMITMENT_NOT_ALLOWED).format(step="土地出让金缴纳", document="土地出让金缴款凭证")
    assert error.value.fields["commitment"] == [message]
    assert step(run, "land_payment").state == "active" and not Commitment.objects.exists()
    # Where it is allowed, refusing without one names both ways.
    landstart_step_complete(actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment", at=at,
                            documents=[pdf()])
    with pytest.raises(ValidationFailed) as error:
        landstart_step_complete(actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax", at=at)
    assert error.value.fields == {
        "documents": [str(MSG_DOCUMENT_REQUIRED).format(document="契税完税证明", step="契税")]
    }


def test_a_commitments_deadline_is_in_working_time_skipping_a_weekend_and_a_holiday(bundle, media):
    run = bare_run(bundle)
    at = AWARD + timedelta(minutes=6)  # Thursday 18 June 2026, 09:36
    sw = bundle.people["sw"]
    # Friday 19 June is the Dragon Boat Festival, then the weekend: one working day from
    # Thursday morning ends on Monday 22 June at the close of office hours.
    done = landstart_step_complete(
        actor=sw, run_id=run.pk, step_code="deed_tax", at=at,
        commitment=CommitmentTerms(promised_by="甲企业有限公司 张三", working_days=1),
    )
    assert done.state == "done" and step(run, "title").state == "active"
    [c] = Commitment.objects.all()
    assert (c.step_id, c.document, c.promised_by, c.state) == (done.pk, "契税完税证明", "甲企业有限公司 张三", "open")
    assert c.due_at == datetime(2026, 6, 22, 17, 30, tzinfo=CST)
    assert (c.made_at, c.made_by) == (at, sw)
    make = Event.objects.get(subject_type="landstart_commitment", subject_id=c.pk)
    assert make.action == "make" and make.payload["due_at"] == "2026-06-22T17:30:00+08:00"
    complete = Event.objects.filter(subject_type="landstart", subject_id=run.pk).last()
    assert complete.payload["commitment"] == c.pk


def test_the_promised_date_must_be_later_than_now_and_within_the_steps_limit(bundle, media):
    run = bare_run(bundle)
    at = AWARD + timedelta(minutes=6)
    sw = bundle.people["sw"]

    def refused(**terms):
        with pytest.raises(ValidationFailed) as error:
            landstart_step_complete(actor=sw, run_id=run.pk, step_code="deed_tax", at=at,
                                    commitment=CommitmentTerms(promised_by="张三", **terms))
        return error.value.fields

    assert refused(due_at=at - timedelta(minutes=1)) == {"due_at": [str(MSG_DUE_PAST)]}
    # Five working days from Thursday 18 June (the holiday and the weekend skipped): Friday 26
    # June at 17:30 is the latest; Monday 29 June is too late.
    latest = datetime(2026, 6, 26, 17, 30, tzinfo=CST)
    too_late = str(MSG_DUE_TOO_LATE).format(step="契税", days=5, latest="2026-06-26 17:30")
    assert refused(due_on=date(2026, 6, 29)) == {"due_at": [too_late]}
    assert refused(due_at=latest + timedelta(minutes=1)) == {"due_at": [too_late]}
    assert set(refused(working_days=6)) == {"working_days"}
    assert step(run, "deed_tax").state == "active" and not Commitment.objects.exists()
    landstart_step_complete(actor=sw, run_id=run.pk, step_code="deed_tax", at=at,
                            commitment=CommitmentTerms(promised_by="张三", due_on=date(2026, 6, 26)))
    assert Commitment.objects.get().due_at == latest


def test_who_promised_is_required(bundle, media):
    run = bare_run(bundle)
    with pytest.raises(ValidationFailed) as error:
        landstart_step_complete(actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax",
                                at=AWARD + timedelta(minutes=6),
                                commitment=CommitmentTerms(promised_by="  ", working_days=1))
    assert set(error.value.fields) == {"promised_by"}


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)),
    days=st.integers(min_value=1, max_value=15),
)
def test_working_days_end_is_the_close_of_a_working_day_that_many_working_days_on(db, start, days):
    cal = calendar_get()
    at = start.replace(tzinfo=CST)
    due = working_days_end(cal, at, days)
    local = due.astimezone(CST)
    assert cal.is_working_day(local.date()) and due == day_end(cal, local.date())
    # As much working time from ``at`` as the days give, and less than a day more.
    between = cal.working_time_between(at, due)
    assert days * cal.day_length <= between < (days + 1) * cal.day_length


# --- the sweep ---------------------------------------------------------------------------------


def promised(bundle, media_, **terms) -> Commitment:
    run = bare_run(bundle)
    landstart_step_complete(
        actor=bundle.people["sw"], run_id=run.pk, step_code="deed_tax", at=AWARD + timedelta(minutes=6),
        commitment=CommitmentTerms(promised_by="甲企业有限公司 张三", **terms),
    )
    return Commitment.objects.get()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=CST)


def test_the_sweep_raises_reminder_then_yellow_then_red_once_each(bundle, media):
    c = promised(bundle, media, working_days=1)  # due Monday 22 June 17:30
    officer = bundle.zone.officer

    def sweep(when: datetime) -> str:
        commitments_sweep(now=when)
        c.refresh_from_db()
        return c.notice_level

    assert sweep(at(18, 12)) == ""  # Thursday: a working day and more left
    assert sweep(at(22, 8)) == ""  # Monday before office hours: exactly one working day left
    assert commitments_sweep(now=at(22, 9)) == 1  # less than a working day left
    c.refresh_from_db()
    assert (c.notice_level, c.noticed_at) == ("reminder", at(22, 9))
    assert commitments_sweep(now=at(22, 11)) == 0  # raised once
    assert sweep(at(22, 17, 29)) == "reminder"
    assert sweep(at(22, 17, 30)) == "yellow"  # the due time passed
    assert commitments_sweep(now=at(23, 17, 30)) == 0
    assert sweep(at(24, 17)) == "yellow"  # not yet two working days overdue
    assert sweep(at(24, 17, 30)) == "red"
    assert commitments_sweep(now=at(30, 9)) == 0 and commitments_sweep(now=datetime(2026, 8, 1, 9, tzinfo=CST)) == 0

    notices = list(Event.objects.filter(subject_type="landstart_commitment", subject_id=c.pk, action="notice"))
    assert [e.payload["level"] for e in notices] == ["reminder", "yellow", "red"]
    assert [e.at for e in notices] == [at(22, 9), at(22, 17, 30), at(24, 17, 30)]
    for kind in ("landstart.commitment_due", "landstart.commitment_overdue", "landstart.commitment_red"):
        told = Notification.objects.filter(kind=kind, channel="inbox")
        assert {n.recipient for n in told} == {bundle.people["sw"], officer}, kind
        assert all("契税完税证明" in n.subject and "XM-2026-0001" in n.subject for n in told)


def test_a_sweep_that_finds_a_level_skipped_raises_only_the_highest(bundle, media):
    c = promised(bundle, media, working_days=1)
    assert commitments_sweep(now=at(29, 9)) == 1
    c.refresh_from_db()
    assert c.notice_level == "red"
    assert Notification.objects.filter(kind__startswith="landstart.commitment").values_list(
        "kind", flat=True
    ).distinct().get() == "landstart.commitment_red"


def test_fulfilling_stops_the_sweep(bundle, media):
    c = promised(bundle, media, working_days=1)
    assert commitments_sweep(now=at(22, 9)) == 1
    fulfilled = commitment_fulfil(actor=bundle.people["sw"], commitment_id=c.pk, files=[pdf()], at=at(22, 10))
    assert fulfilled.state == CommitmentState.FULFILLED and fulfilled.fulfilled_at == at(22, 10)
    assert fulfilled.fulfilled_by == bundle.people["sw"]
    assert fulfilled.fulfilled_document.step_id == c.step_id
    assert fulfilled.fulfilled_document.original_name == "契税完税证明.pdf"
    assert commitments_sweep(now=at(22, 18)) == 0 and commitments_sweep(now=at(30, 9)) == 0
    c.refresh_from_db()
    assert c.notice_level == "reminder"


def test_the_promised_document_attached_to_the_step_fulfils_the_commitment(bundle, media):
    """The unit that files the document on the step itself (not through the commitments page)
    has kept the promise: no yellow card follows."""
    from mashang.landstart.services.documents import landstart_document_attach

    c = promised(bundle, media, working_days=1)
    landstart_document_attach(actor=bundle.people["sw"], run_id=c.step.run_id, step_code=c.step.code,
                              files=[pdf()], at=at(22, 10))
    c.refresh_from_db()
    assert c.state == CommitmentState.FULFILLED and c.fulfilled_at == at(22, 10)
    assert c.fulfilled_document.original_name == "契税完税证明.pdf"
    assert commitments_sweep(now=at(30, 9)) == 0
    assert Event.objects.filter(subject_id=c.pk, action="fulfil").count() == 1


# --- who may ------------------------------------------------------------------------------------


def test_fulfil_by_the_steps_unit_or_the_service_team_and_cancel_by_the_service_team(bundle, media):
    c = promised(bundle, media, working_days=2)
    with pytest.raises(PermissionDenied) as error:
        commitment_fulfil(actor=bundle.people["cz"], commitment_id=c.pk, files=[pdf()])
    assert error.value.message == str(MSG_MAY_NOT_FULFIL).format(unit="税务分局")
    for outsider in (bundle.zone.land_staff, bundle.zone.supervisor):
        with pytest.raises(PermissionDenied) as error:
            commitment_cancel(actor=outsider, commitment_id=c.pk, reason="x")
        assert error.value.message == str(MSG_MAY_NOT_CANCEL)
    with pytest.raises(ValidationFailed):
        commitment_cancel(actor=bundle.zone.officer, commitment_id=c.pk, reason=" ")
    cancelled = commitment_cancel(actor=bundle.zone.officer, commitment_id=c.pk, reason="企业已当场补交")
    assert cancelled.state == "cancelled" and cancelled.version == 2
    assert commitments_sweep(now=at(30, 9)) == 0
    with pytest.raises(TransitionNotAllowed):
        commitment_fulfil(actor=bundle.zone.officer, commitment_id=c.pk, files=[pdf()])
    event = Event.objects.filter(subject_type="landstart_commitment", subject_id=c.pk).last()
    assert (event.action, event.reason) == ("cancel", "企业已当场补交")


def test_the_service_team_may_record_the_promised_document(bundle, media):
    c = promised(bundle, media, working_days=2)
    done = commitment_fulfil(actor=bundle.zone.officer, commitment_id=c.pk, files=[pdf()], version=1)
    assert done.state == "fulfilled" and done.fulfilled_by == bundle.zone.officer


def test_an_enterprise_that_does_not_follow_the_run_cannot_find_the_commitment(bundle, media):
    from mashang.core.errors import NotFound

    c = promised(bundle, media, working_days=2)
    with pytest.raises(NotFound):
        commitment_fulfil(actor=bundle.zone.other_contact, commitment_id=c.pk, files=[pdf()])


# --- the API ----------------------------------------------------------------------------------


def test_the_api_round_trip(bundle, api, media):
    run = bare_run(bundle)
    with time_machine.travel(AWARD + timedelta(minutes=6), tick=False):
        sw = api("unit-sw")
        path = f"/api/v1/landstarts/{run.pk}/steps/deed_tax/complete"
        refused = sw.post(path, {})
        assert refused.status_code == 422
        assert refused.json()["fields"]["documents"] == [
            str(MSG_DOCUMENT_REQUIRED).format(document="契税完税证明", step="契税")
        ]
        response = sw.post(path, {"commitment": {"promised_by": "张三", "working_days": 1}})
        assert response.status_code == 200, response.content
        assert {s["code"]: s["state"] for s in response.json()["steps"]}["deed_tax"] == "done"

        listed = api("supervisor").get("/api/v1/landstart-commitments")
        assert listed.status_code == 200
        [row] = listed.json()["results"]
        assert (row["step"], row["unit"], row["document"], row["promised_by"], row["state"], row["overdue"]) == (
            "deed_tax", "sw", "契税完税证明", "张三", "open", False,
        )
        assert row["due_at"] == "2026-06-22T17:30:00+08:00"
        assert api("unit-sw").get("/api/v1/landstart-commitments").json()["count"] == 1
        assert api("unit-cz").get("/api/v1/landstart-commitments").json()["count"] == 0
        assert api("ent-a").get("/api/v1/landstart-commitments").status_code == 403
        assert api("ent-a").get(f"/api/v1/landstart-commitments/{row['id']}").status_code == 200
        assert api("ent-b").get(f"/api/v1/landstart-commitments/{row['id']}").status_code == 404

    with time_machine.travel(at(23, 9), tick=False):
        overdue = api("officer").get("/api/v1/landstart-commitments", overdue="true", unit="sw")
        assert [r["id"] for r in overdue.json()["results"]] == [row["id"]]
        assert overdue.json()["results"][0]["overdue"] is True
        assert api("officer").get("/api/v1/landstart-commitments", unit="cz").json()["count"] == 0
        client = api("unit-sw")
        fulfil = client.client.post(
            f"/api/v1/landstart-commitments/{row['id']}/fulfil", {"files": [pdf()]}, headers=client.headers
        )
        assert fulfil.status_code == 200, fulfil.content
        assert fulfil.json()["state"] == "fulfilled" and fulfil.json()["fulfilled_document"]
        assert api("officer").get("/api/v1/landstart-commitments").json()["count"] == 0
        closed = api("officer").get("/api/v1/landstart-commitments", open="false").json()
        assert [r["state"] for r in closed["results"]] == ["fulfilled"]
        again = api("officer").post(f"/api/v1/landstart-commitments/{row['id']}/cancel", {"reason": "x"})
        assert again.status_code == 409


def test_the_api_refuses_a_commitment_where_the_template_does_not_allow_it(bundle, api, media):
    run = bare_run(bundle, minutes={"confirmation": 1, "land_contract": 2})
    with time_machine.travel(AWARD + timedelta(minutes=4), tick=False):
        response = api("unit-cz").post(
            f"/api/v1/landstarts/{run.pk}/steps/land_payment/complete",
            {"commitment": {"promised_by": "张三", "working_days": 1}},
        )
    assert response.status_code == 422 and "commitment" in response.json()["fields"]
    assert not Commitment.objects.exists()


# --- pages -----------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_project_page_shows_its_open_and_fulfilled_commitments(bundle, media):
    c = promised(bundle, media, working_days=1)
    page = client_for(bundle.zone.officer).get(f"/projects/{bundle.project.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    section = html[html.index('id="project-commitments"'):]
    assert "契税完税证明" in section and "甲企业有限公司 张三" in section and "2026-06-22 17:30" in section
    commitment_fulfil(actor=bundle.people["sw"], commitment_id=c.pk, files=[pdf()], at=at(22, 10))
    html = client_for(bundle.zone.contact).get(f"/projects/{bundle.project.pk}/").content.decode()
    section = html[html.index('id="project-commitments"'):]
    assert "契税完税证明" in section and "2026-06-22 10:00" in section


def test_the_board_completes_under_a_commitment_and_shows_it_open(bundle, media):
    run = bare_run(bundle)
    sw = client_for(bundle.people["sw"])
    with time_machine.travel(AWARD + timedelta(minutes=6), tick=False):
        board = sw.get(f"/landstart/{run.pk}/").content.decode()
        form = board[board.index('id="action-deed_tax-complete"'):]
        form = form[: form.index("</form>")]
        assert 'type="file"' in form and 'name="deed_tax-complete-promised_by"' in form
        refused = sw.post(f"/landstart/{run.pk}/steps/deed_tax/complete/", {}, headers={"HX-Request": "true"})
        assert refused.status_code == 422
        assert escape(str(MSG_DOCUMENT_REQUIRED).format(document="契税完税证明", step="契税")) in refused.content.decode()
        done = sw.post(
            f"/landstart/{run.pk}/steps/deed_tax/complete/",
            {"deed_tax-complete-promised_by": "张三", "deed_tax-complete-due_on": "2026-06-22"},
            headers={"HX-Request": "true"},
        )
        assert done.status_code == 200, done.content.decode()[:2000]
    assert Commitment.objects.get().due_at == at(22, 17, 30)
    with time_machine.travel(at(23, 9), tick=False):
        html = client_for(bundle.zone.leader).get(f"/landstart/{run.pk}/").content.decode()
    card = html[html.index('id="step-deed_tax"'):]
    card = card[: card.index("</li>\n")] if "</li>\n" in card else card
    assert "张三" in card and re.search(r"commitment-overdue", card)


def test_the_commitments_page_lists_sorts_and_exports(bundle, media):
    c = promised(bundle, media, working_days=1)
    with time_machine.travel(at(23, 9), tick=False):
        officer = client_for(bundle.zone.officer)
        page = officer.get("/landstart/commitments/")
        html = page.content.decode()
        assert page.status_code == 200 and "契税完税证明" in html and "XM-2026-0001" in html
        assert "commitment-overdue" in html
        assert officer.get("/landstart/commitments/?order=-due").status_code == 200
        export = officer.get("/landstart/commitments/export.xlsx")
        assert export.status_code == 200
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
        from io import BytesIO

        from openpyxl import load_workbook

        ws = load_workbook(BytesIO(export.content)).active
        values = [cell for row in ws.iter_rows(values_only=True) for cell in row]
        assert "契税完税证明" in values and "张三" not in values and "甲企业有限公司 张三" in values
        assert client_for(bundle.people["sw"]).get("/landstart/commitments/").content.decode().count(
            f'data-commitment="{c.pk}"'
        ) == 1
        assert f'data-commitment="{c.pk}"' not in client_for(bundle.people["cz"]).get(
            "/landstart/commitments/"
        ).content.decode()
        assert client_for(bundle.zone.contact).get("/landstart/commitments/").status_code == 403


# --- the templates say which steps allow a commitment ---------------------------------------------


def test_the_default_bundle_allows_a_commitment_for_the_deed_tax_and_the_title_only(bundle):
    allowed = {
        s.code: s.commitment_working_days for s in bundle.template.steps.all() if s.allows_commitment
    }
    assert allowed == {"deed_tax": 5, "title": 10}
    run = run_of(bundle, opened=OPENED, documents=False)
    copied = {s.code: (s.allows_commitment, s.commitment_working_days) for s in run.steps.all()}
    assert copied["title"] == (True, 10) and copied["construction_permit"][0] is False


def test_the_template_editor_marks_the_steps_that_allow_a_commitment(bundle):
    c = client_for(bundle.zone.officer)
    editor = c.get("/landstart/templates/default/edit/").content.decode()
    # The default's deed tax (row 3) comes with its box ticked and its 5 days.
    assert re.search(r'name="s3-allows_commitment"[^>]*checked', editor)
    assert 'name="s3-commitment_working_days" value="5"' in editor
    data = {"rows": "2", "code": "", "name": "两步包", "award_unit": "jyzx", "note": "", "do": "save"}
    steps = [
        {"code": "a", "name": "甲", "unit": "jyzx", "expected_minutes": "1", "document": "甲证"},
        {"code": "b", "name": "乙", "unit": "zrzy", "prerequisites": "a", "expected_minutes": "2",
         "document": "乙证", "allows_commitment": "on", "commitment_working_days": "3"},
    ]
    for i, s in enumerate(steps):
        for key, value in s.items():
            data[f"s{i}-{key}"] = value
    response = c.post("/landstart/templates/default/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = bundle.template.__class__.objects.filter(code="default").order_by("-version").first()
    saved = {s.code: (s.allows_commitment, s.commitment_working_days) for s in latest.steps.all()}
    assert saved == {"a": (False, 10), "b": (True, 3)}
    page = c.get("/landstart/templates/default/").content.decode()
    assert 'data-step="b"' in page


def test_the_board_offers_no_commitment_where_the_template_allows_none(bundle, media):
    run = bare_run(bundle, minutes={"confirmation": 1, "land_contract": 2})
    with time_machine.travel(AWARD + timedelta(minutes=3), tick=False):
        board = client_for(bundle.people["cz"]).get(f"/landstart/{run.pk}/").content.decode()
    form = board[board.index('id="action-land_payment-complete"'):]
    form = form[: form.index("</form>")]
    assert 'type="file"' in form and "promised_by" not in form and "土地出让金缴款凭证" in form


def test_a_step_whose_document_is_on_file_completes_in_one_click(bundle, media):
    run = run_of(bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 1})
    with time_machine.travel(AWARD + timedelta(minutes=2), tick=False):
        zrzy = client_for(bundle.zone.land_staff)
        board = zrzy.get(f"/landstart/{run.pk}/").content.decode()
        form = board[board.index('id="action-land_contract-complete"') - 200:]
        form = form[: form.index("</form>")]
        assert "<details" not in form and 'type="file"' not in form
        done = zrzy.post(f"/landstart/{run.pk}/steps/land_contract/complete/", {}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and step(run, "land_contract").state == "done"


def test_the_unit_records_the_promised_document_from_the_list(bundle, media):
    c = promised(bundle, media, working_days=1)
    sw = client_for(bundle.people["sw"])
    with time_machine.travel(at(22, 10), tick=False):
        response = sw.post(f"/landstart/commitments/{c.pk}/fulfil/", {"files": [pdf()]})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == "fulfilled" and c.fulfilled_at == at(22, 10)
    # Finance may not; the list says why and nothing changes.
    response = client_for(bundle.people["cz"]).post(f"/landstart/commitments/{c.pk}/cancel/", {"reason": "x"}, follow=True)
    assert escape(str(MSG_MAY_NOT_CANCEL)) in response.content.decode()


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    due=st.datetimes(min_value=datetime(2026, 1, 5), max_value=datetime(2026, 12, 1)),
    a=st.integers(min_value=-20 * 24 * 60, max_value=20 * 24 * 60),
    b=st.integers(min_value=0, max_value=20 * 24 * 60),
)
def test_the_level_a_due_time_reached_only_rises_as_time_goes_on(db, due, a, b):
    from mashang.landstart.services.commitments import LEVEL_RANK, level_reached, sweep_bounds

    cal = calendar_get()
    due_at = due.replace(tzinfo=CST)
    earlier = due_at + timedelta(minutes=a)
    later = earlier + timedelta(minutes=b)
    first = level_reached(due_at, sweep_bounds(cal, earlier))
    second = level_reached(due_at, sweep_bounds(cal, later))
    assert LEVEL_RANK[first] <= LEVEL_RANK[second]
    # Yellow or red exactly when the due time has passed; red never before it.
    assert (LEVEL_RANK[second] >= 2) == (due_at <= later)
