"""Files at any step on the demand page: with the first contact, the assessment, the reply and
the enterprise's answer; added later; shown at their step; and kept through a failed try."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mashang.audit.models import Event
from mashang.core.models import PendingUpload
from mashang.core.uploads import held_uploads_purge, uploads_hold
from mashang.demands.models import Attachment, Demand, Status
from mashang.demands.tests.views.files import docx, pdf, png
from tests.kit.walk import walk_to

pytestmark = pytest.mark.django_db

NEW = reverse("demands:new")


def act_url(demand, action: str) -> str:
    return reverse("demands:act", args=[demand.pk, action])


def detail_url(demand) -> str:
    return reverse("demands:detail", args=[demand.pk])


def kept(html: str) -> dict[str, str]:
    """The files a page lists as kept from the last try: held id → file name."""
    return dict(re.findall(r'<input type="checkbox" name="held" value="(\d+)"[^>]*checked[^>]*>\s*([^<]+)</label>', html))


def events_of(demand) -> list[str]:
    return list(
        Event.objects.filter(subject_type="demand", subject_id=demand.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


RESPOND = {"note": "已电话联系", "method": "phone", "contact_with": "李经理"}


@pytest.mark.parametrize(
    ("status", "action", "person", "fields"),
    [
        (Status.DISPATCHED, "respond", "land_staff", RESPOND),
        (Status.IN_PROGRESS, "assess", "land_staff", {"assessment": "以 2025 年批复为准"}),
        (Status.IN_PROGRESS, "reply", "land_staff", {"reply": "见书面答复"}),
        (Status.WAITING, "resume", "contact", {"answer": "宗地图见附件"}),
    ],
)
def test_a_file_comes_with_the_move_at_its_step(zone, as_, status, action, person, fields):
    demand = walk_to(zone, status)
    response = as_(person).post(
        act_url(demand, action), {"version": demand.version, **fields, "attachments": [pdf("书面答复.pdf")]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (file,) = Attachment.objects.filter(demand=demand)
    assert file.step == action and file.original_name == "书面答复.pdf"
    assert file.unit == (zone.land if person == "land_staff" else None)
    assert events_of(demand)[-2:] == [action, "attach"]


def test_the_enterprise_answers_a_question_with_a_file_and_the_unit_downloads_it_at_that_step(zone, as_):
    demand = walk_to(zone, Status.WAITING)
    as_("contact").post(
        act_url(demand, "resume"),
        {"version": demand.version, "answer": "宗地图见附件", "attachments": [pdf()]},
    )
    file = Attachment.objects.get(demand=demand)
    html = as_("land_staff").get(detail_url(demand)).content.decode()
    timeline = html[html.index('id="h-timeline"') :]
    # One entry for the answer, carrying its file; no separate "attach files" entry.
    entry = timeline[: timeline.index("</li>", timeline.index("宗地图见附件"))]
    entry = entry[entry.rindex("<li>") :]
    download = reverse("demands:attachment", args=[demand.pk, file.pk])
    assert f'href="{download}"' in entry and "宗地图.pdf" in entry
    assert "Attach files" not in timeline
    response = as_("land_staff").get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    # The files panel says who filed it and at which step.
    panel = html[html.index('id="h-files"') : html.index('id="h-timeline"')]
    assert zone.enterprise.name in panel and "宗地图.pdf" in panel


def test_the_files_panel_groups_by_who_and_step(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    as_("land_staff").post(
        act_url(demand, "reply"), {"version": demand.version, "reply": "见批文", "attachments": [pdf("批文.pdf")]}
    )
    as_("contact").post(act_url(demand, "attach"), {"attachments": [png()]})
    html = as_("contact").get(detail_url(demand)).content.decode()
    panel = html[html.index('id="h-files"') : html.index('id="h-timeline"')]
    groups = re.findall(r'<h3 class="file-group">([^<]+)', panel)
    assert [g.strip() for g in groups] == [zone.land.name, zone.enterprise.name]
    assert panel.index("批文.pdf") < panel.index(zone.enterprise.name) < panel.index("现场照片.png")


def test_the_enterprise_adds_files_later_but_not_to_a_closed_demand(zone, as_):
    demand = walk_to(zone, Status.REPLIED)
    client = as_("contact")
    assert 'id="action-attach"' in client.get(detail_url(demand)).content.decode()
    response = client.post(act_url(demand, "attach"), {"attachments": [docx()]})
    assert response.status_code == 302
    assert Attachment.objects.get(demand=demand).step == "attach"
    assert Demand.objects.get(pk=demand.pk).status == Status.REPLIED

    closed = walk_to(zone, Status.CLOSED)
    assert 'id="action-attach"' not in client.get(detail_url(closed)).content.decode()
    response = client.post(act_url(closed, "attach"), {"attachments": [pdf()]})
    assert response.status_code == 422
    assert "no more files can be added" in response.content.decode()
    assert not Attachment.objects.filter(demand=closed).exists()
    # A unit not dispatched to it sees no such form either.
    assert 'id="action-attach"' not in as_("supervisor").get(detail_url(demand)).content.decode()


def test_a_refused_file_undoes_the_move(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    # Three files kept from a failed try and three new ones: six, one more than a form takes.
    held = uploads_hold(actor=zone.land_staff, files=[pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf")])
    response = as_("land_staff").post(
        act_url(demand, "reply"),
        {
            "version": demand.version,
            "reply": "见附件",
            "held": [h.pk for h in held],
            "attachments": [pdf("4.pdf"), pdf("5.pdf"), png()],
        },
    )
    assert response.status_code == 422
    assert "Attach at most 5 files." in response.content.decode()
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.status, stored.reply, stored.version) == (Status.IN_PROGRESS, "", demand.version)
    assert "reply" not in events_of(demand)
    assert not Attachment.objects.exists()


def test_files_survive_a_validation_error_of_an_action_form(zone, as_, media, django_capture_on_commit_callbacks):
    demand = walk_to(zone, Status.IN_PROGRESS)
    client = as_("land_staff")
    response = client.post(
        act_url(demand, "reply"), {"version": demand.version, "reply": "", "attachments": [pdf("批文.pdf")]}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html and 'enctype="multipart/form-data"' in html
    (held_id, name), = kept(html).items()
    assert name.strip() == "批文.pdf" and not Attachment.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            act_url(demand, "reply"), {"version": demand.version, "reply": "见批文", "held": [held_id]}
        )
    assert response.status_code == 302
    (file,) = Attachment.objects.filter(demand=demand)
    assert (file.original_name, file.step, file.unit) == ("批文.pdf", "reply", zone.land)
    assert file.file.read().startswith(b"%PDF-")
    assert not PendingUpload.objects.exists()
    assert not any((media / "held").iterdir())


def test_an_unticked_kept_file_is_dropped(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    held = uploads_hold(actor=zone.land_staff, files=[pdf("a.pdf"), pdf("b.pdf")])
    response = as_("land_staff").post(
        act_url(demand, "reply"), {"version": demand.version, "reply": "见附件", "held": [held[1].pk]}
    )
    assert response.status_code == 302
    assert [a.original_name for a in Attachment.objects.all()] == ["b.pdf"]


def _portal_post(client, **fields):
    data = {
        "category": "land",
        "title": "厂房用地红线需要复核",
        "description": "新厂房的用地红线与规划图不一致。",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
        **fields,
    }
    return client.post(NEW, data)


def test_files_survive_a_validation_error_on_the_new_demand_form(zone, as_):
    client = as_("contact")
    response = _portal_post(client, title="", attachments=[pdf(), png(), pdf("坏.pdf", b"GIF89a")])
    assert response.status_code == 422
    html = response.content.decode()
    held = kept(html)
    # The acceptable files are kept; the refused one is said so and must be chosen again.
    assert sorted(n.strip() for n in held.values()) == ["宗地图.pdf", "现场照片.png"]
    assert "does not match its file type" in html
    assert not Demand.objects.exists()

    response = _portal_post(client, held=list(held), attachments=[docx()])
    assert response.status_code == 302
    demand = Demand.objects.get()
    files = Attachment.objects.filter(demand=demand).order_by("id")
    assert sorted(f.original_name for f in files) == ["宗地图.pdf", "现场照片.png", "说明.docx"]
    assert {f.step for f in files} == {"submit"}
    assert not PendingUpload.objects.exists()


def test_another_users_held_file_is_ignored(zone, as_):
    (theirs,) = uploads_hold(actor=zone.other_contact, files=[pdf("别人的.pdf")])
    response = _portal_post(as_("contact"), held=[theirs.pk], title="")
    assert kept(response.content.decode()) == {}
    response = _portal_post(as_("contact"), held=[theirs.pk])
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert PendingUpload.objects.filter(pk=theirs.pk).exists()  # still theirs, untouched


def test_old_holds_are_purged_after_a_day(zone, media, capsys):
    now = timezone.now()
    (old,) = uploads_hold(actor=zone.contact, files=[pdf("old.pdf")], at=now - timedelta(days=1, minutes=1))
    (recent,) = uploads_hold(actor=zone.contact, files=[pdf("recent.pdf")], at=now - timedelta(hours=23))
    old_path = media / old.file.name
    assert old_path.exists()
    call_command("purge_held_uploads")
    assert "1" in capsys.readouterr().out
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old_path.exists() and (media / recent.file.name).exists()
    assert held_uploads_purge() == 0


def test_a_file_filed_with_an_internal_step_is_not_the_enterprises(zone, as_):
    """The assessment is internal (demands.disclosure), and so is the permit filed with it; the
    written reply is public, and so is its file."""
    demand = walk_to(zone, Status.IN_PROGRESS)
    as_("land_staff").post(
        act_url(demand, "assess"),
        {"version": demand.version, "assessment": "以 2025 年批复为准", "attachments": [pdf("研判材料.pdf")]},
    )
    demand.refresh_from_db()
    as_("land_staff").post(
        act_url(demand, "reply"),
        {"version": demand.version, "reply": "见书面答复", "attachments": [pdf("书面答复.pdf")]},
    )
    internal = Attachment.objects.get(demand=demand, step="assess")
    public = Attachment.objects.get(demand=demand, step="reply")
    download = reverse("demands:attachment", args=[demand.pk, internal.pk])

    enterprise_page = as_("contact").get(detail_url(demand)).content.decode()
    assert "书面答复.pdf" in enterprise_page
    assert "研判材料.pdf" not in enterprise_page
    assert as_("contact").get(download).status_code == 404
    assert as_("contact").get(reverse("demands:attachment", args=[demand.pk, public.pk])).status_code == 200

    for person in ("land_staff", "officer"):
        assert "研判材料.pdf" in as_(person).get(detail_url(demand)).content.decode()
        assert as_(person).get(download).status_code == 200
