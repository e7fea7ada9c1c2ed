"""Full-text search over model listings, with the words people use for categories, and typo tolerance.

The document is models.search_vector, a generated column (names weight A, tags B, description C,
'english' configuration) with a GIN index. A query matches when the stemmed words match
(websearch_to_tsquery, so quotes and -exclusions work as people expect), when every word is a prefix of
a word in the document ("summ" finds "Summarizer"), or when the text starts a model's name.

Categories are not in the document, so their names and the words people use for them are matched here
(CATEGORY_TERMS): a word or phrase that names a category ("summar", "transcribe", "speech to text",
"tts") matches the models of that category as well as the documents that contain it. The last word is
taken as a prefix, as people type.

When nothing matches, did_you_mean() looks for what was probably meant, with pg_trgm: a listed model's
name close to the text (the trigram index of migration 0010), or each word replaced by the closest word
of the catalog's vocabulary ("summarisaton" → "summarization").
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Upper

from catalog.models import AIModel, Category
from core.db import has_extension

CONFIG = "english"
MAX_WORDS = 8
MAX_QUERY_CHARS = 200
# Words only: letters and digits of any script. Everything else (tsquery operators, quotes, colons,
# backslashes) is dropped before the prefix query is assembled, so no input can break its syntax.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
NAME_MATCH_BOOST = 1.0
CATEGORY_MATCH_BOOST = 0.3
# A word this long or longer is also taken as the start of a category word ("summar"); the last word
# from PREFIX_LAST_MIN on, as it is being typed.
PREFIX_MIN = 4
PREFIX_LAST_MIN = 3
# pg_trgm's default threshold for `%`; below it two strings have little in common.
SIMILARITY_MIN = 0.3

# What people type for each category, besides its name. Phrases are matched as consecutive words.
CATEGORY_TERMS: dict[str, tuple[str, ...]] = {
    Category.TEXT_GENERATION: (
        "chat", "chatbot", "llm", "language model", "assistant", "writing", "completion", "gpt",
        "text generation", "generate text",
    ),
    Category.IMAGE_GENERATION: (
        "image", "images", "picture", "pictures", "photo", "draw", "drawing", "art", "illustration",
        "diffusion", "text to image", "image generation",
    ),
    Category.CODE_GENERATION: ("code", "coding", "programming", "program", "copilot", "code generation"),
    Category.SPEECH_TO_TEXT: (
        "transcribe", "transcription", "transcript", "asr", "stt", "audio", "speech", "dictation",
        "speech recognition", "speech to text", "voice to text",
    ),
    Category.TEXT_TO_SPEECH: (
        "tts", "voice", "speech", "audio", "speak", "narration", "read aloud", "speech synthesis",
        "text to speech",
    ),
    Category.TRANSLATION: ("translate", "translation", "translator", "multilingual", "language"),
    Category.SUMMARIZATION: ("summarize", "summary", "summarization", "tldr", "digest", "condense"),
    Category.EMBEDDINGS: (
        "embedding", "embeddings", "vector", "vectors", "semantic search", "similarity", "retrieval", "rag",
    ),
    Category.CLASSIFICATION: (
        "classify", "classification", "classifier", "categorize", "label", "labels", "sentiment",
        "moderation",
    ),
    Category.MULTIMODAL: ("multimodal", "vision", "image understanding", "caption"),
    Category.OTHER: (),
}  # fmt: skip


def query_words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text[:MAX_QUERY_CHARS])][:MAX_WORDS]


def _category_phrases() -> list[tuple[tuple[str, ...], str]]:
    """(words of a phrase, category) for every term and category name, longest phrases first."""
    phrases = []
    for value, label in Category.choices:
        terms = {*CATEGORY_TERMS.get(value, ()), label.lower(), value.replace("_", " ")}
        phrases.extend((tuple(query_words(term)), value) for term in terms)
    return sorted(phrases, key=lambda item: -len(item[0]))


CATEGORY_PHRASES = _category_phrases()
VOCABULARY = sorted({word for words, _ in CATEGORY_PHRASES for word in words if len(word) > 2})


def _word_matches(typed: str, term: str, *, last: bool) -> bool:
    if typed == term:
        return True
    return len(typed) >= (PREFIX_LAST_MIN if last else PREFIX_MIN) and term.startswith(typed)


@dataclass(frozen=True)
class WordGroup:
    """Consecutive words of the query and the categories they name (none for plain words)."""

    words: tuple[str, ...]
    categories: frozenset[str]


def word_groups(words: list[str]) -> list[WordGroup]:
    """The query's words, with each run that names categories grouped, longest phrases first."""
    groups: list[WordGroup] = []
    position = 0
    while position < len(words):
        best: tuple[int, set[str]] = (0, set())
        for phrase, category in CATEGORY_PHRASES:
            end = position + len(phrase)
            if len(phrase) < best[0] or end > len(words):
                continue
            if all(
                _word_matches(words[position + i], term, last=position + i == len(words) - 1)
                for i, term in enumerate(phrase)
            ):
                if len(phrase) > best[0]:
                    best = (len(phrase), set())
                best[1].add(category)
        if best[0]:
            groups.append(WordGroup(tuple(words[position : position + best[0]]), frozenset(best[1])))
            position += best[0]
        else:
            groups.append(WordGroup((words[position],), frozenset()))
            position += 1
    return groups


