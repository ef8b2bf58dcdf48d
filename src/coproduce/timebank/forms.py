"""Forms of the timebank."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.ranges import EXCHANGE_HOURS

from .models import (
    Listing,
    Timebank,
    TimebankCategory,
)


class TimebankForm(forms.ModelForm):
    class Meta:
        model = Timebank
        fields = ["min_balance", "max_balance", "is_active"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_balance"), cleaned.get("max_balance")
        if low is not None and low > 0:
            self.add_error("min_balance", _("The lowest balance must be zero or below."))
        if high is not None and high < 0:
            self.add_error("max_balance", _("The highest balance must be zero or above."))
        return cleaned

    def _post_clean(self):
        # The service validates the timebank with its initiative.
        pass


class ListingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Do you offer or request help?"),
        choices=Listing.Kind.choices,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(label=_("Category"), choices=TimebankCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ListingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Offers or requests"),
        required=False,
        choices=[("", _("Both")), *Listing.Kind.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *TimebankCategory.choices],
    )


class ExchangeForm(forms.Form):
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=6, decimal_places=2, **EXCHANGE_HOURS.form_bounds()
    )
    description = forms.CharField(label=_("What will be done"), max_length=300, required=False)


class TransferForm(forms.Form):
    """A coordinator's adjustment between two members (e.g. a paper exchange recorded late)."""

    payer = forms.ModelChoiceField(label=_("From (receives the help)"), queryset=None)
    payee = forms.ModelChoiceField(label=_("To (gives the help)"), queryset=None)
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=6, decimal_places=2, **EXCHANGE_HOURS.form_bounds()
    )
    memo = forms.CharField(label=_("What was done"), max_length=300)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("payer", "payee"):
            self.fields[name].queryset = accounts
            self.fields[name].label_from_instance = lambda account: account.person.display_name

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("payer") and cleaned.get("payer") == cleaned.get("payee"):
            self.add_error("payee", _("Nobody transfers time to themselves."))
        return cleaned
