from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.people.models import Organisation

from .models import Initiative, Phase, ServiceSector


class InitiativeFilterForm(forms.Form):
    """The list's filters; an unknown value is a clear error, not an empty page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(
        label=_("Service sector"),
        required=False,
        choices=[("", _("All sectors")), *ServiceSector.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Initiative.Level.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage under way"),
        required=False,
        choices=[("", _("All stages")), *Phase.Kind.choices],
    )
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, areas: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas")), *[(a, a) for a in areas]]


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "summary", "description", "area", "level", "status", "host"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["starts_on", "ends_on", "status", "notes"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("A phase cannot end before it starts."))
        return cleaned


class InviteCoLeadForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    organisation = forms.ModelChoiceField(
        label=_("On behalf of which organisation (optional)"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
