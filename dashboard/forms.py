"""Forms of the developer dashboard that need more than the catalog knows (who called a model)."""

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from catalog.models import AIModel
from catalog.services import replacement_candidates

# Days of notice a deprecation gives a model that someone other than its developer has called.
MIN_NOTICE_DAYS = 7
MAX_NOTICE_DAYS = 3 * 365
NOTE_MAX_LENGTH = 1000


def sunset_moment(day: date) -> datetime:
    """A sunset date as the moment the model stops answering: 00:00 UTC that day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


class DeprecationForm(forms.Form):
    """Deprecate a model with notice, or change its notice (`current`: the model is deprecated already).

    The sunset is a day after today, at least MIN_NOTICE_DAYS ahead when other people have called the
    model (`users`), and, when changing, no earlier than the day its users were told. The replacement is
    an active model of the catalog, by api_name, other than this one."""

    sunset_date = forms.DateField(
        label="Sunset date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="From 00:00 UTC that day, calls answer 410 Gone. Until then they still work.",
    )
    replacement = forms.CharField(
        label="Replacement model",
        required=False,
        max_length=AIModel._meta.get_field("api_name").max_length,
        help_text="The API name of an active model of the catalog, yours or another developer's.",
        widget=forms.TextInput(
            attrs={"list": "replacement-choices", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    note = forms.CharField(
        label="Note to its users",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the model's page and in the notice its users get.",
    )

    # Constraints only the database caught (a race lost by the checks above), as add_constraint_error shows them.
    constraint_errors = {
        "models_replacement_not_self": ("replacement", "A model cannot replace itself: name another model."),
        "models_sunset_only_deprecated": (None, "The model changed status meanwhile: reload the page."),
        "models_replacement_only_deprecated": (None, "The model changed status meanwhile: reload the page."),
    }
    constraint_fallback = "The deprecation could not be saved: check the fields and try again."

    def __init__(self, *args, model: AIModel, users: int, **kwargs):
        self.model = model
        self.users = users
        self.current = (
            model.sunset_at.astimezone(UTC).date() if model.sunset_ahead and model.sunset_at else None
        )
        if self.current is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "sunset_date": self.current,
                "replacement": model.replacement.api_name if model.replacement_id else "",
                "note": model.deprecation_note,
            }
        super().__init__(*args, **kwargs)
        field = self.fields["sunset_date"]
        field.widget.attrs["min"] = self.earliest().isoformat()
        field.widget.attrs["max"] = self.latest().isoformat()
        if self.current is not None:
            field.help_text = (
                f"Only later than {self.current.isoformat()}, the date its users were told. "
                + str(field.help_text)
            )
        elif users:
            field.help_text = (
                f"{users} user{'s' if users != 1 else ''} called it: at least {MIN_NOTICE_DAYS} days' notice. "
                + str(field.help_text)
            )

    @staticmethod
    def today() -> date:
        return timezone.now().astimezone(UTC).date()

    def earliest(self) -> date:
        if self.current is not None:
            return self.current
        return self.today() + timedelta(days=MIN_NOTICE_DAYS if self.users else 1)

    def latest(self) -> date:
        return self.today() + timedelta(days=MAX_NOTICE_DAYS)

    def clean_sunset_date(self) -> date:
        day = self.cleaned_data["sunset_date"]
        today = self.today()
        if day <= today:
            raise forms.ValidationError(f"Choose a date in the future: after today, {today.isoformat()}.")
        if self.current is not None and day < self.current:
            raise forms.ValidationError(
                f"The sunset can only move later: its users were told {self.current.isoformat()}."
            )
        if self.current is None and self.users and day < today + timedelta(days=MIN_NOTICE_DAYS):
            earliest = today + timedelta(days=MIN_NOTICE_DAYS)
            raise forms.ValidationError(
                f"{self.users} user{'s' if self.users != 1 else ''} called this model: give them at least "
                f"{MIN_NOTICE_DAYS} days' notice, a date from {earliest.isoformat()} on."
            )
        if day > self.latest():
            raise forms.ValidationError(f"Choose a date within three years, by {self.latest().isoformat()}.")
        return day

    def clean_replacement(self) -> AIModel | None:
        name = self.cleaned_data["replacement"].strip().lower()
        if not name:
            return None
        if name == self.model.api_name:
            raise forms.ValidationError("A model cannot replace itself: name another model.")
        found = AIModel.objects.listed().filter(api_name=name).first()
        if found is None:
            raise forms.ValidationError(f"No model of the catalog is named “{name}”.")
        if found.is_deprecated:
            raise forms.ValidationError(f"{found.display_name} is deprecated itself: name an active model.")
        if not replacement_candidates().filter(pk=found.pk).exists():
            raise forms.ValidationError(f"{found.display_name} is not taking calls: name an active model.")
        return found

    @property
    def sunset_at(self) -> datetime:
        return sunset_moment(self.cleaned_data["sunset_date"])
