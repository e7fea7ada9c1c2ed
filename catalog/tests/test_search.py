import pytest

from catalog.models import AIModel
from catalog.search import MAX_WORDS, query_words, search_models
from catalog.tests.factories import AIModelFactory


def test_it_keeps_only_words_so_no_tsquery_syntax_survives():
    assert query_words("summ:* & (a|b) !c 'd' \\e") == ["summ", "a", "b", "c", "d", "e"]


def test_it_keeps_letters_of_any_script_and_lowercases_them():
    assert query_words("Übersetzung 日本語 GPT4") == ["übersetzung", "日本語", "gpt4"]


def test_it_limits_the_number_of_words():
    assert len(query_words(" ".join(f"w{i}" for i in range(50)))) == MAX_WORDS


@pytest.mark.django_db
def test_it_returns_the_queryset_unchanged_for_text_without_words(dana):
    AIModelFactory(developer=dana)
    queryset = AIModel.objects.all()
    assert search_models(queryset, "  :* & | ") is queryset


@pytest.mark.django_db
def test_it_weights_names_over_tags_over_descriptions(dana):
    AIModelFactory(
        developer=dana, api_name="in-text", display_name="A", model_name="a", description="Poetry."
    )
    AIModelFactory(developer=dana, api_name="in-tags", display_name="B", model_name="b", tags=["poetry"])
    AIModelFactory(developer=dana, api_name="in-name", display_name="Poetry", model_name="c", description="")

    ranked = search_models(AIModel.objects.all(), "poetry").order_by("-rank")

    assert [model.api_name for model in ranked] == ["in-name", "in-tags", "in-text"]


@pytest.mark.django_db
def test_it_matches_every_word_as_a_prefix(dana):
    AIModelFactory(developer=dana, api_name="code-helper", display_name="Code Helper", description="Python.")
    AIModelFactory(developer=dana, api_name="code-only", display_name="Code", description="Rust.")

    found = search_models(AIModel.objects.all(), "cod pyth")

    assert [model.api_name for model in found] == ["code-helper"]


@pytest.mark.django_db
def test_it_matches_stemmed_forms(dana):
    AIModelFactory(developer=dana, api_name="runner", description="It runs quickly.")

    assert search_models(AIModel.objects.all(), "running").count() == 1
