from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Person


class SignUpDetailsForm(forms.Form):
    """What the sign-up page asks beyond the address and password (django-allauth's form adds
    those and checks them)."""

    display_name = forms.CharField(label=_("Your name"), max_length=150)
    area = forms.CharField(
        label=_("Area (optional)"),
        max_length=120,
        required=False,
        help_text=_("Neighbourhood or town you live in."),
    )

    def signup(self, request, user) -> None:
        """Nothing more to save: the adapter passed these fields to ``person_sign_up``."""


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["display_name", "area", "preferred_language", "bio"]


class AccountDeleteForm(forms.Form):
    """Deleting an account cannot be undone: the person types their password to confirm."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, person: Person, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.person.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
