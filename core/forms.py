"""Form pieces shared by every app: comma-separated lists for text[] columns, http(s) URL checks, date
ranges, showing what a model or the database refused beside the field it concerns, and the site's form
renderer."""

import functools
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist, engines

from core.constraints import violated_constraint

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a URL that starts with http:// or https://."
)


class CommaListField(forms.CharField):
    """Comma-separated entries in the form, a list for a text[] column: trimmed, lowercased, deduplicated.

    `noun` and `plural` name an entry in the messages ("tag"/"tags", "area"/"areas").
    """

    def __init__(self, *, max_items: int, max_item_length: int, noun: str, plural: str, **kwargs):
        self.max_items = max_items
        self.max_item_length = max_item_length
        self.noun = noun
        self.plural = plural
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        entries: list[str] = []
        for part in (super().to_python(value) or "").split(","):
            entry = re.sub(r"\s+", " ", part).strip().lower()
            if entry and entry not in entries:
                entries.append(entry)
        return entries

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > self.max_items:
            raise ValidationError(f"Use at most {self.max_items} {self.plural}.")
        too_long = [entry for entry in value if len(entry) > self.max_item_length]
        if too_long:
            raise ValidationError(
                f"Each {self.noun} may have at most {self.max_item_length} characters: {', '.join(too_long)}."
            )

    def run_validators(self, value):
        # CharField's validators (the NUL check PostgreSQL needs among them) must see each entry: the
        # list's repr would show a NUL as the four characters "\x00" and let it through.
        for entry in value:
            super().run_validators(entry)

    def has_changed(self, initial, data):
        return self.to_python(self.prepare_value(initial) or "") != self.to_python(data)


class DateRangeMixin:
    """For forms with date_from and date_to fields: an end before the start is an error beside the end."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


def add_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show a model's ValidationError beside the fields it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def add_constraint_error(form: forms.Form, error: IntegrityError) -> None:
    """Show a constraint only the database caught (a race the form's checks lost) beside its field.

    The form maps constraint names to (field or None, message) in `constraint_errors` and says what to
    show for any other constraint in `constraint_fallback`.
    """
    field, message = form.constraint_errors.get(
        violated_constraint(error) or "", (None, form.constraint_fallback)
    )
    form.add_error(field if field in form.fields else None, message)


@functools.cache
def _jinja2_draws(template_name: str) -> bool:
    try:
        engines["jinja2"].get_template(template_name)
    except TemplateDoesNotExist:
        return False
    return True


class FormRenderer(DjangoTemplates):
    """The site's form renderer (settings.FORM_RENDERER): widgets drawn by Jinja2 where it has their template.

    The filter forms of the catalog, the history and the dashboard draw a dozen inputs and selects on every
    page, one with up to fifty options. Through Django's widget templates (two or three per input, one more
    per option) the catalog's and the history's took about 4 to 6 ms, through Jinja2 under 1 ms
    (bench/fragments.py). templates/jinja2/django/forms/widgets/ holds Jinja2 versions of the input and
    select templates that write Django's markup byte for byte (core/tests/test_form_renderer.py); every
    other form template (labels, error lists, radios, the admin's widgets) is Django's own, as before.
    """

    def get_template(self, template_name):
        if _jinja2_draws(template_name):
            return engines["jinja2"].get_template(template_name)
        return super().get_template(template_name)
