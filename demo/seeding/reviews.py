"""Reviews: mostly by people who used the model, a little spam for the moderators, helpful votes, replies."""

from collections import Counter
from datetime import timedelta

from accounts.models import User, UserStatus
from catalog.models import ModelStatus
from demo.data.reviews import REPLIES, REVIEWS, SPAM_REVIEWS, USE_CASES
from demo.seeding.state import BATCH, DAYS, Seeding
from demo.seeding.traffic import Traffic
from reviews.models import ModelReview, ReviewReply, ReviewVote

REVIEW_TARGET = 330


def seed_reviews(seeding: Seeding, traffic: Traffic, *, demo_user: User) -> None:
    rng = seeding.rng
    models = [m for m in traffic.public if m.status == ModelStatus.ACTIVE]
    reviewers = [u for u in traffic.callers if u.status == UserStatus.ACTIVE and u.email_verified]
    popularity, history = traffic.popularity, traffic.history
    if not models or len(reviewers) < 2:
        return
    total = sum(popularity[m.model_id] for m in models)
    demo_user_models = [
        model_id
        for model_id, _ in Counter(h.model_id for h in history if h.user_id == demo_user.pk).most_common(6)
    ]
    users_of = {}
    for row in history:
        users_of.setdefault(row.model_id, set()).add(row.user_id)
    reviews = []
    spam_left_visible = 2
    for model in models:
        quality = rng.uniform(2.6, 4.8)
        share = popularity[model.model_id] / total
        count = min(len(reviewers) - 1, max(2, round(REVIEW_TARGET * share)))
        # Mostly people who used the model, a few who tried it elsewhere.
        others = [u for u in reviewers if u.pk != demo_user.pk]
        users = [u for u in others if u.pk in users_of.get(model.model_id, ())]
        authors = rng.sample(users, min(len(users), count))
        rest = [u for u in others if u.pk not in users_of.get(model.model_id, ())]
        authors += rng.sample(rest, min(len(rest), max(1, count // 5) if len(authors) < count else 0))
        if model.model_id in demo_user_models:
            authors.append(demo_user)
        for author in authors:
            rating = min(5, max(1, round(rng.gauss(quality, 0.9))))
            review = rng.choice(REVIEWS[rating])
            hidden = False
            if rng.random() < 0.03 and author.pk != demo_user.pk:
                review = rng.choice(SPAM_REVIEWS)
                rating, hidden = 5, spam_left_visible <= 0
                spam_left_visible -= 1
            at = max(model.created_at + timedelta(days=1), seeding.days_ago(rng.uniform(0, DAYS)))
            use = rng.choice(USE_CASES[model.category])
            reviews.append(
                ModelReview(
                    model=model,
                    user=author,
                    rating=rating,
                    review_title=review.title,
                    review_text=review.text.format(name=model.display_name, use=use),
                    is_hidden=hidden,
                    created_at=at,
                    updated_at=at,
                )
            )
    ModelReview.objects.bulk_create(reviews, batch_size=BATCH)
    seeding.created.reviews = len(reviews)

    votes, replies = [], []
    for review in reviews:
        if not review.is_hidden:
            voters = [u for u in reviewers if u.pk != review.user_id]
            count = min(len(voters), int(rng.expovariate(1 / 2.4)))
            for voter in rng.sample(voters, count):
                votes.append(
                    ReviewVote(review=review, user=voter, created_at=seeding.after(review.created_at))
                )
        if not review.is_hidden and rng.random() < (0.35 if review.rating <= 3 else 0.08):
            at = seeding.after(review.created_at)
            replies.append(
                ReviewReply(
                    review=review,
                    developer_id=review.model.developer_id,
                    reply_text=rng.choice(REPLIES),
                    created_at=at,
                    updated_at=at,
                )
            )
    ReviewVote.objects.bulk_create(votes, batch_size=BATCH)
    ReviewReply.objects.bulk_create(replies, batch_size=BATCH)
    seeding.created.votes, seeding.created.replies = len(votes), len(replies)
