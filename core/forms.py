"""Form pieces shared by every app: comma-separated lists for text[] columns, http(s) URL checks, date
ranges, and showing what a model or the database refused beside the field it concerns."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.forms.widgets import Input
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

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


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True is a bare name, False leaves the attribute out."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, escape(str(value)))
        for name, value in attrs.items()
        if value is not False
    )


class OptionsSelect(forms.Select):
    """A select written in Python, with the markup of Django's select.html and select_option.html.

    Django renders every option through two templates: the fifty models of the history filter, or a
    developer's dozens of models on the dashboard, cost several milliseconds a page that way.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], mark_safe(_attrs(widget["attrs"])))]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(format_html('\n  <optgroup label="{}">', group_name))
            # Plain f-strings: format_html per option cost more than the rest of the select.
            for option in options:
                attrs = option["attrs"]
                html.append(
                    f'\n  <option value="{escape(str(option["value"]))}"{_attrs(attrs) if attrs else ""}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))


class InputInPython(Input):
    """An input written in Python, with the markup of Django's input.html and attrs.html.

    Rendering a widget through the template engine costs a quarter to half a millisecond; the catalog's and
    the history's filter forms draw four text, number and date inputs on every page.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        value_attr = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_attr,
            mark_safe(_attrs(widget["attrs"])),  # noqa: S308 - built by format_html and escape
        )


class TextInputInPython(InputInPython, forms.TextInput):
    pass


class NumberInputInPython(InputInPython, forms.NumberInput):
    pass


class DateInputInPython(InputInPython, forms.DateInput):
    pass
