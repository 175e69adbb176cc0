"""Documents a unit stages for its step: checked like a demand's files, served only to people
who may see the run."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.landstart.models import Run, StepDocument
from mashang.landstart.services import landstart_document_attach
from mashang.landstart.services.documents import MSG_NOT_YOUR_DOCUMENT
from tests.kit.landstart import OPENED, run_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(client, run_id: int, step: str, *files):
    return client.client.post(
        f"/api/v1/landstarts/{run_id}/steps/{step}/documents", {"files": list(files)}, headers=client.headers
    )


def test_a_unit_stages_its_document_and_the_investor_may_download_it(bundle, api, media):
    run = run_of(bundle, opened=OPENED, documents=False)
    zrzy = api("unit-zrzy")
    response = _upload(zrzy, run.pk, "land_use_permit", SimpleUploadedFile("规划条件.pdf", PDF))
    assert response.status_code == 200, response.content
    step = next(s for s in response.json()["steps"] if s["code"] == "land_use_permit")
    [document] = step["documents"]
    assert (document["name"], document["content_type"], document["size"]) == ("规划条件.pdf", "application/pdf", len(PDF))
    stored = StepDocument.objects.get()
    assert stored.file.name.startswith("landstart/") and "规划" not in stored.file.name

    download = api("ent-a").get(document["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api("ent-b").get(document["url"]).status_code == 404
    assert api("unit-cz").get(f"/api/v1/landstarts/{run.pk}/documents/999").status_code == 404

    event = Event.objects.filter(subject_type="landstart", subject_id=run.pk).last()
    assert (event.action, event.payload) == ("attach", {"step": "land_use_permit", "files": ["规划条件.pdf"]})
    assert Run.objects.get(pk=run.pk).version == 2


def test_only_the_steps_unit_attaches_and_only_allowed_files(bundle, media):
    run = run_of(bundle, opened=OPENED, documents=False)
    with pytest.raises(PermissionDenied) as error:
        landstart_document_attach(actor=bundle.people["cz"], run_id=run.pk, step_code="title",
                                  files=[SimpleUploadedFile("a.pdf", PDF)])
    assert error.value.message == str(MSG_NOT_YOUR_DOCUMENT).format(unit="自然资源分局", step="不动产权证书")
    with pytest.raises(ValidationFailed):
        landstart_document_attach(actor=bundle.zone.land_staff, run_id=run.pk, step_code="title",
                                  files=[SimpleUploadedFile("a.exe", b"MZ")])
    with pytest.raises(ValidationFailed):
        landstart_document_attach(actor=bundle.zone.land_staff, run_id=run.pk, step_code="title",
                                  files=[SimpleUploadedFile("fake.pdf", b"<html>")])
    assert StepDocument.objects.count() == 0 and Run.objects.get(pk=run.pk).version == 1
