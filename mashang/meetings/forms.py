"""The shape of what the meeting pages post. Rules live in the services; forms only check shape.

Each action form's fields are named after the keyword arguments of the service that
``services.ACTIONS`` maps the action to, so :meth:`VersionedForm.call` is the call. The
decision form carries a fixed number of blank sub-rows (action items, rule changes, project
moves); a row left empty is ignored, and a service's message about row ``n`` of a list is put
beside the row it came from.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import BoundedDateField, BoundedDateTimeField
from mashang.meetings.models import AgendaItem, Kind, ProjectOutcome, RuleField, Status
from mashang.meetings.selectors import (
    chair_choices,
    participant_choices,
    secretary_choices,
)
from mashang.org.selectors import category_choices, unit_choices

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

#: How many blank sub-rows a decision form offers (at least one more than already planned).
BLANK_ROWS = {"action_items": 3, "rule_changes": 2, "project_moves": 1}
#: A decision plans at most this many of each (the API's limit too).
MAX_ROWS = 20


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(label) -> list[tuple[str, Any]]:
    return [("", label)]


# --- filters ---------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [*_blank(_("Any")), *Status.choices]
        self.fields["kind"].choices = [*_blank(_("Any")), *Kind.choices]

    def filters(self) -> dict[str, str | None]:
        if not self.is_valid():
            return {"status": None, "kind": None}
        return {
            "status": self.cleaned_data["status"] or None,
            "kind": self.cleaned_data["kind"] or None,
        }


class UnitFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Lead unit"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [*_blank(_("All units")), *unit_choices()]
        self.fields["unit"].widget.attrs["data-autosubmit"] = ""

    def selected_unit(self) -> str | None:
        return (self.cleaned_data.get("unit") or None) if self.is_valid() else None


# --- calling a meeting -----------------------------------------------------------------------


class PlanForm(forms.Form):
    """Call a meeting: the arguments of ``services.meeting_plan``."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.DEMAND_REVIEW)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = BoundedDateTimeField(label=_("Starts at"), widget=_datetime_widget())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.ChoiceField(label=_("Chair"))
    secretary = forms.ChoiceField(
        label=_("Secretary"), help_text=_("Keeps the agenda and the minutes.")
    )
    participants = forms.MultipleChoiceField(
        label=_("Participants"), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.MultipleChoiceField(
        label=_("Participating units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    period_start = BoundedDateField(
        label=_("Reviewed period from"), required=False, widget=_date_widget()
    )
    period_end = BoundedDateField(
        label=_("Reviewed period to (not included)"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave both empty to review the calendar month before the meeting."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [*_blank(_("Choose the chair")), *chair_choices()]
        self.fields["secretary"].choices = [
            *_blank(_("Choose the secretary")),
            *secretary_choices(),
        ]
        self.fields["participants"].choices = participant_choices()
        self.fields["units"].choices = unit_choices()


# --- one form per action ---------------------------------------------------------------------


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def call(self) -> dict[str, Any]:
        """The keyword arguments of the action's service."""
        return dict(self.cleaned_data)

    def field_of(self, name: str) -> str:
        """The form field a service's field name is shown at."""
        return name


class ItemForm(VersionedForm):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AddItemForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per piece of evidence."),
    )
    demand = forms.CharField(
        label=_("About the demand (number)"),
        max_length=20,
        required=False,
        help_text=_("E.g. SQ-2026-000123."),
    )
    project = forms.CharField(label=_("About the project (number)"), max_length=20, required=False)


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EditForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = BoundedDateTimeField(label=_("Starts at"), widget=_datetime_widget())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    participants = forms.MultipleChoiceField(
        label=_("Participants"), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.MultipleChoiceField(
        label=_("Participating units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = participant_choices()
        self.fields["units"].choices = unit_choices()


# --- the decision on an item, with its sub-rows ----------------------------------------------


def _action_item_fields(units, people) -> dict[str, forms.Field]:
    return {
        "title": forms.CharField(label=_("Matter"), max_length=200, required=False),
        "lead_unit": forms.ChoiceField(
            label=_("Lead unit"), required=False, choices=[*_blank("—"), *units]
        ),
        "co_units": forms.MultipleChoiceField(label=_("Co-units"), required=False, choices=units),
        "owner": forms.ChoiceField(
            label=_("Owner"), required=False, choices=[*_blank("—"), *people]
        ),
        "working_days": forms.IntegerField(
            label=_("Deadline (working days after approval)"),
            required=False,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        ),
        "closing_rule": forms.CharField(label=_("Closing rule"), max_length=300, required=False),
    }


def _rule_change_fields(categories) -> dict[str, forms.Field]:
    return {
        "category": forms.ChoiceField(
            label=_("Category"), required=False, choices=[*_blank("—"), *categories]
        ),
        "field": forms.ChoiceField(
            label=_("Rule"), required=False, choices=[*_blank("—"), *RuleField.choices]
        ),
        "value": forms.CharField(
            label=_("New value"),
            max_length=40,
            required=False,
            help_text=_("A unit code for the default lead unit, else a number."),
        ),
    }


def _project_move_fields() -> dict[str, forms.Field]:
    return {
        "project": forms.CharField(
            label=_("Project (number)"),
            max_length=20,
            required=False,
            help_text=_("Empty: the item's project."),
        ),
        "outcome": forms.ChoiceField(
            label=_("Outcome"), required=False, choices=[*_blank("—"), *ProjectOutcome.choices]
        ),
        "reason": forms.CharField(label=_("Reason"), max_length=500, required=False),
    }


def _planned(item: AgendaItem) -> dict[str, list[dict[str, Any]]]:
    """What the item's decision plans now, as the sub-rows' initial values."""
    return {
        "action_items": [
            {
                "title": a.title,
                "lead_unit": a.lead_unit.code,
                "co_units": [u.code for u in a.co_units.all()],
                "owner": a.owner.username if a.owner_id else "",
                "working_days": a.working_days,
                "closing_rule": a.closing_rule,
            }
            for a in item.action_items.all()
        ],
        "rule_changes": [
            {"category": c.category.code, "field": c.field, "value": c.value}
            for c in item.rule_changes.all()
        ],
        "project_moves": [
            {"project": m.project.number, "outcome": m.outcome, "reason": m.reason}
            for m in item.project_moves.all()
        ],
    }


def decide_choices() -> dict[str, list[tuple[str, str]]]:
    """The choices of a decision form's rows, read once for all the items of a page."""
    return {
        "units": unit_choices(),
        "people": participant_choices(),
        "categories": category_choices(),
    }


class DecideForm(ItemForm):
    """The decision on one accepted item, with the action items, rule changes and (at a
    land-supply review) project moves it plans, each a row of fields ``<list>-<n>-<name>``."""

    decision = forms.CharField(
        label=_("Decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, item: AgendaItem, land: bool, choices: dict | None = None, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        planned = _planned(item)
        initial.setdefault("item", item.pk)
        initial.setdefault("decision", item.decision)
        lists = ["action_items", "rule_changes"] + (["project_moves"] if land else [])
        for name in lists:
            for n, row in enumerate(planned[name]):
                for key, value in row.items():
                    initial[f"{name}-{n}-{key}"] = value
        super().__init__(*args, initial=initial, **kwargs)
        choices = choices or decide_choices()
        makers = {
            "action_items": lambda: _action_item_fields(choices["units"], choices["people"]),
            "rule_changes": lambda: _rule_change_fields(choices["categories"]),
            "project_moves": _project_move_fields,
        }
        self.lists = lists
        self.row_names: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        posted = self.data or {}
        for name in lists:
            keys = list(makers[name]())
            count = max(BLANK_ROWS[name], len(planned[name]) + 1)
            # As many rows as the page was rendered with, should the plan have changed meanwhile.
            while f"{name}-{count}-{keys[0]}" in posted and count < MAX_ROWS:
                count += 1
            self.counts[name] = count
            self.row_names[name] = keys
            for n in range(count):
                for key, field in makers[name]().items():
                    self.fields[f"{name}-{n}-{key}"] = field
        self.used: dict[str, list[int]] = {}

    def rows(self, name: str) -> list[dict[str, Any]]:
        return [
            {"n": n + 1, "fields": [self[f"{name}-{n}-{key}"] for key in self.row_names[name]]}
            for n in range(self.counts.get(name, 0))
        ]

    @property
    def action_item_rows(self):
        return self.rows("action_items")

    @property
    def rule_change_rows(self):
        return self.rows("rule_changes")

    @property
    def project_move_rows(self):
        return self.rows("project_moves")

    def call(self) -> dict[str, Any]:
        d = self.cleaned_data
        result: dict[str, Any] = {
            "version": d["version"],
            "item": d["item"],
            "decision": d["decision"],
        }
        for name in self.lists:
            rows, used = [], []
            for n in range(self.counts[name]):
                row = {key: d.get(f"{name}-{n}-{key}") for key in self.row_names[name]}
                if not any(v not in (None, "", []) for v in row.values()):
                    continue  # an empty row is ignored
                rows.append(row)
                used.append(n)
            result[name] = rows
            self.used[name] = used
        return result

    def field_of(self, name: str) -> str:
        """``action_items.0.working_days`` (the service's) → the row the first sent row came from."""
        parts = name.split(".")
        if len(parts) == 3 and parts[0] in self.used and parts[1].isdigit():
            index = int(parts[1])
            used = self.used[parts[0]]
            if index < len(used):
                return f"{parts[0]}-{used[index]}-{parts[2]}"
        return name


#: The form of each action of ``services.ACTIONS`` the meeting page offers.
ACTION_FORMS: dict[str, type[VersionedForm]] = {
    "edit": EditForm,
    "propose": VersionedForm,
    "accept-item": ItemForm,
    "drop-item": ItemForm,
    "add-item": AddItemForm,
    "freeze": VersionedForm,
    "decide": DecideForm,
    "hold": VersionedForm,
    "approve": VersionedForm,
    "cancel": CancelForm,
}
#: The actions done on one agenda item (their forms carry the item).
ITEM_ACTIONS = frozenset({"accept-item", "drop-item", "decide"})
