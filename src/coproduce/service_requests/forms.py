"""Forms of service requests (reported problems)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.ranges import ANSWER_NUMBER
from coproduce.uploads import IMAGE_ACCEPT
from coproduce.widgets import DATETIME_FORMAT, DateTimeLocalInput

from .models import (
    CategoryAttribute,
    RequestCategory,
    ServiceRequest,
)


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
        help_text=_("JPEG, PNG or WebP, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
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
        return forms.DecimalField(**common, **ANSWER_NUMBER.form_bounds())
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
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done or what happens next."),
    )
    public = forms.BooleanField(
        label=_("Public note: shown to everyone on this page and in Open311"),
        required=False,
        initial=True,
    )


class RequestCommentForm(forms.Form):
    note = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by you and by the people handling the request, not by the public."),
    )


class RequestStatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *ServiceRequest.Status.choices],
    )
