"""Filters of a user's own history list and its CSV export."""

import django_filters
from django import forms

from activity.models import HistoryStatus, ModelUser, UserHistory
from catalog.models import AIModel
from config.forms import DateRangeMixin

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
    return AIModel.objects.filter(pk__in=called).order_by("display_name", "api_name")


class HistoryFilterForm(DateRangeMixin, forms.Form):
    pass


class HistoryFilter(django_filters.FilterSet):
    model = django_filters.ModelChoiceFilter(
        queryset=models_used, to_field_name="api_name", label="Model", empty_label="Any model"
    )
    status = django_filters.ChoiceFilter(
        choices=HistoryStatus.choices, label="Status", empty_label="Any status"
    )
    date_from = django_filters.DateFilter(
        field_name="request_timestamp",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="request_timestamp",
        lookup_expr="date__lte",
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
