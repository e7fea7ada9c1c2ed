"""Forms of the developer dashboard. Each mirrors the database's constraints, for friendly messages;
the constraints themselves stay the rule (views still turn an IntegrityError into a form error)."""

from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse

from catalog.kinds import INPUT_KIND_CHOICES, OUTPUT_KIND_CHOICES, kinds_of
from catalog.models import AIModel, Category
from catalog.services import EDITABLE_FIELDS
from core.addresses import is_public_address
from core.forms import CommaListField, DateRangeMixin, http_url_validator

API_NAME_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
API_NAME_MAX_LENGTH = AIModel._meta.get_field("api_name").max_length
# /dashboard/models/new/ is the create page, so no model may take that address.
RESERVED_API_NAMES = frozenset({"new"})
MAX_TAGS = AIModel._meta.get_field("tags").size
MAX_TAG_LENGTH = AIModel._meta.get_field("tags").base_field.max_length

api_name_validator = RegexValidator(
    API_NAME_PATTERN, "Use lowercase letters, digits and single hyphens, e.g. my-model-v2."
)


def validate_api_name(value: str) -> None:
    """Shape rules for an api_name, shared by the form and the as-you-type check."""
    api_name_validator(value)
    if len(value) > API_NAME_MAX_LENGTH:
        raise forms.ValidationError(f"Use at most {API_NAME_MAX_LENGTH} characters.")
    if value in RESERVED_API_NAMES:
        raise forms.ValidationError("That API name is reserved. Choose another.")


def api_name_taken(value: str) -> bool:
    return AIModel.objects.filter(api_name=value).exists()


def public_endpoint(value: str) -> None:
    """Refuse an endpoint at a loopback, private or link-local address written into the URL, unless
    UPSTREAM_PRIVATE_NETWORKS is on. A host name is checked when the gateway connects (activity.gateway.
    upstream): it may resolve anywhere, and differently later."""
    if settings.UPSTREAM_PRIVATE_NETWORKS:
        return
    try:
        host = (urlsplit(value).hostname or "").rstrip(".")
    except ValueError:
        return  # not a URL: http_url_validator says so
    try:
        public = is_public_address(host)
    except ValueError:
        public = host != "localhost" and not host.endswith(".localhost")
    if not public:
        raise ValidationError(
            "Enter an address on the internet: the platform does not call loopback, private or "
            "link-local addresses.",
            code="private_address",
        )


