"""Who sees which project: from the other side too."""

from __future__ import annotations

import pytest

from mashang.core.errors import NotFound, PermissionDenied
from mashang.demands.services.lifecycle import demand_dispatch, demand_triage
from mashang.projects.selectors import project_get, project_list
from mashang.projects.services import project_blocker_raise, project_update
from tests.kit.projects import T0


def _visible(actor):
    return set(project_list(actor=actor).values_list("name", flat=True))


def test_zone_wide_roles_see_every_project(zone, make_project):
    make_project(name="甲的项目")
    make_project(name="拟引进项目", investor_credit_code="", investor_name="某集团")
    for who in ("officer", "supervisor", "leader"):
        assert _visible(getattr(zone, who)) == {"甲的项目", "拟引进项目"}


def test_an_enterprise_sees_only_its_own_projects(zone, make_project):
    mine = make_project(name="甲的项目")
    theirs = make_project(name="乙的项目", investor_credit_code=zone.other_enterprise.credit_code)
    assert _visible(zone.contact) == {"甲的项目"}
    assert _visible(zone.other_contact) == {"乙的项目"}
    with pytest.raises(NotFound):
        project_get(actor=zone.other_contact, project_id=mine.pk)
    assert project_get(actor=zone.contact, project_id=mine.pk) == mine
    with pytest.raises(NotFound):
        project_update(actor=zone.contact, project_id=theirs.pk, version=1, name="x")


def test_an_enterprise_reads_but_does_not_edit_its_project(zone, make_project):
    mine = make_project()
    with pytest.raises(PermissionDenied):
        project_update(actor=zone.contact, project_id=mine.pk, version=1, name="x")


def test_a_unit_sees_a_project_once_a_blocker_is_dispatched_to_it(zone, make_project):
    project = make_project()
    assert _visible(zone.land_staff) == set()
    demand = project_blocker_raise(actor=zone.officer, project_id=project.pk, title="用地红线待确认",
                                   description="需自然资源分局确认用地红线", category_code="land", at=T0)
    assert _visible(zone.land_staff) == set()  # filed, not yet dispatched
    demand = demand_triage(actor=zone.officer, demand_id=demand.pk, version=demand.version, category="land", at=T0)
    demand_dispatch(actor=zone.officer, demand_id=demand.pk, version=demand.version, lead_unit="zrzy", at=T0)
    assert _visible(zone.land_staff) == {project.name}
    assert _visible(zone.housing_staff) == set()
    with pytest.raises(NotFound):
        project_get(actor=zone.housing_staff, project_id=project.pk)
    with pytest.raises(PermissionDenied):
        project_update(actor=zone.land_staff, project_id=project.pk, version=project.version + 1, name="x")


def test_an_inactive_person_sees_nothing(zone, make_project):
    make_project()
    zone.officer.is_active = False
    assert _visible(zone.officer) == set()
