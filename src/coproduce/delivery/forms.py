"""Forms of the co-delivery pages. They parse and check input; the services do the writing."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.initiatives.models import Initiative, Phase
from coproduce.people.models import Organisation, Person

from .models import (
    Capacity,
    CategoryAttribute,
    ContributionKind,
    Listing,
    RequestCategory,
    Requirement,
    ServiceRequest,
    Task,
    Timebank,
    TimebankCategory,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Date and time, e.g. 2026-05-01 14:30."),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
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
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.25"), max_value=24, decimal_places=2
    )


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
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)
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
        self.fields["task"].queryset = initiative.tasks.order_by("title")

    def clean(self):
        cleaned = super().clean()
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
            "task, work_type, description. UTF-8, comma or semicolon separated."
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
        label=_("Value of one unit"), min_value=Decimal("0"), max_digits=10, decimal_places=2
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
        label=_("Hours"), min_value=Decimal("0.25"), max_digits=6, decimal_places=2
    )
    description = forms.CharField(label=_("What will be done"), max_length=300, required=False)


class TransferForm(forms.Form):
    """A coordinator's adjustment between two members (e.g. a paper exchange recorded late)."""

    payer = forms.ModelChoiceField(label=_("From (receives the help)"), queryset=None)
    payee = forms.ModelChoiceField(label=_("To (gives the help)"), queryset=None)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.25"), max_digits=6, decimal_places=2
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


class RequestCategoryForm(forms.ModelForm):
    class Meta:
        model = RequestCategory
        fields = ["name", "code", "description", "keywords", "group", "service_notice"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


class ServiceRequestForm(forms.Form):
    """A report; the category's own questions are added as fields named ``attribute[code]``."""

    description = forms.CharField(
        label=_("What is the problem?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    address = forms.CharField(
        label=_("Where is it?"),
        max_length=250,
        required=False,
        help_text=_("An address or a description of the place."),
    )
    zipcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, category: RequestCategory, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        for attribute in category.attributes.all():
            self.fields[f"attribute[{attribute.code}]"] = _attribute_field(attribute)

    def attribute_answers(self) -> dict[str, list[str]]:
        answers = {}
        for attribute in self.category.attributes.all():
            value = self.cleaned_data.get(f"attribute[{attribute.code}]")
            if value in (None, ""):
                continue
            answers[attribute.code] = (
                [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        return answers

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        if not (cleaned.get("address") or "").strip() and latitude is None:
            self.add_error("address", _("Say where the problem is: an address or a point."))
        return cleaned


def _attribute_field(attribute: CategoryAttribute) -> forms.Field:
    common = {
        "label": attribute.description,
        "required": attribute.required and attribute.variable,
        "help_text": attribute.datatype_description,
    }
    choices = [(str(v.get("key")), v.get("name", v.get("key"))) for v in attribute.values]
    kind = CategoryAttribute.Datatype
    if attribute.datatype == kind.SINGLE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if attribute.datatype == kind.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if attribute.datatype == kind.NUMBER:
        return forms.DecimalField(**common)
    if attribute.datatype == kind.DATETIME:
        return forms.DateTimeField(
            widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT], **common
        )
    if attribute.datatype == kind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(max_length=300, **common)


class RequestUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ServiceRequest.Status.choices)
    note = forms.CharField(
        label=_("Note (public)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done or what happens next; shown to everyone."),
    )


class RequestStatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ServiceRequest.Status.choices],
    )
