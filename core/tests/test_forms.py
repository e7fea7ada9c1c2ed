"""core.forms: comma-separated lists, date ranges, and a model's or the database's refusal beside its field.

The widgets written in Python are tested with the filters that draw them (activity/tests/test_history_filters).
"""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.forms import CommaListField, DateRangeMixin, add_constraint_error, add_validation_error


def tags_field(**kwargs) -> CommaListField:
    return CommaListField(max_items=3, max_item_length=20, noun="tag", plural="tags", **kwargs)


def refusal_of(field: forms.Field, value) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return refused.value.messages


# CommaListField ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, entries",
    [
        ("nlp, speech", ["nlp", "speech"]),
        ("  NLP ,Speech  ", ["nlp", "speech"]),
        ("computer   vision,\tnlp", ["computer vision", "nlp"]),
        ("nlp, NLP, nlp ", ["nlp"]),
        ("nlp,, ,speech,", ["nlp", "speech"]),
        ("", []),
        (" , ", []),
    ],
)
def test_entries_are_trimmed_lowercased_and_deduplicated_in_the_order_typed(typed, entries):
    assert tags_field().clean(typed) == entries


def test_up_to_the_most_entries_pass_and_one_more_is_refused():
    assert tags_field().clean("a, b, c") == ["a", "b", "c"]
    assert refusal_of(tags_field(), "a, b, c, d") == ["Use at most 3 tags."]


def test_duplicates_do_not_count_towards_the_most_entries():
    assert tags_field().clean("a, b, c, A, b ") == ["a", "b", "c"]


def test_entries_up_to_the_longest_pass_and_every_longer_one_is_named():
    assert tags_field().clean("x" * 20) == ["x" * 20]
    assert refusal_of(tags_field(), f"ok, {'y' * 21}, {'z' * 30}") == [
        f"Each tag may have at most 20 characters: {'y' * 21}, {'z' * 30}."
    ]


def test_the_noun_names_the_entries_in_the_messages():
    areas = CommaListField(max_items=2, max_item_length=3, noun="area", plural="areas")

    assert refusal_of(areas, "nlp, tts, ocr") == ["Use at most 2 areas."]
    assert refusal_of(areas, "speech") == ["Each area may have at most 3 characters: speech."]


def test_a_nul_character_in_any_entry_is_refused():
    assert refusal_of(tags_field(), "fine, b\x00c") == ["Null characters are not allowed."]


def test_it_is_optional_unless_told_otherwise():
    assert tags_field().clean("") == []
    assert refusal_of(tags_field(required=True), " , ") == ["This field is required."]


def test_a_stored_list_is_shown_comma_separated():
    class TagsForm(forms.Form):
        tags = tags_field()

    form = TagsForm(initial={"tags": ["nlp", "speech"]})

    assert 'value="nlp, speech"' in str(form["tags"])


def test_it_has_changed_only_when_the_entries_differ():
    field = tags_field()

    assert not field.has_changed(["nlp", "speech"], " NLP,speech, nlp")
    assert field.has_changed(["nlp", "speech"], "nlp")
    assert field.has_changed(["nlp", "speech"], "speech, nlp")
    assert not field.has_changed(None, "")
    assert field.has_changed(None, "nlp")


# DateRangeMixin ----------------------------------------------------------------------------------------


class RangeForm(DateRangeMixin, forms.Form):
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


def test_an_end_before_the_start_is_an_error_beside_the_end():
    form = RangeForm({"date_from": "2026-05-02", "date_to": "2026-05-01"})

    assert not form.is_valid()
    assert form.errors == {"date_to": ["The end date is before the start date."]}


@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "2026-05-01", "date_to": "2026-05-01"},
        {"date_from": "2026-05-01", "date_to": "2026-05-31"},
        {"date_from": "2026-05-01"},
        {"date_to": "2026-05-01"},
        {},
    ],
)
def test_a_range_in_order_one_end_or_none_is_valid(dates):
    assert RangeForm(dates).is_valid()


def test_an_unreadable_start_is_its_own_error_and_the_range_is_not_compared():
    form = RangeForm({"date_from": "someday", "date_to": "2026-05-01"})

    assert not form.is_valid()
    assert list(form.errors) == ["date_from"]


# add_validation_error ----------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    username = forms.CharField()

    constraint_errors = {"developers_username_key": ("username", "That public username is taken.")}
    constraint_fallback = "The profile could not be saved. Please try again."


@pytest.fixture
def form():
    form = ProfileForm({"username": "dana"})
    assert form.is_valid()
    return form


def test_a_models_errors_go_beside_the_fields_the_form_has_and_the_rest_above_it(form):
    add_validation_error(form, ValidationError({"username": "Too short.", "website": "Unreachable."}))

    assert form.errors == {"username": ["Too short."], "__all__": ["Unreachable."]}


def test_an_error_naming_no_field_goes_above_the_form(form):
    add_validation_error(form, ValidationError(["Applications are closed.", "Try again next month."]))

    assert form.non_field_errors() == ["Applications are closed.", "Try again next month."]
    assert "username" not in form.errors


# add_constraint_error ----------------------------------------------------------------------------------


def test_a_constraint_the_form_knows_goes_beside_its_field(form, unique_violation):
    add_constraint_error(form, unique_violation)

    assert form.errors == {"username": ["That public username is taken."]}


def test_a_constraint_about_a_field_the_form_lacks_goes_above_it(form, check_violation):
    form.constraint_errors = {"developers_years_experience_range": ("years_experience", "0 to 80 years.")}

    add_constraint_error(form, check_violation)

    assert form.errors == {"__all__": ["0 to 80 years."]}


def test_any_other_constraint_gets_the_forms_fallback_above_it(form, check_violation):
    add_constraint_error(form, check_violation)

    assert form.errors == {"__all__": ["The profile could not be saved. Please try again."]}


def test_an_error_naming_no_constraint_gets_the_fallback(form):
    add_constraint_error(form, IntegrityError("raised in Python"))

    assert form.non_field_errors() == ["The profile could not be saved. Please try again."]
