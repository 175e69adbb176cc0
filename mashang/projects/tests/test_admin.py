"""The admin reads projects; an edit there goes through project_update (event, version)."""

from __future__ import annotations

from django.test import Client

from mashang.audit.models import Event
from tests.kit.factories import UserFactory


def _admin():
    user = UserFactory(username="it", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


def test_the_admin_lists_and_edits_through_the_service(zone, make_project):
    project = make_project(land_area_mu="3")
    user, client = _admin()
    assert client.get("/admin/projects/project/").status_code == 200
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    data = {
        "name": "改过名的项目", "investor": zone.enterprise.pk, "investor_name": project.investor_name,
        "project_type": "new_land", "industry": "new_energy", "planned_investment": "100000000.00",
        "land_area_mu": "6", "land_area_m2": "2000.00", "service_officer": zone.officer.pk,
        "behind_plan_reason": "",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "funds-TOTAL_FORMS": "0", "funds-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert (project.name, str(project.land_area_m2), project.version) == ("改过名的项目", "4000.00", 2)
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).last()
    assert (event.action, event.actor) == ("update", user)


def test_the_admin_shows_a_service_message_beside_the_field(zone, make_project):
    project = make_project()
    _user, client = _admin()
    data = {
        "name": "x", "investor": zone.enterprise.pk, "investor_name": project.investor_name,
        "project_type": "new_land", "industry": "new_energy", "planned_investment": "1.00",
        "service_officer": zone.leader.pk, "behind_plan_reason": "",
        "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        "funds-TOTAL_FORMS": "0", "funds-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.version == 1
