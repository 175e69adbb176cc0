"""The meeting's state machine: random moves by random people, each outcome predicted from the
table (``transitions.MOVES``); the meeting's version always counts its events, a refused move
changes nothing, and what the minutes decided exists only once they are approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
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
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.demands.models import Demand, Kind
from mashang.meetings import services as M
from mashang.meetings.models import ActionItem, AgendaItem, ItemStatus, Meeting, Status
from mashang.meetings.transitions import MOVES, Action, Party, allowed_actions, parties_of
from tests.kit.clocks import at

pytestmark = pytest.mark.django_db

PEOPLE = ["supervisor", "leader", "officer", "land_staff", "contact"]
START = at(2026, 12, 1, 9, 0)


def test_the_table_names_real_statuses_and_parties():
    for action, move in MOVES.items():
        assert move.sources <= set(Status.values), action
        assert move.parties <= set(Party.values), action
        assert move.target is None or move.target in Status.values
    assert not any(
        Status.MINUTES_APPROVED in m.sources or Status.CANCELLED in m.sources
        for m in MOVES.values()
    )


def _call(zone, action: str, person: str, meeting: Meeting, when):
    actor = getattr(zone, person)
    common = {"actor": actor, "meeting_id": meeting.pk, "version": meeting.version, "at": when}
    item = AgendaItem.objects.filter(meeting=meeting).order_by("position").first()
    if action == Action.EDIT:
        return M.meeting_edit(**common, place="管委会 302 会议室")
    if action == Action.PROPOSE:
        return M.meeting_propose(**common)
    if action == Action.ACCEPT_ITEM:
        return M.agenda_item_accept(**common, item=item.pk)
    if action == Action.DROP_ITEM:
        return M.agenda_item_drop(**common, item=item.pk)
    if action == Action.ADD_ITEM:
        return M.agenda_item_add(**common, title="会议议题")
    if action == Action.FREEZE:
        return M.meeting_freeze(**common)
    if action == Action.DECIDE:
        accepted = (
            AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.ACCEPTED).first() or item
        )
        return M.item_decide(
            **common,
            item=accepted.pk,
            decision="议定",
            action_items=[
                {"title": "督办", "lead_unit": "zrzy", "working_days": 5, "closing_rule": "确认"}
            ],
        )
    if action == Action.HOLD:
        return M.meeting_hold(**common)
    if action == Action.APPROVE:
        return M.meeting_approve(**common)
    if action == Action.CANCEL:
        return M.meeting_cancel(**common, reason="领导另有安排")
    raise AssertionError(action)


REACHED: set[str] = set()


def test_random_runs_of_a_meeting_keep_its_invariants(zone):
    class MeetingLife(RuleBasedStateMachine):
        @initialize()
        def call(self):
            self.when = START
            self.meeting = M.meeting_plan(
                actor=zone.supervisor,
                title="研判会",
                starts_at=START + timedelta(days=2),
                chair="leader",
                secretary="supervisor",
                at=START,
            )
            self.meeting = M.agenda_item_add(
                actor=zone.supervisor,
                meeting_id=self.meeting.pk,
                version=self.meeting.version,
                title="议题一",
                at=START,
            )

        def expected(self, action: str, person: str):
            actor = getattr(zone, person)
            if person == "contact":
                return NotFound
            move = MOVES[action]
            if not parties_of(actor, self.meeting) & move.parties:
                return PermissionDenied
            if self.meeting.status not in move.sources:
                return TransitionNotAllowed
            return None  # or a ValidationFailed the data explains (nothing accepted, undecided)

        @rule(action=st.sampled_from(sorted(MOVES)), person=st.sampled_from(PEOPLE))
        def anything(self, action, person):
            self.attempt(action, person)

        @rule(data=st.data())
        def something_allowed(self, data):
            """Most random moves are refused; this one takes the meeting further."""
            options = [(a, p) for a in sorted(MOVES) for p in PEOPLE if self.expected(a, p) is None]
            if options:
                self.attempt(*data.draw(st.sampled_from(options)))

        def attempt(self, action, person):
            self.when += timedelta(minutes=5)
            before = Meeting.objects.get(pk=self.meeting.pk)
            expected = self.expected(action, person)
            try:
                self.meeting = _call(zone, action, person, before, self.when)
            except (
                NotFound,
                PermissionDenied,
                TransitionNotAllowed,
                ValidationFailed,
                Conflict,
            ) as error:
                if expected is None:
                    assert type(error) is ValidationFailed, (action, person, before.status, error)
                else:
                    assert type(error) is expected, (action, person, before.status, error)
                self.meeting = Meeting.objects.get(pk=before.pk)
                assert (self.meeting.version, self.meeting.status) == (
                    before.version,
                    before.status,
                )
                return
            assert expected is None, (action, person, before.status, expected)
            assert action in allowed_actions(getattr(zone, person), before)
            target = MOVES[action].target or before.status
            assert self.meeting.status == target
            REACHED.add(target)

        @invariant()
        def its_version_counts_its_events_and_nothing_applies_before_approval(self):
            meeting = Meeting.objects.get(pk=self.meeting.pk)
            events = list(
                Event.objects.filter(subject_type="meeting", subject_id=meeting.pk).order_by("id")
            )
            assert meeting.version == len(events)
            for previous, event in zip(events, events[1:], strict=False):
                assert event.from_state == previous.to_state
            if meeting.status != Status.MINUTES_APPROVED:
                assert not ActionItem.objects.filter(item__meeting=meeting, demand__isnull=False).exists()
            else:
                tracked = Demand.objects.filter(meeting_action_item__item__meeting=meeting)
                assert tracked.exists() and all(d.kind == Kind.ACTION_ITEM for d in tracked)

    run_state_machine_as_test(
        MeetingLife, settings=settings(max_examples=15, stateful_step_count=25, deadline=None)
    )
