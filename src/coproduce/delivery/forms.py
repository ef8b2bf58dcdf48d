"""Forms of co-delivery: tasks, shifts, sign-ups, requirements and calendar feeds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative
from coproduce.people.models import Person
from coproduce.ranges import SHIFT_HOURS, SHIFT_PLACES
from coproduce.widgets import datetime_field

from .models import (
    Requirement,
    Task,
)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "title",
            "description",
            "address",
            "latitude",
            "longitude",
            "skills",
            "work_type",
            "requirements",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "requirements": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "latitude": _("Optional: puts the task on the map (e.g. 53.4808)."),
            "longitude": _("Optional, with the latitude (e.g. -2.2426)."),
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].queryset = Requirement.objects.filter(initiative=initiative)

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        if latitude is not None and not -90 <= latitude <= 90:
            self.add_error("latitude", _("A latitude is between -90 and 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            self.add_error("longitude", _("A longitude is between -180 and 180."))
        return cleaned

    def _post_clean(self):
        # The service validates the whole task (it needs the initiative and the phase); the
        # form's own model validation would only repeat it without them.
        pass


class ShiftForm(forms.Form):
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    capacity = forms.IntegerField(label=_("Places"), **SHIFT_PLACES.form_bounds())
    professional = forms.ModelChoiceField(
        label=_("Professional on the shift (optional)"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("They confirm the hours of the people who came."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = professionals

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return cleaned


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Requirement
        fields = ["name", "description", "valid_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        # Uniqueness within the initiative is checked by the service, which knows it.
        pass


class RequirementConfirmForm(forms.Form):
    requirement = forms.ModelChoiceField(
        label=_("Requirement"), queryset=Requirement.objects.none()
    )
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        help_text=_("E.g. the date of the training or the reference of the check."),
    )

    def __init__(self, *args, requirements, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = requirements
        self.fields["person"].queryset = people


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours"), decimal_places=2, **SHIFT_HOURS.form_bounds())
