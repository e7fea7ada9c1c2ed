import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview, ReviewReply, ReviewVote


class ModelReviewFactory(DjangoModelFactory):
    class Meta:
        model = ModelReview

    model = factory.SubFactory(AIModelFactory)
    user = factory.SubFactory(UserFactory)
    rating = 4
    review_title = factory.Faker("sentence", nb_words=5)
    review_text = factory.Faker("paragraph")


class ReviewVoteFactory(DjangoModelFactory):
    class Meta:
        model = ReviewVote

    review = factory.SubFactory(ModelReviewFactory)
    user = factory.SubFactory(UserFactory)


class ReviewReplyFactory(DjangoModelFactory):
    class Meta:
        model = ReviewReply

    review = factory.SubFactory(ModelReviewFactory)
    developer = factory.LazyAttribute(lambda r: r.review.model.developer)
    reply_text = factory.Faker("paragraph")
