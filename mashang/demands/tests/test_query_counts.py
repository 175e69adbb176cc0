"""How many statements each move of a demand takes, pinned: a query added to a hot path fails
here, not in a benchmark weeks later. The figures are the database round trips of the service
inside the test's transaction (its own transaction is a savepoint here); the same on SQLite and
PostgreSQL once the year's first number was taken."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mashang.demands.transitions import Action
from tests.kit.walk import act, submit

pytestmark = pytest.mark.usefixtures("no_inline")

#: Statements per move. Before the intake work: submit 11, triage 9, dispatch 19, respond 8,
#: reply 12, confirm 13.
MOST = {
    "submit": 11,
    Action.TRIAGE: 9,
    Action.DISPATCH: 15,
    Action.RESPOND: 8,
    Action.REPLY: 12,
    Action.CONFIRM: 13,
}

MOVES = [
    (Action.TRIAGE, "officer"),
    (Action.DISPATCH, "officer"),
    (Action.RESPOND, "land_staff"),
    (Action.REPLY, "land_staff"),
    (Action.CONFIRM, "contact"),
]


def test_each_move_takes_at_most_its_pinned_statements(zone, django_assert_max_num_queries):
    submit(zone)  # the year's first number (on PostgreSQL it makes the year's sequence)
    with django_assert_max_num_queries(MOST["submit"]):
        demand = submit(zone)
    for action, person in MOVES:
        with django_assert_max_num_queries(MOST[action]):
            demand = act(zone, action, person, demand)
    assert demand.status == "closed"


def test_a_dispatch_reads_the_units_and_the_assignments_once(zone):
    demand = act(zone, Action.TRIAGE, "officer", submit(zone))
    with CaptureQueriesContext(connection) as queries:
        act(zone, Action.DISPATCH, "officer", demand)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith("SELECT") and 'FROM "org_unit"' in s for s in sql) == 1
    assert sum(s.startswith("SELECT") and 'FROM "demands_assignment"' in s for s in sql) == 1
    assert sum(s.startswith("INSERT INTO \"demands_assignment\"") for s in sql) == 1
