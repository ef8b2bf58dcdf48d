from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.ranges import PROGRESS_PERCENT
from coproduce.uploads import IMAGE_ACCEPT

from .limits import MAX_MONEY, MIN_MONEY, MONEY_DIGITS, MONEY_PLACES
from .models import Budget, Milestone, Proposal


def money_field(label: str, **kwargs) -> forms.DecimalField:
    """A form field for an amount of money, with the range of the money columns."""
    return forms.DecimalField(
        label=label,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        min_value=MIN_MONEY,
        max_value=MAX_MONEY,
        **kwargs,
    )


class BudgetForm(forms.ModelForm):
    class Meta:
        model = Budget
        fields = [
            "title",
            "slug",
            "description",
            "currency",
            "ballot_type",
            "min_projects",
            "max_projects",
            "max_points",
            "rule",
            "utility",
            "completion",
            "eligibility",
            "minimum_age",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "rule": _(
                "Announced before voting opens and used to compute the result. The Method of "
                "Equal Shares gives every voter an equal share of the budget to spend on the "
                "projects they support."
            )
        }


class BudgetAreaForm(forms.Form):
    name = forms.CharField(label=_("Area heading"), max_length=120, required=False)
    amount = money_field(_("Amount"), required=False)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("name")) != (cleaned.get("amount") is not None):
            raise forms.ValidationError(_("Give both the area's name and its amount."))
        return cleaned


BudgetAreaFormSet = forms.formset_factory(BudgetAreaForm, extra=3, max_num=20, absolute_max=20)


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["area", "title", "description", "location", "estimated_cost", "on_behalf_of"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, budget: Budget, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = budget.areas.all()
        self.fields["area"].empty_label = None
        self.fields["on_behalf_of"].queryset = organisations
        self.fields["on_behalf_of"].required = False
        self.fields["on_behalf_of"].empty_label = _("Myself, as a resident")


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Is the project feasible?"),
        choices=[("yes", _("Yes: it goes on the ballot")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    cost = money_field(_("Cost after review"))
    reason = forms.CharField(
        label=_("Public reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with the proposal: explain the decision and the cost."),
    )


class CensusForm(forms.Form):
    file = forms.FileField(
        label=_("Census list (CSV)"),
        help_text=_("A UTF-8 CSV file with a column “email” and, optionally, “area”."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("pabulib file (.pb)"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    slug = forms.SlugField(label=_("Short name (used in the address)"), max_length=80)
    strict = forms.BooleanField(
        label=_("Refuse the file if it has irregularities"),
        required=False,
        help_text=_(
            "Some published files list a project twice in one vote or have a stray quote. "
            "By default they are read as the reference tools read them (the project counts "
            "once) and each is reported; tick this to refuse such a file instead."
        ),
    )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Budget.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A budget with this short name already exists."))
        return slug


class MilestoneForm(forms.ModelForm):
    progress = forms.IntegerField(
        label=_("Delivery progress (%)"), required=False, **PROGRESS_PERCENT.form_bounds()
    )

    class Meta:
        model = Milestone
        fields = ["title", "note", "due_on", "done_on", "photo", "photo_description"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "done_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "photo": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        help_texts = {"photo": _("JPEG, PNG or WebP, 5 MB at most.")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_description"):
            self.add_error(
                "photo_description", _("Describe the photo for people who cannot see it.")
            )
        return cleaned


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=16)
