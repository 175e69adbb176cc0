"""What the apps' forms share: a field that takes several files at once, and a form that
carries files and keeps them through a failed try (:class:`FilesForm`)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from mashang.core.files import ACCEPT, MAX_FILES, attachments_check
from mashang.core.models import StoredFile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files (a list, maybe empty); the input offers the types of
    :data:`mashang.core.files.KINDS`. The limits are checked by
    :func:`mashang.core.files.attachments_check`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class HeldFilesField(forms.Field):
    """The ids of the files held for this form (:mod:`mashang.core.uploads`), one checkbox
    each: a ticked one is kept, an unticked one dropped. Which ids are the sender's own is
    the view's check (:func:`mashang.core.uploads.held_get`); here only the shape."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        return [int(v) for v in values if str(v).isdigit()][:MAX_FILES * 2]

    def validate(self, value) -> None:
        pass


class FilesForm(forms.Form):
    """A form that carries files: new ones (``attachments``) and those held from a failed
    try (``held``), listed as kept above the file input. Mix it into a form (first base);
    :meth:`files_pop` takes both out of ``cleaned_data`` so the rest is a service's call."""

    takes_files = True

    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("Up to 5 files of at most 10 MB each: PDF, JPG, PNG, Word or Excel."),
    )
    held = HeldFilesField(label=_("Files kept from your last try"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # After the form's own fields: the kept files above the file input.
        for name in ("held", "attachments"):
            self.fields[name] = self.fields.pop(name)
        self._held_offer([])

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        problems = attachments_check(files)
        if problems:
            raise forms.ValidationError(problems)
        return files

    def held_show(self, held: Sequence[StoredFile]) -> None:
        """Offer ``held`` (the sender's own holds) as kept, all ticked (call it on a form
        that failed, to send it back with its files)."""
        self._held_offer(held)
        ids = [str(h.pk) for h in held]
        if not self.is_bound:
            self.initial["held"] = ids
            return
        data = self.data.copy()
        key = self.add_prefix("held")
        if hasattr(data, "setlist"):
            data.setlist(key, ids)
        else:
            data[key] = ids
        self.data = data

    def _held_offer(self, held: Sequence[StoredFile]) -> None:
        field = self.fields["held"]
        if held:
            field.widget = forms.CheckboxSelectMultiple(choices=[(str(h.pk), h.original_name) for h in held])
        else:
            field.widget = forms.MultipleHiddenInput()

    def files_pop(self) -> tuple[list, list[int]]:
        """The new files and the held ids, taken out of ``cleaned_data``."""
        data = self.cleaned_data
        return data.pop("attachments", None) or [], data.pop("held", None) or []
