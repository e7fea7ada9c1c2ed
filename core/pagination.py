from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator told its count by a trigger-kept counter, so a long list is never COUNT(*)-ed."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
