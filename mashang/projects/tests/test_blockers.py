"""A blocker is a demand of the investor linked to the project, with the demand's deadlines."""

from __future__ import annotations

import pytest

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.demands.models import Demand
from mashang.demands.services.submit import MSG_TITLE_REQUIRED
from mashang.projects.selectors import project_detail
from mashang.projects.services import project_blocker_raise
from mashang.projects.services.blockers import MSG_INVESTOR_NOT_REGISTERED, MSG_MAY_NOT_RAISE
from tests.kit.projects import T0


def test_a_blocker_is_a_demand_linked_to_the_project_with_deadlines(zone, make_project):
    project = make_project(stage="listed")
    demand = project_blocker_raise(actor=zone.officer, project_id=project.pk, title="施工图审查排期过长",
                                   description="希望加快施工图审查", category_code="land", at=T0)
    demand.refresh_from_db()
    assert demand.project == project
    assert demand.enterprise == zone.enterprise
    assert demand.status == "submitted"
    assert demand.triage_due_at is not None and demand.triage_due_at > T0
    assert demand.next_due_at == demand.triage_due_at
    assert demand.number.startswith("SQ-2026-")
    project.refresh_from_db()
    assert project.version == 2
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).last()
    assert (event.action, event.payload["demand"]) == ("blocker", demand.number)
    detail = project_detail(actor=zone.officer, project_id=project.pk)
    assert [b.number for b in detail.blockers] == [demand.number]
    assert Event.objects.filter(subject_type="demand", subject_id=demand.pk, action="submit").exists()


def test_the_investor_contact_raises_a_blocker_on_its_own_project(zone, make_project):
    project = make_project()
    demand = project_blocker_raise(actor=zone.contact, project_id=project.pk, title="水电报装",
                                   description="临时用电报装慢", at=T0)
    assert (demand.project_id, demand.channel, demand.submitted_by) == (project.pk, "web", zone.contact)


def test_a_prospective_investor_cannot_have_a_blocker_yet(zone, make_project):
    project = make_project(investor_credit_code="", investor_name="拟设公司")
    with pytest.raises(ValidationFailed) as e:
        project_blocker_raise(actor=zone.officer, project_id=project.pk, title="t", description="d", at=T0)
    assert e.value.fields == {"investor": [str(MSG_INVESTOR_NOT_REGISTERED)]}
    assert not Demand.objects.exists()


def test_a_bad_demand_leaves_nothing_behind(zone, make_project):
    project = make_project()
    with pytest.raises(ValidationFailed) as e:
        project_blocker_raise(actor=zone.officer, project_id=project.pk, title=" ", description="d", at=T0)
    assert e.value.fields["title"] == [str(MSG_TITLE_REQUIRED)]
    project.refresh_from_db()
    assert project.version == 1
    assert not Demand.objects.exists()


def test_others_may_not_raise_blockers(zone, make_project):
    project = make_project()
    with pytest.raises(NotFound):
        project_blocker_raise(actor=zone.other_contact, project_id=project.pk, title="t", description="d")
    with pytest.raises(PermissionDenied) as e:
        project_blocker_raise(actor=zone.supervisor, project_id=project.pk, title="t", description="d")
    assert e.value.message == str(MSG_MAY_NOT_RAISE)


def test_the_demand_page_of_a_blocker_links_back_to_its_project(zone, make_project, client):
    project = make_project(stage="listed", name="<b>新能源</b>电池项目")
    demand = project_blocker_raise(actor=zone.officer, project_id=project.pk, title="水电报装",
                                   description="请协调水电报装", category_code="land", at=T0)
    client.force_login(zone.contact)
    html = client.get(f"/demands/{demand.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/"' in html
    assert "&lt;b&gt;新能源&lt;/b&gt;电池项目" in html and "<b>新能源</b>" not in html
