"""Filters of a user's own history list and its CSV export."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from activity.models import HistoryStatus, ModelUser, UserHistory
from catalog.models import AIModel
from core.forms import DateRangeMixin

MODEL_CHOICES = 50


def models_used(request):
    """The models the signed-in user has called most (at most MODEL_CHOICES), so the select leaks nothing
    about others and stays a usable size for someone who has called thousands.

    Read from model_users, the trigger-kept (model, user) pairs of user_history: one row per model the
    user called, where a DISTINCT over the history would read every one of their calls.
    """
    if request is None or not request.user.is_authenticated:
        return AIModel.objects.none()
    called = (
        ModelUser.objects.filter(user=request.user)
        .order_by("-interactions", "model_id")
        .values("model_id")[:MODEL_CHOICES]
    )
    # Only what the select shows and the filter compares: an option needs neither descriptions nor prices.
    return (
        AIModel.objects.filter(pk__in=called)
        .order_by("display_name", "api_name")
        .only("model_id", "api_name", "display_name")
    )


def day_start(day: date) -> datetime:
    """The first instant of `day` in the current time zone, where Django's __date lookups put its edge."""
    return timezone.make_aware(datetime.combine(day, time.min))


def on_or_after(queryset: QuerySet, name: str, day: date) -> QuerySet:
    """Rows of `day` or later: request_timestamp__date__gte as a range the index on the timestamp serves."""
    return queryset.filter(**{f"{name}__gte": day_start(day)})


def on_or_before(queryset: QuerySet, name: str, day: date) -> QuerySet:
    """Rows of `day` or earlier: request_timestamp__date__lte as a range the index on the timestamp serves."""
    if day == date.max:
        return queryset  # every date is on or before the last one
    return queryset.filter(**{f"{name}__lt": day_start(day + timedelta(days=1))})


class ChoicesInOneQuery(django_filters.fields.ModelChoiceIterator):
    """Reads the choices with one query. Django reads them through a server-side cursor (DECLARE, FETCH
    and CLOSE: three round trips) to keep a long list out of memory; this one holds MODEL_CHOICES rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class UsedModelField(django_filters.fields.ModelChoiceField):
    iterator = ChoicesInOneQuery


class UsedModelFilter(django_filters.ModelChoiceFilter):
    field_class = UsedModelField


class HistoryFilterForm(DateRangeMixin, forms.Form):
    pass


class HistoryFilter(django_filters.FilterSet):
    model = UsedModelFilter(
        queryset=models_used,
        to_field_name="api_name",
        label="Model",
        empty_label="Any model",
    )
    status = django_filters.ChoiceFilter(
        choices=HistoryStatus.choices, label="Status", empty_label="Any status"
    )
    date_from = django_filters.DateFilter(
        field_name="request_timestamp",
        method=on_or_after,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="request_timestamp",
        method=on_or_before,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    session = django_filters.CharFilter(field_name="session_id", label="Session id", max_length=100)
    q = django_filters.CharFilter(
        field_name="prompt",
        lookup_expr="icontains",
        label="Text in the prompt",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = UserHistory
        fields: list[str] = []
        form = HistoryFilterForm
