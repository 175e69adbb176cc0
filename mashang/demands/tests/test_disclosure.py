"""The rule of what each party reads of a demand, as a table (no database but for the forms' choices)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mashang.demands import disclosure
from mashang.demands.disclosure import COLUMNS, RULES, Sight, Standing
from mashang.demands.forms import ACTION_FORMS
from mashang.demands.transitions import Action, Party

INTERNAL = [
    Action.TRIAGE,
    Action.DISPATCH,
    Action.ASSESS,
    Action.RETURN,
    Action.EXTEND,
    Action.APPROVE_EXTENSION,
    Action.REFUSE_EXTENSION,
    Action.ESCALATE,
    Action.ASSIGN_CASE,
    Action.DECLINE_CASE,
    Action.SIGN_OFF,
    Action.MERGE,
]
PUBLIC = [Action.SUBMIT, Action.REPLY, Action.WAIT, Action.RESUME, Action.CONFIRM, Action.WITHDRAW]


def test_every_move_and_every_event_another_app_records_has_a_row_of_every_column():
    assert set(Action.values) | {"attach", "open", "notice", "opinion"} == set(RULES)
    assert all(len(row) == len(COLUMNS) for row in RULES.values())
    assert set(Party.values) <= set(COLUMNS) == set(Standing.values)


@pytest.mark.parametrize("action", INTERNAL)
def test_the_enterprise_sees_an_internal_move_happen_without_its_text(action):
    row = disclosure.rule_of(action)
    assert row[Standing.ENTERPRISE] == row[Standing.INTAKE_UNIT] == Sight.FACT
    assert row[Standing.LEAD_UNIT] == row[Standing.SERVICE_TEAM] == row[Standing.SUPERVISOR] == Sight.FULL


@pytest.mark.parametrize("action", PUBLIC)
def test_what_is_written_for_the_enterprise_every_party_reads(action):
    assert set(disclosure.rule_of(action).values()) == {Sight.FULL}


def test_notices_and_opinions_are_not_for_the_enterprise():
    for action in ("notice", "opinion"):
        row = disclosure.rule_of(action)
        assert row[Standing.ENTERPRISE] == row[Standing.INTAKE_UNIT] == Sight.NONE
    assert disclosure.rule_of("notice")[Standing.CO_UNIT] == Sight.ADDRESSEE


def _person(pk=1, role="unit_staff", unit_id=None, enterprise_id=None):
    return SimpleNamespace(
        pk=pk, role=role, unit_id=unit_id, enterprise_id=enterprise_id,
        is_unit_member=role in ("unit_staff", "unit_head"),
    )


def test_a_notice_reaches_only_the_unit_it_is_addressed_to():
    notice = SimpleNamespace(action="notice", actor=None, reason="x", payload={"unit": 7, "kind": "resolution"})
    co = frozenset({Standing.CO_UNIT})
    assert disclosure.sight_for(notice, actor=_person(unit_id=7), standings=co) == Sight.FULL
    assert disclosure.sight_for(notice, actor=_person(unit_id=8), standings=co) == Sight.NONE
    officer = _person(role="officer")
    team = frozenset({Standing.SERVICE_TEAM})
    assert disclosure.sight_for(notice, actor=officer, standings=team) == Sight.NONE
    triage = SimpleNamespace(action="notice", actor=None, reason="x", payload={"unit": 3, "kind": "triage"})
    assert disclosure.sight_for(triage, actor=officer, standings=team) == Sight.FULL


def test_whoever_wrote_a_text_reads_it():
    author = _person(pk=5, unit_id=7)
    colleague = _person(pk=6, unit_id=7)
    event = SimpleNamespace(action=Action.ASSESS, actor=author, reason="", payload={"assessment": "x"})
    former = frozenset({Standing.FORMER_UNIT})
    assert disclosure.sight_for(event, actor=colleague, standings=former) == Sight.FULL
    assert disclosure.sight_for(event, actor=_person(pk=9, unit_id=8), standings=former) == Sight.FACT


def test_a_withheld_event_keeps_its_facts_and_loses_its_text():
    event = SimpleNamespace(
        action=Action.DISPATCH, reason="note", payload={"lead_unit": "zrzy", "co_units": [], "note": "n"}
    )
    shown = disclosure.event_withheld(event)
    assert shown.reason == "" and shown.payload == {"lead_unit": "zrzy", "co_units": []} and shown.withheld
    assert event.reason == "note"


def test_the_assessment_and_the_extension_reason_are_internal_the_reply_is_not():
    assert disclosure.fields_hidden(frozenset({Standing.ENTERPRISE})) == {"assessment", "extension_reason"}
    assert disclosure.fields_hidden(frozenset({Standing.CO_UNIT})) == frozenset()


@pytest.mark.django_db
def test_each_text_field_of_the_action_forms_says_who_reads_it():
    marks = {}
    for action, form_class in ACTION_FORMS.items():
        form = form_class()
        disclosure.form_audience_mark(form, action)
        for name, field in form.fields.items():
            if hasattr(field, "audience"):
                marks[(action, name)] = field.audience["public"]
    assert marks[("assess", "assessment")] is False
    assert marks[("triage-dispatch", "note")] is False
    assert marks[("dispatch", "note")] is False
    assert marks[("return", "reason")] is False
    assert marks[("extend", "reason")] is False
    assert marks[("reply", "reply")] is True
    assert marks[("wait", "question")] is True
    # Not a text: the number of working days, the category.
    assert ("extend", "days") not in marks and ("triage", "category") not in marks
