"""The shape of what the project pages post. Rules live in the services; forms only check shape.

Amounts, areas and dates are plain text fields: the services read them exactly and answer
with a message per field, which the views put back beside the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import BoundedDateField
from mashang.org.models import User
from mashang.org.selectors import category_choices
from mashang.projects.models import PIPELINE, Industry, ProjectType, Stage

BLANK = [("", "—")]


def officer_choices() -> list[tuple[str, str]]:
    people = User.objects.filter(role=User.Role.OFFICER, is_active=True).order_by("username")
    return BLANK + [(u.username, f"{u.display_name or u.username} ({u.username})") for u in people]


class ProjectFieldsForm(forms.Form):
    """The editable fields of a project (the new-project form and the edit form)."""

    name = forms.CharField(label=_("Project name"), max_length=400, required=False)
    investor_credit_code = forms.CharField(
        label=_("Investor credit code"), max_length=40, required=False,
        help_text=_("For an investor registered as an enterprise; leave empty for a prospective investor."),
    )
    investor_name = forms.CharField(
        label=_("Investor"), max_length=400, required=False,
        help_text=_("The prospective investor's name, when it is not yet a registered enterprise."),
    )
    project_type = forms.ChoiceField(label=_("Project type"), choices=BLANK + ProjectType.choices, required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=BLANK + Industry.choices, required=False)
    planned_investment = forms.CharField(
        label=_("Planned investment (yuan)"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    land_area_mu = forms.CharField(
        label=_("Planned land area (mu)"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Give mu or m²; the other is computed (1 mu = 2000/3 m²)."),
    )
    land_area_m2 = forms.CharField(
        label=_("Planned land area (m²)"), max_length=40, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    service_officer = forms.ChoiceField(label=_("Service officer"), required=False)
    is_key = forms.BooleanField(label=_("Key project"), required=False)
    is_city_key = forms.BooleanField(label=_("On the city's key schedule"), required=False)
    behind_plan_reason = forms.CharField(
        label=_("Why behind plan"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_officer"].choices = officer_choices()


class ProjectEditForm(ProjectFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self, project) -> dict:
        """What the form changes, as keyword arguments of ``project_update``."""
        data = dict(self.cleaned_data)
        data.pop("version")
        # The areas are sent together: the one left empty is computed from the other.
        old_mu = "" if project.land_area_mu is None else str(project.land_area_mu)
        old_m2 = "" if project.land_area_m2 is None else str(project.land_area_m2)
        if data["land_area_mu"] == old_mu and data["land_area_m2"] == old_m2:
            data.pop("land_area_mu")
            data.pop("land_area_m2")
        elif data["land_area_mu"] != old_mu and data["land_area_m2"] == old_m2:
            data["land_area_m2"] = ""
        elif data["land_area_m2"] != old_m2 and data["land_area_mu"] == old_mu:
            data["land_area_mu"] = ""
        return data


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ListLandForm(ActionForm):
    """Listing the land: its land-start run opens by itself, due by the day the listing closes."""

    listing_closes_on = BoundedDateField(
        label=_("Listing closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The units' pre-review deadline. Empty: the planned award day."),
    )


class MilestonesForm(forms.Form):
    """One planned date per stage the project goes through."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, stages=PIPELINE, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = list(stages)
        for stage in self.stages:
            self.fields[f"planned_{stage}"] = forms.CharField(
                label=Stage(stage).label, required=False, max_length=20,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def plans(self) -> list[tuple[str, str]]:
        return [(s, self.cleaned_data.get(f"planned_{s}") or None) for s in self.stages]


class FundsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    received_on = forms.CharField(label=_("Received on"), max_length=20, required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=400, required=False)


class BlockerForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=400, required=False,
                            help_text=_("One line: what is blocking the project?"))
    description = forms.CharField(label=_("Description"), max_length=10000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    category_code = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = BLANK + category_choices()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file (.xlsx)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("The columns of the exported ledger; at most 5 MB. Nothing is imported if any row is wrong."),
    )
