"""The developer application form. It mirrors the developers table's constraints for friendly messages;
the constraints stay the rule, and a violation the form could not foresee becomes a form error too."""

import re
from urllib.parse import urlsplit

from django import forms
from django.core.validators import URLValidator

from accounts.models import Developer

MAX_AREAS = Developer._meta.get_field("expertise_areas").size
MAX_AREA_LENGTH = Developer._meta.get_field("expertise_areas").base_field.max_length
http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a URL that starts with http:// or https://."
)

CONSTRAINT_FIELDS = {
    "developers_username_key": ("username", "A developer with that public username already exists."),
    "developers_email_key": ("email", "A developer with that business email already exists."),
    "developers_user_id_key": (None, "You have already applied."),
    "developers_years_experience_range": ("years_experience", "Years of experience must be 0 to 80."),
}


def add_integrity_error(form: forms.Form, error: Exception) -> None:
    diag = getattr(getattr(error, "__cause__", None), "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    field, message = CONSTRAINT_FIELDS.get(
        name, (None, "The application could not be saved. Please try again.")
    )
    form.add_error(field, message)


def add_validation_error(form: forms.Form, error: forms.ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ExpertiseField(forms.CharField):
    """Comma-separated areas in the form, a text[] in the database."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        areas: list[str] = []
        for part in (super().to_python(value) or "").split(","):
            area = re.sub(r"\s+", " ", part).strip().lower()
            if area and area not in areas:
                areas.append(area)
        return areas

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_AREAS:
            raise forms.ValidationError(f"List at most {MAX_AREAS} areas.")
        too_long = [area for area in value if len(area) > MAX_AREA_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Each area may have at most {MAX_AREA_LENGTH} characters: {', '.join(too_long)}."
            )


class DeveloperApplicationForm(forms.ModelForm):
    """Only these fields reach the profile; status, quota and counters are the service's and staff's."""

    expertise_areas = ExpertiseField(
        label="Expertise areas",
        required=False,
        help_text="Comma-separated, e.g. nlp, computer vision, speech.",
    )
    website_url = forms.CharField(
        label="Website",
        required=False,
        max_length=500,
        validators=[http_url_validator],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    github_profile = forms.CharField(
        label="GitHub profile",
        required=False,
        max_length=500,
        validators=[http_url_validator],
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/your-name"}),
    )
    years_experience = forms.IntegerField(label="Years of experience", min_value=0, max_value=80, initial=0)

    class Meta:
        model = Developer
        fields = [
            "username",
            "email",
            "first_name",
            "last_name",
            "company_name",
            "website_url",
            "github_profile",
            "expertise_areas",
            "years_experience",
        ]
        labels = {
            "username": "Public username",
            "email": "Business email",
            "company_name": "Company",
        }
        help_texts = {
            "username": "Shown on your models and at /developers/<username>/. "
            "Letters, digits and @/./+/-/_ only.",
            "email": "Where staff and customers reach you about your models.",
        }

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if Developer.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A developer with that business email already exists.")
        return email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if Developer.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A developer with that public username already exists.")
        return username

    def clean_github_profile(self) -> str:
        url = self.cleaned_data["github_profile"].strip()
        if url and urlsplit(url).hostname not in {"github.com", "www.github.com"}:
            raise forms.ValidationError("Enter your profile's address on github.com.")
        return url
