"""Filters of a user's own history list and its CSV export."""

import django_filters
from django import forms

from activity.models import HistoryStatus, UserHistory
from catalog.models import AIModel


def models_used(request):
    """Only the models the signed-in user has called, so the select leaks nothing about others."""
    if request is None or not request.user.is_authenticated:
        return AIModel.objects.none()
    return AIModel.objects.filter(history__user=request.user).distinct().order_by("display_name", "api_name")


class HistoryFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


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
