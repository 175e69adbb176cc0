"""The shape of the form that registers a demand for an enterprise (a phone call, a visit, a
chat message, a 12345 transfer): the enterprise picked or added, the channel, the demand,
and for the service team its triage and dispatch in the same go. Rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import BoundedDateTimeField
from mashang.core.files import attachments_check
from mashang.core.forms import MultipleFileField
from mashang.demands.models import Channel, Urgency
from mashang.org.selectors import category_list, unit_choices

#: The channels an officer or a unit registers a demand from.
INTAKE_CHANNELS = [Channel.PHONE, Channel.VISIT, Channel.CHAT, Channel.HOTLINE]


REGISTER, TRIAGE, DISPATCH = "register", "triage", "dispatch"
THEN_CHOICES = [
    (DISPATCH, _("Classify and dispatch it now")),
    (TRIAGE, _("Classify it now, dispatch later")),
    (REGISTER, _("Only register it: the service team triages it")),
]

MSG_PICK_ENTERPRISE = _("Pick the enterprise, or add it below if it is not registered yet.")
MSG_PICK_OR_ADD = _("Pick a registered enterprise or add a new one, not both.")
MSG_CATEGORY_TO_TRIAGE = _("Choose a category to classify the demand now.")


class IntakeForm(forms.Form):
    """An officer (with triage and dispatch) or a unit's member (without) registers a demand."""

    q = forms.CharField(
        label=_("Find the enterprise"),
        required=False,
        max_length=100,
        help_text=_("A piece of its name, the start of its credit code, or a contact's phone."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    enterprise = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    enterprise_credit_code = forms.CharField(
        label=_("Unified social credit code"), required=False, max_length=40
    )
    enterprise_name = forms.CharField(label=_("Enterprise name"), required=False, max_length=200)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    external_number = forms.CharField(label=_("12345 order number"), required=False, max_length=40)
    external_due_at = BoundedDateTimeField(
        label=_("12345 deadline"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contact_name = forms.CharField(label=_("Caller or visitor"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Their phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    # The service team's part: triage and dispatch in the same go.
    then = forms.ChoiceField(
        label=_("And then"), choices=THEN_CHOICES, initial=DISPATCH, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    lead_unit = forms.ChoiceField(label=_("Lead unit"), required=False)
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: PDF, JPG, PNG, Word or Excel."),
    )

    #: The fields only the service team gets.
    TEAM_FIELDS = ("then", "urgency", "lead_unit", "co_units", "attachments")

    def __init__(self, *args, team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        categories = list(category_list())
        if team:
            # The category's default lead unit beside it: who gets it unless another is named.
            self.fields["category"].choices = [
                ("", _("Choose a category")),
                *[
                    (c.code, f"{c.name} → {c.default_lead_unit.name}" if c.default_lead_unit else c.name)
                    for c in categories
                ],
            ]
            units = unit_choices()
            self.fields["lead_unit"].choices = [("", _("The category's default lead unit")), *units]
            self.fields["co_units"].choices = units
        else:
            self.fields["category"].choices = [
                ("", _("Not sure: the service team will classify it")),
                *[(c.code, c.name) for c in categories],
            ]
            for name in self.TEAM_FIELDS:
                del self.fields[name]

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        problems = attachments_check(files)
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self):
        data = super().clean()
        picked = (data.get("enterprise") or "").strip()
        added = (data.get("enterprise_credit_code") or "").strip()
        if not picked and not added:
            self.add_error("enterprise", MSG_PICK_ENTERPRISE)
        elif picked and added:
            self.add_error("enterprise", MSG_PICK_OR_ADD)
        if self.team and data.get("then") in (TRIAGE, DISPATCH) and not data.get("category"):
            self.add_error("category", MSG_CATEGORY_TO_TRIAGE)
        return data

    def submit_data(self) -> dict:
        """The arguments of ``demand_submit``."""
        d = self.cleaned_data
        hotline = d["channel"] == Channel.HOTLINE
        picked = (d.get("enterprise") or "").strip()
        return {
            "title": d["title"],
            "description": d["description"],
            "channel": d["channel"],
            "category_code": d.get("category") or None,
            "enterprise_credit_code": picked or d["enterprise_credit_code"],
            "enterprise_name": "" if picked else d["enterprise_name"],
            "contact_name": d["contact_name"],
            "contact_phone": d["contact_phone"],
            # The order number and deadline go with a 12345 transfer only.
            "external_number": d["external_number"] if hotline else "",
            "external_due_at": d["external_due_at"] if hotline else None,
        }

    def enterprise_field(self, name: str) -> str:
        """The form's field for a field the submit service names."""
        if name == "enterprise_credit_code" and (self.cleaned_data.get("enterprise") or "").strip():
            return "enterprise"
        return {"category_code": "category"}.get(name, name)
