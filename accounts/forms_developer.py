"""The developer application form. It mirrors the developers table's constraints for friendly messages;
the constraints stay the rule, and a violation the form could not foresee becomes a form error too."""

from urllib.parse import urlsplit

from django import forms

from accounts.models import Developer
from core.forms import CommaListField, http_url_validator

MAX_AREAS = Developer._meta.get_field("expertise_areas").size
MAX_AREA_LENGTH = Developer._meta.get_field("expertise_areas").base_field.max_length


class DeveloperApplicationForm(forms.ModelForm):
    """Only these fields reach the profile; status, quota and counters are the service's and staff's."""

    constraint_errors = {
        "developers_username_key": ("username", "A developer with that public username already exists."),
        "developers_email_key": ("email", "A developer with that business email already exists."),
        "developers_user_id_key": (None, "You have already applied."),
        "developers_years_experience_range": ("years_experience", "Years of experience must be 0 to 80."),
    }
    constraint_fallback = "The application could not be saved. Please try again."

    expertise_areas = CommaListField(
        max_items=MAX_AREAS,
        max_item_length=MAX_AREA_LENGTH,
        noun="area",
        plural="areas",
        label="Expertise areas",
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
