"""Every move of the demand state machine, allowed and forbidden, generated from ``MOVES``;
then random walks over the services that must keep the demand's invariants."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from mashang.audit.models import Event
from mashang.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.demands.models import OPEN_STATUSES, TERMINAL_STATUSES, Assignment, Demand, Status
from mashang.demands.services.lifecycle import MSG_STALE
from mashang.demands.transitions import (
    MOVES,
    MSG_EXTENSION_PENDING,
    MSG_NO_EXTENSION_PENDING,
    MSG_NOT_FROM_STATUS,
    MSG_NOT_YOUR_PART,
    Action,
    Party,
    allowed_actions,
)
from tests.kit.walk import (
    CALLS,
    PERSON_OF,
    UNIT_PEOPLE,
    UNITS_SEE,
    act,
    parties_in,
    submit,
    walk_to,
    with_head,
)


@pytest.fixture(autouse=True)
def _the_land_head_plays_a_part(zone):
    with_head(zone)


#: Where a successful move leads (None: the status does not change).
TARGET = {
    Action.TRIAGE: Status.TRIAGED,
    Action.DISPATCH: Status.DISPATCHED,
    Action.RESPOND: Status.IN_PROGRESS,
    Action.ASSESS: None,
    Action.OPINION: None,
    Action.REPLY: Status.REPLIED,
    Action.CONFIRM: Status.CLOSED,
    Action.RETURN: Status.RETURNED,
    Action.EXTEND: None,
    Action.APPROVE_EXTENSION: None,
    Action.REFUSE_EXTENSION: None,
    Action.WAIT: Status.WAITING,
    Action.RESUME: Status.IN_PROGRESS,  # the walk waits from "in progress"
    Action.REOPEN: Status.DISPATCHED,
    Action.ESCALATE: Status.DIFFICULT,
    Action.ASSIGN_CASE: Status.DISPATCHED,
    Action.DECLINE_CASE: Status.TRIAGED,
    Action.SIGN_OFF: None,
    Action.MERGE: Status.MERGED,
    Action.WITHDRAW: Status.WITHDRAWN,
}
NO_CLOCK = frozenset(
    {Status.REPLIED, Status.WAITING, Status.CLOSED, Status.MERGED, Status.WITHDRAWN}
)
PEOPLE = sorted(set(PERSON_OF.values()))
DECISIONS = {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}


def test_the_table_covers_every_action_status_and_party():
    assert set(MOVES) == set(Action) - {Action.SUBMIT} == set(CALLS) == set(TARGET)
    assert set(PERSON_OF) == set(Party)
    for move in MOVES.values():
        assert move.sources <= set(Status) and not move.sources & TERMINAL_STATUSES
        assert move.parties and move.parties <= set(Party)


def test_each_move_leads_where_the_table_says():
    """The table names each move's target; the walks below check the services against TARGET."""
    for action, move in MOVES.items():
        if TARGET[action] is None:
            assert move.targets == frozenset(), action
        else:
            assert TARGET[action] in move.targets, action
    assert MOVES[Action.CONFIRM].targets == {Status.CLOSED, Status.UNRESOLVED}
    assert all(len(m.targets) <= 1 for a, m in MOVES.items() if a != Action.CONFIRM)


def test_a_pending_extension_request_is_a_guard_of_the_table():
    """While a request waits, the lead unit cannot ask again and the supervisor can decide it;
    without one, the other way round."""
    pending, none = SimpleNamespace(extension_requested_days=3), SimpleNamespace(extension_requested_days=None)
    lead, supervisor = frozenset({Party.LEAD_UNIT}), frozenset({Party.SUPERVISOR})
    for status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.WAITING):
        assert Action.EXTEND in allowed_actions(status=status, parties=lead, demand=none)
        assert Action.EXTEND not in allowed_actions(status=status, parties=lead, demand=pending)
        decided = {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}
        assert decided <= set(allowed_actions(status=status, parties=supervisor, demand=pending))
        assert not decided & set(allowed_actions(status=status, parties=supervisor, demand=none))


def test_every_action_is_tried_both_allowed_and_from_a_wrong_status():
    """The walks below reach, for every action, a status where it succeeds and one where the
    right party is refused for the status alone: the generated cases cover the table both ways."""
    for action in MOVES:
        outcomes = {expected_outcome(action, s, p) for s in Status for p in PEOPLE}
        assert {None, TransitionNotAllowed, PermissionDenied} <= outcomes, action


def expected_outcome(action: str, status: str, person: str) -> type[Exception] | None:
    """What the table says happens when ``person`` tries ``action`` on a walked demand."""
    if person in UNIT_PEOPLE and status not in UNITS_SEE:
        return NotFound  # a unit never dispatched to does not know the demand exists
    move = MOVES[action]
    if not parties_in(person, status) & move.parties:
        return PermissionDenied
    if status not in move.sources:
        return TransitionNotAllowed
    return None


