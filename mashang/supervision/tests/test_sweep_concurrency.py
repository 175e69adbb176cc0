"""Sweeps at the same time, and a sweep beside a transition, on PostgreSQL's row locks.

Each thread works on its own database connection, closed when the thread ends."""

from __future__ import annotations

import pytest

from mashang.core.errors import Conflict
from mashang.demands.models import Demand, Status
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.services import supervision_sweep
from mashang.supervision.services import sweep as sweep_module
from tests.kit.clocks import at
from tests.kit.sweeps import assert_version_counts_events
from tests.kit.threads import together
from tests.kit.walk import act, submit, walk_to

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sweep_settings"),
]


def test_concurrent_sweeps_raise_each_level_once(zone, people, monkeypatch):
    monkeypatch.setattr(sweep_module, "CHUNK", 7)  # several chunks, locked in turn
    demands = [submit(zone, when=at(2026, 10, 12, 9, 0)) for _ in range(30)]  # triage due 10:00
    for when, level in [
        (at(2026, 10, 12, 9, 30), Level.REMINDER),
        (at(2026, 10, 12, 10, 0), Level.YELLOW),
        (at(2026, 10, 12, 15, 30), Level.RED),
    ]:
        results = together([lambda w=when: supervision_sweep(at=w) for _ in range(6)])
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert sum(r.raised[level] for r in results) == 30
        assert sum(r.total for r in results) == 30
    for demand in demands:
        assert [
            n.level for n in SupervisionNotice.objects.filter(demand=demand).order_by("id")
        ] == [
            Level.REMINDER,
            Level.YELLOW,
            Level.RED,
        ]
        assert_version_counts_events(demand)


def test_a_sweep_beside_transitions_leaves_every_demand_consistent(zone, people):
    demands = [walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0)) for _ in range(12)]

    def respond(d: Demand):
        return act(zone, "respond", "land_staff", d, when=at(2026, 10, 12, 10, 30))

    work = [lambda: supervision_sweep(at=at(2026, 10, 12, 10, 30))] + [
        lambda d=d: respond(d) for d in demands
    ]
    results = together(work)
    sweep, *moves = results
    assert not isinstance(sweep, BaseException), sweep
    # A transition either went first (no notice for a first contact made) or met the
    # version the notice bumped and was refused cleanly — never a deadlock or a lost write.
    assert all(isinstance(m, Demand | Conflict) for m in moves), moves
    for demand, move in zip(demands, moves, strict=True):
        demand.refresh_from_db()
        noticed = SupervisionNotice.objects.filter(demand=demand).exists()
        if isinstance(move, Demand):
            assert demand.status == Status.IN_PROGRESS and not noticed
        else:
            assert noticed and demand.status == Status.DISPATCHED
        assert_version_counts_events(demand)
