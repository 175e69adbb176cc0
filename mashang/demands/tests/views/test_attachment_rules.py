"""The attachment service itself: who may add files, and that a refusal stores nothing."""

from __future__ import annotations

import pytest

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.core.files import attachment_problem
from mashang.demands.models import Attachment, Demand, Status
from mashang.demands.services.attachments import demand_attach
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


def test_a_unit_may_not_add_files_and_another_enterprise_cannot_see_the_demand(zone, media):
    demand = walk_to(zone, Status.DISPATCHED)
    with pytest.raises(PermissionDenied):
        demand_attach(actor=zone.land_staff, demand_id=demand.pk, files=[pdf()])
    with pytest.raises(NotFound):
        demand_attach(actor=zone.other_contact, demand_id=demand.pk, files=[pdf()])
    assert Attachment.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*"))


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