class _Undo(Exception):
    """Leaves the savepoint of one attempt, carrying what went wrong (or None)."""

    def __init__(self, problem: str | None):
        self.problem = problem


def events_of(demand: Demand) -> list[Event]:
    return list(Event.objects.filter(subject_type="demand", subject_id=demand.pk).order_by("id"))


def attempt(zone, action: str, person: str, demand: Demand, keeper: Demand) -> str | None:
    """Try the move in a savepoint that is always undone; a mismatch is returned as text."""
    try:
        with transaction.atomic():
            raise _Undo(check_move_outcome(zone, action, person, demand, keeper))
    except _Undo as undo:
        return undo.problem


def check_move_outcome(
    zone, action: str, person: str, demand: Demand, keeper: Demand
) -> str | None:
    expected = expected_outcome(action, demand.status, person)
    where = f"{person} {action} from {demand.status}"
    before = Demand.objects.get(pk=demand.pk)
    if action in DECISIONS and Action.EXTEND in allowed_for(demand.status, "land_staff"):
        before = act(zone, Action.EXTEND, "land_staff", before)  # something to decide
    if action == Action.SIGN_OFF:
        # Only a difficult case's reply is signed off: make the walked demand one.
        Demand.objects.filter(pk=before.pk).update(coordinator=zone.supervisor)
        before = Demand.objects.get(pk=before.pk)
    n_events = len(events_of(before))
    extra = {"into": keeper.number} if action == Action.MERGE else {}
    try:
        after = act(zone, action, person, before, **extra)
    except ApplicationError as error:
        now = Demand.objects.get(pk=demand.pk)
        if type(error) is not expected:
            return f"{where}: {type(error).__name__} ({error}), expected {expected}"
        if (now.version, now.status, len(events_of(now))) != (
            before.version,
            before.status,
            n_events,
        ):
            return f"{where}: refused but the demand changed"
        return None
    if expected is not None:
        return f"{where}: succeeded, expected {expected.__name__}"
    stored = Demand.objects.get(pk=demand.pk)
    events = events_of(stored)
    last = events[-1]
    target = TARGET[action] or before.status
    problems = []
    if (stored.status, after.status) != (target, target):
        problems.append(f"status {stored.status}, expected {target}")
    if stored.version != before.version + 1 or len(events) != n_events + 1:
        problems.append(
            f"version {before.version}→{stored.version}, events {n_events}→{len(events)}"
        )
    event = (last.action, last.from_state, last.to_state, last.actor_id)
    if event != (action, before.status, target, getattr(zone, person).pk):
        problems.append(f"event {event}")
    return f"{where}: " + "; ".join(problems) if problems else None


def allowed_for(status: str, person: str) -> set[str]:
    return {
        a
        for a, m in MOVES.items()
        if status in m.sources and parties_in(person, status) & m.parties
    }


@pytest.mark.parametrize("status", [s for s in Status])
def test_every_action_by_every_party_from(status, zone):
    """For each action: each party the table names succeeds, writes the event and bumps the
    version; any other party gets PermissionDenied (NotFound if it cannot see the demand);
    the right party in a status the table does not list gets TransitionNotAllowed."""
    keeper = walk_to(zone, Status.DISPATCHED)  # a merge target everyone can see
    demand = walk_to(zone, status, keeper=keeper)
    mismatches = [
        problem
        for action in MOVES
        for person in PEOPLE
        if (problem := attempt(zone, action, person, demand, keeper))
    ]
    assert mismatches == []