class ModelListingForm(forms.ModelForm):
    """Edit a listing. Only these fields can ever reach the model: owner, status, key and counters are
    set by the services and the database, never from a POST."""

    # Constraint of the models table → the form field its violation is about.
    constraint_errors = {
        "models_api_name_key": ("api_name", "That API name is taken. Choose another."),
        "models_api_name_slug": ("api_name", "Use lowercase letters, digits and single hyphens."),
        "models_endpoint_url_http": ("endpoint_url", "Enter a URL that starts with http:// or https://."),
        "models_price_non_negative": ("price_per_request", "The price cannot be negative."),
        "models_category_valid": ("category", "Choose one of the listed categories."),
        "models_consumer_monthly_limit_positive": (
            "consumer_monthly_limit",
            "A limit is at least one call; leave it empty for none.",
        ),
    }
    constraint_fallback = "The listing could not be saved. Please try again."

    tags = CommaListField(
        max_items=MAX_TAGS,
        max_item_length=MAX_TAG_LENGTH,
        noun="tag",
        plural="tags",
        help_text=f"Comma-separated, e.g. summarization, english. Up to {MAX_TAGS}.",
    )
    endpoint_url = forms.CharField(
        label="Endpoint URL",
        max_length=AIModel._meta.get_field("endpoint_url").max_length,
        validators=[http_url_validator, public_endpoint],
        help_text="The upstream the platform forwards calls to. http:// or https:// only.",
        widget=forms.URLInput,
    )
    price_per_request = forms.DecimalField(
        label="Price per request (USD)",
        max_digits=10,
        decimal_places=4,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        help_text="Up to four decimal places, e.g. 0.0025. Zero for free.",
        widget=forms.NumberInput(attrs={"step": "0.0001", "min": "0"}),
    )

    consumer_monthly_limit = forms.IntegerField(
        label="Calls per user per month",
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        help_text="A fair share of your quota: each user may make at most this many calls of the model per "
        "calendar month (UTC); past it they get 429 consumer_limit_reached, and your quota is untouched. Empty "
        "for no limit. Calls with the model's own key never count.",
    )

    input_kinds = forms.MultipleChoiceField(
        label="Takes",
        choices=INPUT_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What callers may send it. Left as the category's, it follows the category.",
    )
    output_kinds = forms.MultipleChoiceField(
        label="Gives",
        choices=OUTPUT_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What its upstream answers with. Calls asking for anything else are refused (400) before "
        "they count.",
    )

    class Meta:
        model = AIModel
        fields = list(EDITABLE_FIELDS)
        labels = {
            "model_name": "Model name",
            "display_name": "Display name",
            "description": "Description (model card)",
            "is_public": "List it in the public catalog",
        }
        help_texts = {
            "model_name": "The technical name, e.g. llama-3-8b-instruct.",
            "display_name": "What people see in the catalog.",
            "is_public": "Unlisted models can still be called with the model's own key.",
            "description": "The model card on its page, in Markdown: ## headings, - lists, **bold**, `code`, "
            "[links](https://…). Catalog cards show its first words as plain text.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = Category.choices
        takes, gives = kinds_of(self.instance.category, self.instance.input_kinds, self.instance.output_kinds)
        # A listing that follows its category stores null kinds: its boxes show the category's ticked.
        if not self.initial.get("input_kinds"):
            self.initial["input_kinds"] = list(takes)
        if not self.initial.get("output_kinds"):
            self.initial["output_kinds"] = list(gives)

    def clean(self):
        """Kinds equal to the category's (or none ticked) are stored as null, so that they follow it."""
        cleaned = super().clean()
        takes, gives = kinds_of(cleaned.get("category") or Category.OTHER, None, None)
        for name, default in (("input_kinds", takes), ("output_kinds", gives)):
            chosen = cleaned.get(name) or []
            cleaned[name] = None if not chosen or set(chosen) == set(default) else sorted(chosen)
        return cleaned


class ModelCreateForm(ModelListingForm):
    """A new listing: the editable fields plus its api_name, which is fixed once created."""

    api_name = forms.CharField(
        label="API name",
        max_length=API_NAME_MAX_LENGTH,
        validators=[validate_api_name],
        help_text="Lowercase letters, digits and hyphens. The model's address in URLs and the API; "
        "it cannot be changed later.",
    )

    class Meta(ModelListingForm.Meta):
        fields = ["model_name", "display_name", "api_name", *ModelListingForm.Meta.fields[2:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As-you-type availability check; without JavaScript the same rules run when the form is sent.
        self.fields["api_name"].widget.attrs.update(
            {
                "hx-get": reverse("dashboard:api_name_check"),
                "hx-trigger": "keyup changed delay:400ms, change",
                "hx-target": "#api-name-status",
                "hx-swap": "innerHTML",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )

    def clean_api_name(self) -> str:
        value = self.cleaned_data["api_name"].strip()
        if api_name_taken(value):
            raise forms.ValidationError("That API name is taken. Choose another.")
        return value


class ModelDeleteForm(forms.Form):
    confirm_api_name = forms.CharField(label="Type the model's API name to confirm", max_length=100)

    def __init__(self, *args, model: AIModel, **kwargs):
        self.model = model
        super().__init__(*args, **kwargs)
        self.fields["confirm_api_name"].label = f"Type {model.api_name} to confirm"
        self.fields["confirm_api_name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_confirm_api_name(self) -> str:
        value = self.cleaned_data["confirm_api_name"].strip()
        if value != self.model.api_name:
            raise forms.ValidationError(f"Type {self.model.api_name} exactly to confirm.")
        return value


class KeyRotateForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand the current key stops working immediately.",
        error_messages={"required": "Tick the box to confirm."},
    )


class UsageLogFilterForm(DateRangeMixin, forms.Form):
    model = forms.ChoiceField(required=False, label="Model")
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), ("2xx", "2xx success"), ("4xx", "4xx refused"), ("5xx", "5xx failed")],
    )
    date_from = forms.DateField(
        required=False, label="From (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To (UTC)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, models: list[AIModel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "All models")] + [(m.api_name, m.display_name) for m in models]


class ChartRangeForm(forms.Form):
    days = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")],
        initial=30,
        empty_value=30,
        label="Period",
    )
    model = forms.ChoiceField(required=False, label="Model")

    def __init__(self, *args, models: list[AIModel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "All models")] + [(m.api_name, m.display_name) for m in models]
