"""How many statements each move of a demand takes, pinned: a query added to a hot path fails
here, not in a benchmark weeks later. The figures are the database round trips of the service
inside the test's transaction (its own transaction is a savepoint here); the same on SQLite and
PostgreSQL once the year's first number was taken."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mashang.demands.transitions import Action
from tests.kit.walk import act, submit

pytestmark = pytest.mark.usefixtures("no_inline")

#: Statements per move. Before the intake work: submit 11, triage 9, dispatch 19, respond 8,
#: reply 12, confirm 13. Triage tells the enterprise it was accepted since issue 13 (9 → 13:
#: its contacts looked up, the inbox rows written in a savepoint); the enterprise's message on
#: a dispatch goes in the units' insert and costs nothing.
MOST = {
    "submit": 11,
    Action.TRIAGE: 13,
    Action.DISPATCH: 15,
    Action.RESPOND: 8,
    Action.REPLY: 12,
    Action.CONFIRM: 12,
}
#: With the worker fanning the messages out (production, MASHANG_NOTIFY_FAN_OUT=worker): a
#: move writes one outbox row and looks nobody up.
MOST_WORKER = {
    "submit": 7,
    Action.TRIAGE: 10,
    Action.DISPATCH: 11,
    Action.RESPOND: 8,
    Action.REPLY: 9,
    Action.CONFIRM: 9,
}

MOVES = [
    (Action.TRIAGE, "officer"),
    (Action.DISPATCH, "officer"),
    (Action.RESPOND, "land_staff"),
    (Action.REPLY, "land_staff"),
    (Action.CONFIRM, "contact"),
]


@pytest.mark.parametrize("fan_out", ["inline", "worker"])
def test_each_move_takes_at_most_its_pinned_statements(zone, settings, fan_out, django_assert_max_num_queries):
    settings.MASHANG_NOTIFY_FAN_OUT = fan_out
    most = MOST if fan_out == "inline" else MOST_WORKER
    submit(zone)  # the year's first number (on PostgreSQL it makes the year's sequence)
    with django_assert_max_num_queries(most["submit"]):
        demand = submit(zone)
    for action, person in MOVES:
        with django_assert_max_num_queries(most[action]):
            demand = act(zone, action, person, demand)
    assert demand.status == "closed"


def _reads(sql: str) -> str | None:
    """The table a SELECT reads rows of (its first column's; a subquery's table does not count)."""
    found = re.match(r'SELECT "(\w+)"\.', sql)
    return found.group(1) if found else None


def test_a_dispatch_reads_the_units_and_the_assignments_once(zone):
    demand = act(zone, Action.TRIAGE, "officer", submit(zone))
    with CaptureQueriesContext(connection) as queries:
        act(zone, Action.DISPATCH, "officer", demand)
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(_reads(s) == "org_unit" for s in sql) == 1
    assert sum(_reads(s) == "demands_assignment" for s in sql) == 1
    assert sum(s.startswith("INSERT INTO \"demands_assignment\"") for s in sql) == 1