def test_refusals_say_why(zone):
    demand = walk_to(zone, Status.DISPATCHED)
    with pytest.raises(PermissionDenied) as refused:
        act(zone, Action.REPLY, "contact", demand)
    assert refused.value.message == str(MSG_NOT_YOUR_PART).format(
        party=Party.ENTERPRISE.label, action=Action.REPLY.label
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        act(zone, Action.REPLY, "land_staff", demand)
    assert refused.value.message == str(MSG_NOT_FROM_STATUS).format(
        status=Status.DISPATCHED.label, action=Action.REPLY.label, allowed=Status.IN_PROGRESS.label
    )
    with pytest.raises(Conflict) as refused:
        act(zone, Action.APPROVE_EXTENSION, "supervisor", demand)
    assert refused.value.message == str(MSG_NO_EXTENSION_PENDING)
    demand = act(zone, Action.EXTEND, "land_staff", demand)
    with pytest.raises(Conflict) as refused:
        act(zone, Action.EXTEND, "land_staff", demand)
    assert refused.value.message == str(MSG_EXTENSION_PENDING)


# --- random walks ---------------------------------------------------------------------------


def run_random_walks(zone, keeper: Demand) -> None:
    class DemandLife(RuleBasedStateMachine):
        """One demand, random actions by random people; the model predicts every outcome."""

        @initialize()
        def file(self):
            self.demand = submit(zone)
            self.seen = False  # the units were dispatched to at some point
            self.current = False  # … and hold the demand now
            self.pending = False  # an extension request waits for the supervisor
            self.case = False  # a leader took it on as a difficult case
            self.signed = False  # … and the lead unit's head signed its reply off

        def expected(self, action: str, person: str) -> type[Exception] | None:
            status = self.demand.status
            if person in UNIT_PEOPLE:
                if not self.seen:
                    return NotFound
                parties = parties_in(person, Status.DISPATCHED) if self.current else set()
            else:
                parties = {p for p, who in PERSON_OF.items() if who == person}
            move = MOVES[action]
            if not parties & move.parties:
                return PermissionDenied
            if status not in move.sources:
                return TransitionNotAllowed
            if action == Action.EXTEND and self.pending or action in DECISIONS and not self.pending:
                return Conflict
            if action == Action.SIGN_OFF and (not self.case or self.signed):
                return Conflict
            if action == Action.CONFIRM and self.case and not self.signed:
                return Conflict
            return None

        @rule(
            action=st.sampled_from(sorted(MOVES)),
            person=st.sampled_from(PEOPLE),
            resolved=st.booleans(),
        )
        def anything(self, action, person, resolved):
            self.attempt(action, person, resolved)

        @rule(data=st.data())
        def something_allowed(self, data):
            """Most random moves are refused; this one keeps the demand going deeper."""
            options = [(a, p) for a in sorted(MOVES) for p in PEOPLE if self.expected(a, p) is None]
            if options:
                self.attempt(*data.draw(st.sampled_from(options)), data.draw(st.booleans()))

        def attempt(self, action, person, resolved):
            before = self.demand
            expected = self.expected(action, person)
            extra = {"into": keeper.number} if action == Action.MERGE else {}
            if action == Action.CONFIRM:
                extra = {"resolved": resolved, "rating": "satisfied" if resolved else "unsatisfied"}
            try:
                self.demand = act(zone, action, person, before, **extra)
            except (NotFound, PermissionDenied, Conflict, ValidationFailed) as error:
                assert type(error) is expected, (action, person, before.status, error)
                self.demand = Demand.objects.get(pk=before.pk)
                assert (self.demand.version, self.demand.status) == (before.version, before.status)
                return
            assert expected is None, (action, person, before.status, expected)
            assert before.status not in TERMINAL_STATUSES
            last = events_of(self.demand)[-1]
            assert (last.action, last.actor_id) == (action, getattr(zone, person).pk)
            if action in (Action.DISPATCH, Action.ASSIGN_CASE):
                self.seen = self.current = True
                self.case = action == Action.ASSIGN_CASE or self.case
            if action in (Action.ASSIGN_CASE, Action.REPLY):
                self.signed = False
            elif action == Action.SIGN_OFF:
                self.signed = True
            elif action == Action.DECLINE_CASE:
                self.case = False
            elif action == Action.RETURN:
                self.current = False
            elif action == Action.EXTEND:
                self.pending = True
            # A decision settles a pending extension request; a reply, a return or a new
            # dispatch lets it lapse.
            if action in DECISIONS or action in (
                Action.DISPATCH, Action.ASSIGN_CASE, Action.RETURN, Action.REPLY
            ):
                self.pending = False

        @rule(person=st.sampled_from(["officer", "contact"]))
        def stale_version(self, person):
            stale = Demand.objects.get(pk=self.demand.pk)
            stale.version -= 1
            with pytest.raises(Conflict) as refused:
                act(zone, Action.ESCALATE, person, stale)
            assert refused.value.message == str(MSG_STALE).format(
                given=stale.version, current=stale.version + 1
            )

        @invariant()
        def the_demand_keeps_its_invariants(self):
            demand = Demand.objects.get(pk=self.demand.pk)
            events = events_of(demand)
            assert demand.version == len(events)
            assert demand.status in Status.values
            assert demand.status == events[-1].to_state
            assert (demand.next_due_at is None) == (demand.status in NO_CLOCK), demand.status
            assert events[0].from_state == "" and events[0].action == Action.SUBMIT
            for previous, event in zip(events, events[1:], strict=False):
                assert event.from_state == previous.to_state
                assert previous.to_state not in TERMINAL_STATUSES, "a terminal status changed"
            for assignment in Assignment.objects.filter(demand=demand):
                assert assignment.is_open == (demand.status in OPEN_STATUSES)
                assert assignment.due_at == demand.next_due_at

    run_state_machine_as_test(
        DemandLife, settings=settings(max_examples=25, stateful_step_count=30, deadline=None)
    )


def test_random_walks_keep_the_invariants(zone):
    run_random_walks(zone, keeper=walk_to(zone, Status.DISPATCHED))
