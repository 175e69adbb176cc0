"""The rule form: the shape of a rule's input (the service checks the codes and the rules)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.demands.models import Channel, Urgency
from mashang.org.models import Category, Unit
from mashang.routing.models import Rule
from mashang.routing.rules import RuleSpec

#: A list typed into one box: split at commas (either width), semicolons and new lines.
_SPLIT = re.compile(r"[,，;；、\n\r]+")


class ListField(forms.CharField):
    """Values typed into one box, separated by commas or new lines."""

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [v.strip() for v in _SPLIT.split(text or "") if v.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return "，".join(value)
        return value


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RuleForm(forms.Form):
    rule = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        help_text=_("1 is tried first. Leave empty to keep a rule where it is, or to add it last."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), required=False, widget=forms.CheckboxSelectMultiple
    )
    words = ListField(
        label=_("Words in the title or description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Any one of them matches. Separate them with commas or new lines."),
    )
    industries = ListField(
        label=_("Enterprise industries"), required=False, help_text=_("Separate with commas.")
    )
    sub_districts = ListField(
        label=_("Enterprise sub-districts"), required=False, help_text=_("Separate with commas.")
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    filed_from = forms.TimeField(label=_("Filed from (time of day)"), required=False, widget=_time_widget())
    filed_until = forms.TimeField(
        label=_("Filed until (time of day)"),
        required=False,
        widget=_time_widget(),
        help_text=_("A window whose start is later than its end crosses midnight (22:00–06:00)."),
    )
    lead_unit = forms.ChoiceField(label=_("Lead unit"))
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)
    basis = forms.CharField(
        label=_("Basis"),
        max_length=200,
        required=False,
        help_text=_("Why the rule exists, e.g. the review meeting's decision that adopted it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(Unit.objects.filter(is_active=True).values_list("code", "name"))
        self.fields["categories"].choices = list(
            Category.objects.filter(is_active=True).values_list("code", "name")
        )
        self.fields["lead_unit"].choices = [("", _("Choose the lead unit")), *units]
        self.fields["co_units"].choices = units
        self.fields["urgency"].choices = [("", _("Leave as triaged")), *Urgency.choices]

    @staticmethod
    def initial_of(rule: Rule) -> dict[str, Any]:
        spec = RuleSpec.of(rule)
        return {
            "rule": rule.pk,
            "version": rule.version,
            "name": spec.name,
            "is_active": spec.is_active,
            "position": rule.position,
            "categories": list(spec.categories),
            "words": list(spec.words),
            "industries": list(spec.industries),
            "sub_districts": list(spec.sub_districts),
            "channels": list(spec.channels),
            "filed_from": spec.filed_from,
            "filed_until": spec.filed_until,
            "lead_unit": spec.lead_unit,
            "co_units": list(spec.co_units),
            "urgency": spec.urgency,
            "basis": spec.basis,
        }

    def spec(self) -> RuleSpec:
        d = self.cleaned_data
        return RuleSpec.build(
            name=d["name"],
            is_active=bool(d["is_active"]),
            position=d.get("position"),
            categories=d["categories"],
            words=d["words"],
            industries=d["industries"],
            sub_districts=d["sub_districts"],
            channels=d["channels"],
            filed_from=d["filed_from"],
            filed_until=d["filed_until"],
            lead_unit=d["lead_unit"],
            co_units=d["co_units"],
            urgency=d["urgency"],
            basis=d["basis"],
        )


class AutoDispatchForm(forms.Form):
    """The zone's automatic-dispatch settings (administrators)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    is_enabled = forms.BooleanField(label=_("Dispatch automatically"), required=False)
    threshold = forms.FloatField(
        label=_("Confidence threshold"), min_value=0.5, max_value=1,
        help_text=_("Between 0.5 and 1. A new demand is dispatched without an officer only when its category, and its lead unit unless a rule decides it, are suggested at least this confidently."),
    )
    excluded_categories = forms.MultipleChoiceField(
        label=_("Never for these categories"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excluded_categories"].choices = list(
            Category.objects.filter(is_active=True).order_by("code").values_list("code", "name")
        )

    @classmethod
    def of(cls, row) -> AutoDispatchForm:
        return cls(initial={
            "version": row.version, "is_enabled": row.is_enabled, "threshold": row.threshold,
            "excluded_categories": list(row.excluded_categories or []),
        })
