"""The shape of what the land-start pages post. The rules live in the services (and in
:mod:`mashang.landstart.dag`); these forms check shape and, for the template editor, point
each fault of the steps at the row and field it is about."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import BoundedDateField, BoundedDateTimeField
from mashang.core.forms import MultipleFileField
from mashang.landstart import dag
from mashang.landstart.bpmn import MAX_BYTES, MSG_TOO_LARGE
from mashang.landstart.specs import StepSpec
from mashang.org.selectors import unit_choices
from mashang.projects.models import ProjectType

#: Most rows the template editor shows or accepts (the API's limit of steps).
MAX_ROWS = 100
#: Empty rows the editor adds under the steps, for new ones.
SPARE_ROWS = 3
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]

MSG_CHOOSE_PROJECT = _("Choose a project whose land is listed.")


class StepActionForm(forms.Form):
    """Complete or mark ready: only the version of the step the page showed."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class CompleteForm(StepActionForm):
    """Complete a step: with its document (uploaded here or before), or, where the template
    allows, under a commitment — who promised the document and by when. The board leaves out
    the fields a step has no use for; the service decides."""

    documents = MultipleFileField(
        label=_("The document"),
        required=False,
        help_text=_("PDF, JPG, PNG, Word or Excel; not needed when it was uploaded before."),
    )
    promised_by = forms.CharField(
        label=_("Promised by"),
        max_length=200,
        required=False,
        help_text=_("Who promises the missing document, as the signed commitment names them."),
    )
    due_on = BoundedDateField(
        label=_("Promised by the date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    #: The fields of the “complete under a commitment” part.
    COMMITMENT_FIELDS = ("promised_by", "due_on")

    def wants_commitment(self) -> bool:
        d = self.cleaned_data
        return bool((d.get("promised_by") or "").strip() or d.get("due_on"))


class ReasonForm(StepActionForm):
    """Send a step back, or cancel the run: a reason (the service says when it is missing)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AwardForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    awarded_at = BoundedDateTimeField(
        label=_("Award time"),
        input_formats=DATETIME_FORMATS,
        help_text=_("As the trading centre recorded it; the clock starts then."),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("awarded_at", timezone.localtime().replace(microsecond=0))
        super().__init__(*args, **kwargs)


class DocumentsForm(forms.Form):
    files = MultipleFileField(
        label=_("Documents"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: PDF, JPG, PNG, Word or Excel."),
    )


class OpenRunForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int, empty_value=None)
    template = forms.ChoiceField(label=_("Bundle template"))

    def __init__(
        self,
        *args,
        projects: Sequence[tuple[int, str]] = (),
        templates: Sequence[tuple[str, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", MSG_CHOOSE_PROJECT), *projects]
        self.fields["template"].choices = list(templates)


class TemplateHeadForm(forms.Form):
    code = forms.CharField(
        label=_("Template code"),
        max_length=40,
        required=False,
        help_text=_(
            "Lower-case letters, digits, “_” or “-”. An existing code gets its next version."
        ),
    )
    name = forms.CharField(label=_("Template name"), max_length=200, required=False)
    award_unit = forms.ChoiceField(
        label=_("Award unit"), required=False, help_text=_("The unit that records the award.")
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    project_types = forms.MultipleChoiceField(
        label=_("Opens by itself for"),
        choices=ProjectType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A project of a type ticked here gets a run of this template as soon as its land is "
            "listed, without anyone applying. One template per type; a type no template takes gets "
            "the default bundle."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_unit"].choices = [("", "—"), *unit_choices()]


class BpmnImportForm(TemplateHeadForm):
    file = forms.FileField(
        label=_("BPMN 2.0 file"),
        help_text=_(
            "Exported from a BPMN modeler (.bpmn): tasks are steps, lanes name their units."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml"}),
    )

    field_order = ["file", "code", "name", "award_unit", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _("Empty: the name of the file's process.")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size is not None and f.size > MAX_BYTES:
            raise forms.ValidationError(MSG_TOO_LARGE)
        return f


class StepRowForm(forms.Form):
    """One step of the template editor; a row left entirely empty is no step."""

    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    prerequisites = forms.CharField(
        label=_("Prerequisites"),
        max_length=2000,
        required=False,
        help_text=_("Step codes, comma-separated."),
    )
    expected_minutes = forms.IntegerField(
        label=_("Expected minutes"), min_value=0, max_value=100_000, required=False
    )
    pre_reviewable = forms.BooleanField(label=_("Pre-review"), required=False)
    document = forms.CharField(label=_("Document it yields"), max_length=200, required=False)
    allows_commitment = forms.BooleanField(label=_("Commitment allowed"), required=False)
    commitment_working_days = forms.IntegerField(
        label=_("Longest promise (working days)"), min_value=1, max_value=60, required=False
    )

    def __init__(self, *args, units: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *units]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(f) for f in ("code", "name", "unit", "prerequisites", "document")
        ) and not data.get("expected_minutes")

    def prerequisite_codes(self) -> tuple[str, ...]:
        raw = (self.cleaned_data.get("prerequisites") or "").replace("，", ",").replace("、", ",")
        return tuple(dict.fromkeys(p for p in raw.replace(",", " ").split() if p))

    def spec(self) -> StepSpec:
        d = self.cleaned_data
        return StepSpec(
            code=(d.get("code") or "").strip(),
            name=(d.get("name") or "").strip(),
            unit=d.get("unit") or "",
            prerequisites=self.prerequisite_codes(),
            expected_minutes=d.get("expected_minutes") or 0,
            pre_reviewable=bool(d.get("pre_reviewable")),
            document=(d.get("document") or "").strip(),
            allows_commitment=bool(d.get("allows_commitment")),
            commitment_working_days=d.get("commitment_working_days") or 10,
        )


def step_rows(
    data=None, *, initial: Sequence[StepSpec] = (), count: int | None = None
) -> list[StepRowForm]:
    """The editor's rows: the steps given (a version to start from) and a few empty ones; on a
    post, as many rows as the page sent (``rows``), at most :data:`MAX_ROWS`."""
    units = unit_choices()
    if data is not None:
        try:
            count = int(data.get("rows", 0))
        except (TypeError, ValueError):
            count = 0
        count = max(1, min(count, MAX_ROWS))
        return [
            StepRowForm(data, prefix=f"s{i}", units=units, auto_id="id_%s", label_suffix="")
            for i in range(count)
        ]
    count = count if count is not None else min(len(initial) + SPARE_ROWS, MAX_ROWS)
    rows = []
    for i in range(count):
        spec = initial[i] if i < len(initial) else None
        start = (
            {
                "code": spec.code,
                "name": spec.name,
                "unit": spec.unit,
                "prerequisites": ", ".join(spec.prerequisites),
                "expected_minutes": spec.expected_minutes,
                "pre_reviewable": spec.pre_reviewable,
                "document": spec.document,
                "allows_commitment": spec.allows_commitment,
                "commitment_working_days": spec.commitment_working_days,
            }
            if spec
            else {}
        )
        rows.append(
            StepRowForm(
                initial=start, prefix=f"s{i}", units=units, auto_id="id_%s", label_suffix=""
            )
        )
    return rows


def rows_again(rows: Sequence[StepRowForm], extra: int) -> list[StepRowForm]:
    """The rows as posted, unchecked, with ``extra`` empty rows under them (“more rows”)."""
    units = unit_choices()
    count = min(len(rows) + extra, MAX_ROWS)
    again = []
    for i in range(count):
        start = (
            {name: rows[i][name].value() for name in StepRowForm.base_fields}
            if i < len(rows)
            else {}
        )
        again.append(
            StepRowForm(
                initial=start, prefix=f"s{i}", units=units, auto_id="id_%s", label_suffix=""
            )
        )
    return again


def _ring(code: str, prerequisites: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A shortest chain of prerequisites leading from ``code`` back to itself, prerequisite
    first (as :data:`dag.MSG_CYCLE` reads), or None when the step is on no cycle."""
    parents: dict[str, str] = {}
    frontier = [code]
    while frontier:
        following = []
        for here in frontier:
            for needed in prerequisites.get(here, ()):
                if needed == code:
                    chain = [here]
                    while chain[-1] != code:
                        chain.append(parents[chain[-1]])
                    # chain: here … code, each needing the one before it reversed
                    return [code, *chain]
                if needed not in parents and needed in prerequisites:
                    parents[needed] = here
                    following.append(needed)
        frontier = following
    return None


def rows_check(rows: Sequence[StepRowForm]) -> bool:
    """Point the faults of the steps at their rows: a code used twice, a prerequisite that is
    no step, a step on a circle of prerequisites (the same messages the template service
    gives for the whole bundle). True when no row has an error."""
    ok = all(r.is_valid() for r in rows)
    filled = [r for r in rows if r.is_valid() and not r.is_blank()]
    codes: dict[str, int] = {}
    for r in filled:
        code = r.spec().code
        if code:
            codes[code] = codes.get(code, 0) + 1
    prerequisites = {r.spec().code: r.prerequisite_codes() for r in filled if r.spec().code}
    for r in filled:
        spec = r.spec()
        label = spec.code or "?"
        if spec.code and codes[spec.code] > 1:
            r.add_error("code", str(dag.MSG_DUPLICATE_CODE).format(code=spec.code))
        for needed in spec.prerequisites:
            if needed not in codes:
                r.add_error(
                    "prerequisites", str(dag.MSG_DANGLING).format(step=label, missing=needed)
                )
        ring = _ring(spec.code, prerequisites) if spec.code else None
        if ring:
            r.add_error("prerequisites", str(dag.MSG_CYCLE).format(cycle=dag.ARROW.join(ring)))
        if r.errors:
            ok = False
    return ok
