"""The shape of what the demand pages post. Rules live in the services; forms only check shape.

Each action form's fields are named after the keyword arguments of the service that the
API's ``ACTIONS`` table maps the action to, so a valid form's ``cleaned_data`` is the call.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import BoundedDateTimeField
from mashang.core.bulk import SelectedItemsField
from mashang.core.files import MAX_FILES, attachments_check
from mashang.core.forms import FilesForm, MultipleFileField
from mashang.demands.models import ContactMethod, Rating, Urgency
from mashang.org.selectors import category_choices, coordinator_choices, unit_choices

MSG_YES = _("Yes, it was resolved")
MSG_NO = _("No, it was not resolved")
MSG_CHOOSE_FILES = _("Choose at least one file.")


class DemandForm(FilesForm):
    """An enterprise files a demand on the web (its files kept through a failed try)."""

    category = forms.ChoiceField(
        label=_("What is it about?"), required=False, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("One line: what do you need?")
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, where, since when, and what you have already tried."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: PDF, JPG, PNG, Word or Excel."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Not sure: the service team will classify it")),
            *category_choices(),
        ]

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        problems = attachments_check(files)
        if problems:
            raise forms.ValidationError(problems)
        return files


# --- one form per action -----------------------------------------------------------------


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class NoteForm(VersionedForm):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TriageForm(VersionedForm):
    category = forms.ChoiceField(label=_("Category"))
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No category is preselected: an unclassified demand must be classified on purpose.
        self.fields["category"].choices = [("", _("Choose a category")), *category_choices()]


class DispatchForm(VersionedForm):
    lead_unit = forms.ChoiceField(label=_("Lead unit"), required=False)
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_choices()
        self.fields["lead_unit"].choices = [("", _("The category's default lead unit")), *units]
        self.fields["co_units"].choices = units


class TriageDispatchForm(TriageForm, DispatchForm):
    """The service team's one screen: classify, then send, in one go (two moves, two events)."""

    field_order = ["version", "category", "urgency", "lead_unit", "co_units", "note"]

    def triage_data(self) -> dict:
        d = self.cleaned_data
        return {
            "version": d["version"],
            "category": d["category"],
            "urgency": d["urgency"],
            "note": d["note"],
        }

    def dispatch_data(self) -> dict:
        d = self.cleaned_data
        return {"lead_unit": d["lead_unit"], "co_units": d["co_units"], "note": d["note"]}


class AssignCaseForm(VersionedForm):
    """The leader takes a difficult case on."""

    coordinator = forms.ChoiceField(label=_("Coordinator"))
    lead_unit = forms.ChoiceField(label=_("Lead unit"))
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    working_days = forms.IntegerField(
        label=_("Deadline (working days)"), min_value=1, max_value=90, initial=10
    )
    note = forms.CharField(
        label=_("Instructions"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = unit_choices()
        self.fields["coordinator"].choices = [("", _("Choose the coordinator")), *coordinator_choices()]
        self.fields["lead_unit"].choices = [("", _("Choose the lead unit")), *units]
        self.fields["co_units"].choices = units


class AssessForm(FilesForm, VersionedForm):
    assessment = forms.CharField(
        label=_("Assessment and decision reference"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReplyForm(FilesForm, VersionedForm):
    reply = forms.CharField(
        label=_("Reply to the enterprise"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ConfirmForm(VersionedForm):
    resolved = forms.TypedChoiceField(
        label=_("Was your demand resolved?"),
        choices=[("yes", MSG_YES), ("no", MSG_NO)],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtendForm(VersionedForm):
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class WaitForm(VersionedForm):
    question = forms.CharField(
        label=_("Question to the enterprise"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResumeForm(FilesForm, VersionedForm):
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class RespondForm(FilesForm, NoteForm):
    """The lead unit's first contact, with the written reply or permit it may attach."""

    method = forms.ChoiceField(label=_("Contacted by"), choices=ContactMethod.choices, widget=forms.RadioSelect)
    contact_with = forms.CharField(
        label=_("Spoke with"), max_length=100, help_text=_("The person contacted, e.g. the general manager, Mr Li.")
    )
    contacted_at = BoundedDateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty if it was just now."),
    )
    field_order = ["version", "method", "contact_with", "contacted_at", "note"]


class OpinionForm(FilesForm, VersionedForm):
    """A co-unit's opinion for the lead unit, seen before it replies."""

    opinion = forms.CharField(
        label=_("Opinion for the lead unit"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ApproveExtensionForm(NoteForm):
    days = forms.IntegerField(
        label=_("Working days approved"),
        min_value=1,
        max_value=30,
        required=False,
        help_text=_("The days asked for, or fewer."),
    )
    field_order = ["version", "days", "note"]


class WithdrawForm(ReasonForm):
    confirm = forms.BooleanField(label=_("I confirm I withdraw this demand"))

    def clean(self):
        # The box is the form's own check; the service takes the reason.
        data = super().clean()
        data.pop("confirm", None)
        return data


class AttachForm(FilesForm):
    """Files added at any time while the demand is open (supplementary material)."""

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("attachments") and not data.get("held"):
            self.add_error("attachments", MSG_CHOOSE_FILES)
        return data


class MergeForm(VersionedForm):
    into = forms.CharField(
        label=_("Merge into (number)"),
        max_length=20,
        help_text=_("The number of the demand to keep, e.g. SQ-2026-000123."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


#: The form of each action of the API's ACTIONS table (and the combined triage-and-dispatch).
TRIAGE_DISPATCH = "triage-dispatch"
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "triage": TriageForm,
    "dispatch": DispatchForm,
    "respond": RespondForm,
    "assess": AssessForm,
    "opinion": OpinionForm,
    "reply": ReplyForm,
    "confirm": ConfirmForm,
    "return": ReasonForm,
    "extend": ExtendForm,
    "approve-extension": ApproveExtensionForm,
    "refuse-extension": NoteForm,
    "wait": WaitForm,
    "resume": ResumeForm,
    "reopen": ReasonForm,
    "escalate": ReasonForm,
    "assign-case": AssignCaseForm,
    "decline-case": ReasonForm,
    "sign-off": NoteForm,
    "merge": MergeForm,
    "withdraw": WithdrawForm,
    TRIAGE_DISPATCH: TriageDispatchForm,
    "attach": AttachForm,
}

__all__ = ["ACTION_FORMS", "DemandForm", "MAX_FILES", "TRIAGE_DISPATCH", "TriageDispatchForm"]


class BulkDispatchForm(forms.Form):
    """The service team's queue: several demands sent at once, to one lead unit or each to its
    category's default lead unit."""

    demands = SelectedItemsField(label=_("Demands"))
    lead_unit = forms.ChoiceField(label=_("Lead unit"), required=False)
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        units = unit_choices()
        self.fields["lead_unit"].choices = [("", _("Each category's default lead unit")), *units]
        self.fields["co_units"].choices = units
