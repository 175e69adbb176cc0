"""What the apps' forms share: a field that takes several files at once."""

from __future__ import annotations

from django import forms

from mashang.core.files import ACCEPT


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