def suggest_categories(text: str, limit: int = 2) -> list[dict]:
    """The categories that `text` names ("summar", "speech to text", "tts"), for the suggestions list:
    each with its value, label and catalog URL. No query."""
    categories: list[str] = []
    for group in word_groups(query_words(text)):
        categories.extend(value for value in sorted(group.categories) if value not in categories)
    labels = dict(Category.choices)
    return [
        {"value": value, "label": labels[value], "url": f"/models/?category={value}"}
        for value in categories[:limit]
    ]


def prefix_tsquery(words) -> SearchQuery:
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
    groups = word_groups(words)
    plain = [word for group in groups if not group.categories for word in group.words]
    every_word = Q(search_vector=prefix_tsquery(plain)) if plain else Q()
    named_categories: set[str] = set()
    for group in groups:
        if group.categories:
            named_categories |= group.categories
            every_word &= Q(search_vector=prefix_tsquery(group.words)) | Q(category__in=group.categories)
    phrase = " ".join(words)
    name_match = (
        Q(display_name__istartswith=phrase)
        | Q(model_name__istartswith=phrase)
        | Q(api_name__istartswith="-".join(words))
    )
    rank = SearchRank(F("search_vector"), query) + Case(
        When(name_match, then=Value(NAME_MATCH_BOOST)), default=Value(0.0), output_field=FloatField()
    )
    if named_categories:
        rank = rank + Case(
            When(category__in=named_categories, then=Value(CATEGORY_MATCH_BOOST)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return queryset.filter(Q(search_vector=stemmed) | every_word | name_match).annotate(rank=rank)


def upper_text(field: str):
    """UPPER(field::text): the expression the trigram indexes of migration 0010 are built on."""
    return Upper(Cast(field, TextField()))


# Without pg_trgm (the embedded PostgreSQL of `make run`), "Did you mean" compares letters with difflib:
# names need this ratio of their letters in common, and at most this many listed names are read.
CLOSE_RATIO = 0.6
FALLBACK_NAMES = 5_000


def _closest_name_by_letters(phrase: str) -> tuple[str, float] | None:
    names = list(AIModel.objects.public().values_list("display_name", flat=True)[:FALLBACK_NAMES])
    by_upper = {name.upper(): name for name in names}
    close = get_close_matches(phrase.upper(), list(by_upper), n=1, cutoff=CLOSE_RATIO)
    if not close:
        return None
    return by_upper[close[0]], SequenceMatcher(None, phrase.upper(), close[0]).ratio()


def _closest_name(phrase: str) -> tuple[str, float] | None:
    """The listed model whose name looks most like `phrase` (pg_trgm's `%`, answered from the trigram
    index), with its similarity."""
    if not has_extension("pg_trgm"):
        return _closest_name_by_letters(phrase)
    found = (
        AIModel.objects.public()
        .alias(name_upper=upper_text("display_name"))
        .filter(TrigramSimilar(F("name_upper"), Value(phrase.upper())))
        .annotate(score=TrigramSimilarity("name_upper", Value(phrase.upper())))
        .order_by("-score", "-total_requests", "model_id")
        .values_list("display_name", "score")[:1]
    )
    return found[0] if found else None


_CLOSE_WORDS_SQL = """
SELECT typed.position, term, similarity(typed.word, term) AS score
FROM unnest(%s::text[]) WITH ORDINALITY AS typed (word, position), unnest(%s::text[]) AS term
WHERE typed.word %% term
"""


def _closest_words(words: list[str]) -> tuple[str, float] | None:
    """Each word replaced by the closest vocabulary word, and the mean similarity of the replacements;
    None when no word changes. pg_trgm finds the words that share enough trigrams; among them the one
    closest letter by letter wins ("summarisaton": "summarization" rather than "summarize", which shares
    as many trigrams)."""
    if has_extension("pg_trgm"):
        with connection.cursor() as cursor:
            cursor.execute(_CLOSE_WORDS_SQL, [words, VOCABULARY])
            rows = cursor.fetchall()
    else:
        rows = [
            (position, term, SequenceMatcher(None, word, term).ratio())
            for position, word in enumerate(words, start=1)
            for term in get_close_matches(word, VOCABULARY, n=3, cutoff=CLOSE_RATIO)
        ]
    closest: dict[int, tuple[str, float]] = {}
    best: dict[int, tuple[float, float, str]] = {}
    for position, term, score in rows:
        index = position - 1
        key = (SequenceMatcher(None, words[index], term).ratio(), score, term)
        if index not in best or key > best[index]:
            best[index] = key
            closest[index] = (term, score)
    changed = [closest[i] for i, word in enumerate(words) if i in closest and closest[i][0] != word]
    if not changed:
        return None
    corrected = [closest.get(index, (word, 1.0))[0] for index, word in enumerate(words)]
    # How good the corrected text is as a whole: a word left alone counts fully only when it is a word
    # of the vocabulary, so a name's words that no vocabulary holds leave the name to _closest_name().
    scores = [
        closest[i][1] if i in closest and closest[i][0] != word else (1.0 if word in VOCABULARY else 0.0)
        for i, word in enumerate(words)
    ]
    return " ".join(corrected), sum(scores) / len(scores)


def did_you_mean(text: str) -> str | None:
    """What `text` probably meant when it matched nothing: a model's name or the words corrected; None
    when nothing is close enough. Two queries, each answered from an index or a small list."""
    words = query_words(text or "")
    if not words:
        return None
    phrase = " ".join(words)
    candidates = [found for found in (_closest_name(phrase), _closest_words(words)) if found]
    candidates = [(suggestion, score) for suggestion, score in candidates if score >= SIMILARITY_MIN]
    if not candidates:
        return None
    suggestion = max(candidates, key=lambda item: item[1])[0]
    return None if suggestion.lower() == phrase else suggestion
