"""/dashboard/reviews/: reviews of the developer's models, newest first, each with the reply form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:reviews")


def age(review: ModelReview, days: int) -> None:
    ModelReview.objects.filter(pk=review.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_it_lists_reviews_of_the_developers_models_newest_first(signed_in, dana, eve, model, alice, bob):
    other = AIModelFactory(developer=dana)
    old = ModelReviewFactory(model=model, user=alice, review_title="Old but good")
    new = ModelReviewFactory(model=other, user=bob, review_title="Fresh take")
    age(old, 5)
    ModelReviewFactory(model=AIModelFactory(developer=eve), user=alice, review_title="Not yours")
    ModelReviewFactory(model=model, user=UserFactory(), review_title="Hidden by staff", is_hidden=True)
    response = signed_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert [r.pk for r in response.context["page"]] == [new.pk, old.pk]
    assert html.index("Fresh take") < html.index("Old but good")
    assert "Not yours" not in html
    assert "Hidden by staff" not in html


def test_each_review_carries_the_reply_form(signed_in, model, alice, bob):
    answered = ModelReviewFactory(model=model, user=alice)
    ReviewReplyFactory(review=answered, reply_text="Thanks, fixed in v2.")
    open_review = ModelReviewFactory(model=model, user=bob)
    html = signed_in.get(URL).content.decode()
    assert reverse("reviews:reply", args=[model.api_name, open_review.pk]) in html
    assert reverse("reviews:reply", args=[model.api_name, answered.pk]) in html
    assert "Thanks, fixed in v2." in html
    assert f'for="reply-text-{open_review.pk}"' in html


def test_it_filters_by_model_and_answers_404_for_someone_elses(signed_in, dana, eve, model, alice):
    other = AIModelFactory(developer=dana, api_name="dana-other")
    ModelReviewFactory(model=model, user=alice, review_title="About the summarizer")
    ModelReviewFactory(model=other, user=alice, review_title="About the other one")
    html = signed_in.get(URL, {"model": "dana-other"}).content.decode()
    assert "About the other one" in html
    assert "About the summarizer" not in html
    AIModelFactory(developer=eve, api_name="eve-model")
    assert signed_in.get(URL, {"model": "eve-model"}).status_code == 404


def test_it_pages_the_reviews(signed_in, model):
    reviews = ModelReviewFactory.create_batch(25, model=model)
    for index, review in enumerate(reviews):
        age(review, index)
    first = signed_in.get(URL)
    assert [r.pk for r in first.context["page"]] == [r.pk for r in reviews[:20]]
    second = signed_in.get(URL, {"page": 2})
    assert [r.pk for r in second.context["page"]] == [r.pk for r in reviews[20:]]


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(signed_in, model, rows, django_assert_max_num_queries):
    for review in ModelReviewFactory.create_batch(rows, model=model):
        ReviewReplyFactory(review=review)
    with django_assert_max_num_queries(6):
        assert signed_in.get(URL).status_code == 200


def test_it_says_so_when_there_is_no_review(signed_in, model):
    assert "No reviews yet." in signed_in.get(URL).content.decode()


def test_every_page_matches_one_sort_of_all_the_visible_reviews(signed_in, dana):
    """Pages are merged from each model's newest reviews: they must equal slices of one global sort,
    ties on created_at included, with hidden reviews and other developers' models left out."""
    models = AIModelFactory.create_batch(3, developer=dana)
    same_moment = timezone.now() - dt.timedelta(hours=1)
    for index in range(47):
        review = ModelReviewFactory(model=models[index % 3], is_hidden=index % 10 == 0)
        when = same_moment if index % 4 == 0 else timezone.now() - dt.timedelta(minutes=index * 7 % 50)
        ModelReview.objects.filter(pk=review.pk).update(created_at=when)
    ModelReviewFactory(model=AIModelFactory())

    expected = list(
        ModelReview.objects.filter(model__developer=dana, is_hidden=False)
        .order_by("-created_at", "-review_id")
        .values_list("pk", flat=True)
    )
    shown = []
    for number in (1, 2, 3):
        page = signed_in.get(URL, {"page": number}).context["page"]
        assert page.paginator.count == len(expected) == 42
        shown += [review.pk for review in page]
    assert shown == expected

    one = signed_in.get(URL, {"model": models[1].api_name}).context["page"]
    assert [r.pk for r in one] == [pk for pk in expected if pk in {r.pk for r in models[1].reviews.all()}][
        :20
    ]
