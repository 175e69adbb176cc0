"""The attachment service itself: who may add files and when, the step and unit each file keeps,
and that a refusal stores nothing."""

from __future__ import annotations

import pytest

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.core.files import attachment_problem
from mashang.demands.models import Attachment, Demand, Status
from mashang.demands.services.attachments import MSG_CLOSED, demand_attach
from mashang.demands.tests.views.files import docx, pdf, png
from tests.kit.walk import submit, walk_to

pytestmark = pytest.mark.django_db


def test_files_are_added_with_one_event_and_one_version(zone):
    demand = submit(zone)
    added = demand_attach(actor=zone.officer, demand_id=demand.pk, files=[pdf(), png()])
    stored = Demand.objects.get(pk=demand.pk)
    events = Event.objects.filter(subject_type="demand", subject_id=demand.pk)
    assert len(added) == 2 and stored.version == events.count() == 2
    assert {a.content_type for a in added} == {"application/pdf", "image/png"}
    event = events.latest("id")
    assert event.payload["files"] == ["宗地图.pdf", "现场照片.png"]
    assert event.payload["step"] == "attach"
    assert event.payload["attachments"] == [a.pk for a in added]


def test_the_enterprise_adds_supplementary_material_to_its_own_demand_at_any_open_step(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    (added,) = demand_attach(actor=zone.contact, demand_id=demand.pk, files=[pdf()])
    assert (added.step, added.unit, added.uploaded_by) == ("attach", None, zone.contact)


def test_the_lead_unit_and_a_co_unit_attach_theirs_under_their_unit(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    (permit,) = demand_attach(
        actor=zone.land_staff, demand_id=demand.pk, files=[pdf("批文.pdf")], step="reply"
    )
    (opinion,) = demand_attach(
        actor=zone.housing_staff, demand_id=demand.pk, files=[docx()], step="opinion"
    )
    assert (permit.unit, permit.step) == (zone.land, "reply")
    assert (opinion.unit, opinion.step) == (zone.housing, "opinion")
    event = Event.objects.filter(subject_type="demand", subject_id=demand.pk).latest("id")
    assert event.payload["step"] == "opinion" and event.payload["files"] == ["说明.docx"]


def test_another_enterprise_a_unit_no_longer_current_and_a_supervisor_may_not(zone, media):
    demand = walk_to(zone, Status.RETURNED)  # the lead unit sent it back: no longer current
    with pytest.raises(PermissionDenied):
        demand_attach(actor=zone.land_staff, demand_id=demand.pk, files=[pdf()])
    with pytest.raises(PermissionDenied):
        demand_attach(actor=zone.supervisor, demand_id=demand.pk, files=[pdf()])
    with pytest.raises(NotFound):
        demand_attach(actor=zone.other_contact, demand_id=demand.pk, files=[pdf()])
    undispatched = submit(zone)
    with pytest.raises(NotFound):
        demand_attach(actor=zone.housing_staff, demand_id=undispatched.pk, files=[pdf()])
    assert Attachment.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*"))


@pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN])
def test_a_closed_or_withdrawn_demand_takes_no_more_files(zone, media, status):
    demand = walk_to(zone, status)
    with pytest.raises(ValidationFailed) as refused:
        demand_attach(actor=zone.contact, demand_id=demand.pk, files=[pdf()])
    assert refused.value.message == str(MSG_CLOSED).format(status=Status(status).label)
    assert refused.value.fields["attachments"]
    assert Attachment.objects.count() == 0
    assert Demand.objects.get(pk=demand.pk).version == demand.version


def test_one_refused_file_refuses_them_all(zone):
    demand = submit(zone)
    with pytest.raises(ValidationFailed) as refused:
        demand_attach(
            actor=zone.contact, demand_id=demand.pk, files=[pdf(), pdf("x.pdf", b"GIF89a")]
        )
    assert refused.value.fields["attachments"]
    assert Attachment.objects.count() == 0 and Demand.objects.get(pk=demand.pk).version == 1


def test_the_extension_and_the_content_must_agree():
    assert attachment_problem(pdf("a.PDF")) is None
    assert attachment_problem(png("a.jpg")) is not None
    assert attachment_problem(docx("a.docx")) is None
    assert attachment_problem(docx("a.xlsx")) is not None
    assert attachment_problem(pdf("no-extension")) is not None


def test_the_api_takes_files_from_the_current_units_and_refuses_a_former_one(zone, api):
    demand = walk_to(zone, Status.IN_PROGRESS)
    path = f"/api/v1/demands/{demand.pk}/attachments"
    lead = api("unit-zrzy")
    response = lead.client.post(path, {"files": [pdf("批文.pdf"), png()]}, headers=lead.headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(f["name"], f["step"], f["unit"]) for f in body] == [
        ("批文.pdf", "attach", "zrzy"),
        ("现场照片.png", "attach", "zrzy"),
    ]
    returned = walk_to(zone, Status.RETURNED)
    response = lead.client.post(
        f"/api/v1/demands/{returned.pk}/attachments", {"files": [pdf()]}, headers=lead.headers
    )
    assert response.status_code == 403 and response.json()["message"]
    bad = lead.client.post(path, {"files": [pdf("x.pdf", b"GIF89a")]}, headers=lead.headers)
    assert bad.status_code == 422 and bad.json()["fields"]["attachments"]
