"""Forms of the contributions ledger."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative, Phase
from coproduce.people.models import Organisation, Person
from coproduce.ranges import VALUATION_RATE, contribution_quantity_problem
from coproduce.widgets import DateInput

from .activities import activity_choices, activity_from_key
from .models import Capacity, ContributionKind


class ContributionForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Who contributed"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Leave empty to record your own contribution."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    quantity = forms.DecimalField(
        label=_("How much"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Hours for time; an amount for money; units for other resources."),
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    capacity = forms.ChoiceField(label=_("Contributing"), choices=Capacity.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation (when on its behalf)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.none(),
        required=False,
        help_text=_("Leave empty: the phase under way on that date."),
    )
    activity = forms.ChoiceField(
        label=_("Activity"),
        required=False,
        help_text=_("What the contribution was for, if it was for a task of this initiative."),
    )
    work_type = forms.CharField(
        label=_("Kind of work"),
        max_length=80,
        required=False,
        help_text=_("E.g. home visit, gardening: decides the replacement-cost rate."),
    )
    description = forms.CharField(label=_("What you did or gave"), max_length=300, required=False)

    def __init__(self, *args, initiative: Initiative, people=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.order_by("name")
        )
        self.fields["phase"].queryset = initiative.phases.all()
        self.fields["phase"].label_from_instance = lambda phase: phase.get_kind_display()
        self.initiative = initiative
        self.fields["activity"].choices = [("", "—"), *activity_choices(initiative)]

    def clean_activity(self):
        key = self.cleaned_data.get("activity")
        if not key:
            return None
        activity = activity_from_key(self.initiative, key)
        if activity is None:
            raise forms.ValidationError(_("Choose an activity of this initiative."))
        return activity

    def clean(self):
        cleaned = super().clean()
        kind, quantity = cleaned.get("kind"), cleaned.get("quantity")
        problem = kind and quantity is not None and contribution_quantity_problem(kind, quantity)
        if problem:
            self.add_error("quantity", problem)
        if cleaned.get("capacity") == Capacity.ORGANISATION and not cleaned.get("organisation"):
            self.add_error("organisation", _("Say on behalf of which organisation."))
        if cleaned.get("capacity") != Capacity.ORGANISATION and cleaned.get("organisation"):
            self.add_error(
                "organisation",
                _("Choose “on behalf of an organisation” to name an organisation."),
            )
        return cleaned


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute it?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(forms.Form):
    cancel = forms.BooleanField(
        label=_("Cancel the entry altogether (it should never have been recorded)"),
        required=False,
    )
    quantity = forms.DecimalField(
        label=_("Correct quantity"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    occurred_on = forms.DateField(label=_("Correct date"), widget=DateInput(), required=False)
    work_type = forms.CharField(label=_("Kind of work"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("cancel") and cleaned.get("quantity") is None:
            self.add_error("quantity", _("Give the correct quantity, or cancel the entry."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, date, kind, quantity; optional: capacity, organisation, phase, "
            "activity (a task's number or title; the column may also be called task), "
            "work_type, description. UTF-8, comma or semicolon separated."
        ),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows and skip the bad ones"),
        required=False,
        help_text=_("Otherwise nothing is imported while any row has a problem."),
    )
    confirm = forms.BooleanField(
        label=_("Confirm the imported contributions (you vouch for these timesheets)"),
        required=False,
    )


class LedgerFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("pending", _("Waiting for confirmation")),
            ("confirmed", _("Confirmed")),
            ("disputed", _("Disputed")),
            ("withdrawn", _("Withdrawn")),
        ],
    )


class CurrencyForm(forms.Form):
    currency = forms.RegexField(
        label=_("Currency"),
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        help_text=_("ISO 4217 code, e.g. EUR, GBP, SEK."),
        error_messages={"invalid": _("Enter a three-letter currency code such as EUR.")},
    )


class RateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContributionKind.choices)
    work_type = forms.CharField(
        label=_("Kind of work"),
        max_length=80,
        required=False,
        help_text=_("Empty: the rate for any other work of this kind."),
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, initial="hour")
    amount = forms.DecimalField(
        label=_("Value of one unit"),
        max_digits=10,
        decimal_places=2,
        **VALUATION_RATE.form_bounds(),
    )
