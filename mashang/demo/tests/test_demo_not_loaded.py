"""The demo before it is loaded: a database holding other data is refused unless forced, and
``demo_users`` points to ``load_demo`` while no demo is there. Each test starts from an empty
database (the tests of a loaded demo share one load, in test_demo.py)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mashang.demands.models import Demand
from mashang.demo.tests.small_demo import load
from mashang.org.models import Unit, User
from mashang.projects.models import Project
from mashang.projects.services import project_create

pytestmark = pytest.mark.usefixtures("cached_calendar")


@pytest.mark.django_db
def test_a_database_with_other_data_is_refused_unless_forced():
    Unit.objects.create(code="zrzy", name="自然资源局")

    with pytest.raises(CommandError, match="不属于演示的数据"):
        load()
    assert not Demand.objects.exists()

    load(force=True)
    assert Demand.objects.filter(project=None, kind="demand").count() == 120
    assert Unit.objects.get(code="zrzy").name == "自然资源分局"


@pytest.mark.django_db
def test_a_database_with_investment_projects_is_not_empty():
    officer = User.objects.create(username="zsj-li", role="officer", display_name="李招商")
    project_create(
        actor=officer, name="某项目", investor_name="某投资有限公司", project_type="lease",
        industry="other", planned_investment=Decimal("1000000.00"),
    )

    with pytest.raises(CommandError, match="投资项目 1 个"):
        load()
    assert Project.objects.count() == 1 and not Demand.objects.exists()


@pytest.mark.django_db
def test_demo_users_without_a_demo_points_to_load_demo():
    out = StringIO()
    call_command("demo_users", stdout=out)
    assert "load_demo" in out.getvalue()
