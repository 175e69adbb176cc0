"""The shape of "My notification settings": e-mail on or off; for a unit's head, the unit's work
groups that receive messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    email = forms.BooleanField(
        label=_("Also send my messages by e-mail"),
        required=False,
        help_text=_("The inbox always receives them."),
    )
    robots = forms.TypedMultipleChoiceField(
        label=_("My unit's work groups that receive messages"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A group left unticked gets no messages from mashang until you tick it again."),
    )

    def __init__(self, *args, robots=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.robot_choices = list(robots)
        if self.robot_choices:
            self.fields["robots"].choices = [(r.pk, str(r)) for r in self.robot_choices]
        else:
            del self.fields["robots"]
