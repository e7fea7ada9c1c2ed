"""Full-text search over model listings.

The document is models.search_vector, a generated column (names weight A, tags B, description C,
'english' configuration) with a GIN index. A query matches when the stemmed words match
(websearch_to_tsquery, so quotes and -exclusions work as people expect), when every word is a prefix of
a word in the document ("summ" finds "Summarizer"), or when the text starts a model's name.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

CONFIG = "english"
MAX_WORDS = 8
MAX_QUERY_CHARS = 200
# Words only: letters and digits of any script. Everything else (tsquery operators, quotes, colons,
# backslashes) is dropped before the prefix query is assembled, so no input can break its syntax.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
NAME_MATCH_BOOST = 1.0


def query_words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text[:MAX_QUERY_CHARS])][:MAX_WORDS]


def prefix_tsquery(words: list[str]) -> SearchQuery:
    """to_tsquery('english', 'w1:* & w2:*') from sanitized words."""
    return SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=CONFIG)


def search_models(queryset: QuerySet, text: str) -> QuerySet:
    """Filter `queryset` to models matching `text` and annotate each with `rank` (higher is better)."""
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    words = query_words(text)
    if not words:
        return queryset
    stemmed = SearchQuery(text, search_type="websearch", config=CONFIG)
    query = stemmed | prefix_tsquery(words)
    phrase = " ".join(words)
    name_match = (
        Q(display_name__istartswith=phrase)
        | Q(model_name__istartswith=phrase)
        | Q(api_name__istartswith="-".join(words))
    )
    return queryset.filter(Q(search_vector=query) | name_match).annotate(
        rank=SearchRank(F("search_vector"), query)
        + Case(When(name_match, then=Value(NAME_MATCH_BOOST)), default=Value(0.0), output_field=FloatField())
    )
