"""The catalog's search, filters and sort orders (django-filter).

Invalid values never break the page: a field that does not validate is left out of the filtering and
its message is shown beside it in the filter form.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import F, QuerySet

from catalog.models import AIModel, Category
from catalog.search import search_models

MAX_TAGS = 10


class SortChoice:
    RELEVANCE = "relevance"
    POPULAR = "popular"
    RATING = "rating"
    NEWEST = "newest"
    NAME = "name"
    PRICE = "price"
    LIKES = "likes"

    choices = [
        (RELEVANCE, "Best match"),
        (POPULAR, "Most used"),
        (RATING, "Top rated"),
        (NEWEST, "Newest"),
        (NAME, "Name (A–Z)"),
        (PRICE, "Price (lowest first)"),
        (LIKES, "Most liked"),
    ]


class ListLayout:
    """How the catalog draws its results (?view=): cards in a grid, or a compact list of rows."""

    GRID = "grid"
    LIST = "list"


# The model id closes every order so that pages never repeat or skip a row.
ORDERINGS = {
    SortChoice.POPULAR: [F("total_requests").desc(), F("average_rating").desc()],
    SortChoice.RATING: [F("average_rating").desc(), F("rating_count").desc()],
    SortChoice.NEWEST: [F("created_at").desc()],
    SortChoice.NAME: [F("display_name").asc()],
    SortChoice.PRICE: [F("price_per_request").asc(), F("total_requests").desc()],
    SortChoice.LIKES: [F("like_count").desc()],  # models_listed_likes_idx, with the model id below
}

RATING_CHOICES = [("4", "4 ★ & up"), ("3", "3 ★ & up"), ("2", "2 ★ & up"), ("1", "1 ★ & up")]


class TagsField(forms.Field):
    """Several values of one query parameter (?tag=a&tag=b); blanks dropped, duplicates merged."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        tags = []
        for item in value:
            tag = str(item).strip().lower()
            if tag and tag not in tags:
                tags.append(tag)
        return tags

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(f"Choose at most {MAX_TAGS} tags.")
        if any(len(tag) > 50 for tag in value):
            raise forms.ValidationError("A tag has at most 50 characters.")
        if any("\x00" in tag for tag in value):
            raise forms.ValidationError("Null characters are not allowed.")


class TagsFilter(django_filters.Filter):
    field_class = TagsField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(tags__contains=value)


class AIModelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search models, tags, descriptions…"}),
    )
    category = django_filters.ChoiceFilter(label="Category", choices=Category.choices, empty_label="Any")
    tag = TagsFilter(label="Tags")
    developer = django_filters.CharFilter(
        label="Developer",
        field_name="developer__username",
        lookup_expr="iexact",
        max_length=150,
    )
    min_rating = django_filters.NumberFilter(
        label="Minimum rating",
        field_name="average_rating",
        lookup_expr="gte",
        min_value=Decimal("0"),
        max_value=Decimal("5"),
        widget=forms.Select(choices=[("", "Any")] + RATING_CHOICES),
    )
    min_price = django_filters.NumberFilter(
        label="Minimum price",
        field_name="price_per_request",
        lookup_expr="gte",
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=4,
    )
    max_price = django_filters.NumberFilter(
        label="Maximum price",
        field_name="price_per_request",
        lookup_expr="lte",
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=4,
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SortChoice.choices, method="filter_sort", empty_label=None
    )

    class Meta:
        model = AIModel
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.form.fields["min_price"].widget.attrs.update({"step": "0.0001", "min": "0"})
        self.form.fields["max_price"].widget.attrs.update({"step": "0.0001", "min": "0"})
        self.form.fields["sort"].required = False

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_models(queryset, value)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Ordering is applied once every filter has run (see filter_queryset).
        return queryset

    @property
    def search_text(self) -> str:
        return self._clean("q") or ""

    @property
    def sort_order(self) -> str:
        chosen = self._clean("sort")
        if chosen == SortChoice.RELEVANCE and not self.search_text:
            chosen = None
        return chosen or (SortChoice.RELEVANCE if self.search_text else SortChoice.POPULAR)

    @property
    def selected_category(self) -> str:
        return self._clean("category") or ""

    @property
    def active_tags(self) -> list[str]:
        return self._clean("tag") or []

    def _clean(self, name: str):
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 - runs validation once so cleaned_data exists
        return self.form.cleaned_data.get(name)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        sort = self.sort_order
        if sort == SortChoice.RELEVANCE and self.search_text and "rank" in queryset.query.annotations:
            order = [F("rank").desc(), F("total_requests").desc()]
        else:
            order = ORDERINGS.get(sort, ORDERINGS[SortChoice.POPULAR])
        return queryset.order_by(*order, "model_id")

    def without(self, name: str) -> "AIModelFilter":
        """The same search with one filter taken away (for facet counts); itself when that filter is unused."""
        if not self.data.get(name):
            return self
        data = self.data.copy()
        data.pop(name, None)
        return type(self)(data, queryset=self.queryset, request=self.request)
