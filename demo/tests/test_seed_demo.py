"""manage.py seed_demo: a realistic marketplace, the same after a second run, and never with DEBUG off.

The demo data is seeded once for the class (setUpTestData) and each test reads it inside its own
savepoint, so the ten seconds of seeding are paid once.
"""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import TestCase, override_settings

from accounts import keys
from accounts.models import Developer, User
from activity.models import ApiUsageLog, UserHistory
from catalog.models import AIModel, Category
from reviews.models import ModelReview, ReviewReply, ReviewVote
from tests.conftest import sql

UPSTREAM = "http://127.0.0.1:8001"
SIGN_INS = {"admin": "admin-demo-pass", "demo-dev": "dev-demo-pass", "demo-user": "user-demo-pass"}
PATHS = {
    "summarization": "/summarize",
    "code_generation": "/format-code",
    "classification": "/classify",
    "translation": "/translate",
    "text_generation": "/chat/completions",
    "image_generation": "/v1/images/generations",
    "speech_to_text": "/v1/audio/transcriptions",
    "text_to_speech": "/v1/audio/speech",
    "embeddings": "/v1/embeddings",
    "multimodal": "/caption",
}


def row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for app in ("accounts", "catalog", "activity", "reviews")
        for model in apps.get_app_config(app).get_models()
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_refuses_to_create_demo_sign_ins_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 0


# The suite hashes with MD5 for speed (see conftest.py); seeding under the same hasher keeps the demo
# passwords checkable inside the tests.
@override_settings(
    DEBUG=True, DEMO_UPSTREAM_URL=UPSTREAM, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
)
class TestSeededMarketplace(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = seed()

    def test_a_second_run_adds_nothing(self):
        before = row_counts()

        output = seed()

        assert row_counts() == before
        assert "already present" in output
        assert "Demo model key" not in output

    def test_a_second_run_moves_demo_models_off_earlier_demo_routes_only(self):
        pixelforge = AIModel.objects.filter(category="image_generation").order_by("api_name")
        earlier, changed = pixelforge[0], pixelforge[1]
        AIModel.objects.filter(pk=earlier.pk).update(endpoint_url=UPSTREAM + "/echo")
        AIModel.objects.filter(pk=changed.pk).update(endpoint_url=UPSTREAM + "/summarize")
        classifier = AIModel.objects.filter(category="classification").first()
        AIModel.objects.filter(pk=classifier.pk).update(endpoint_url=UPSTREAM + "/sentiment")

        seed()

        earlier.refresh_from_db(), changed.refresh_from_db(), classifier.refresh_from_db()
        assert earlier.endpoint_url == UPSTREAM + "/v1/images/generations"
        assert changed.endpoint_url == UPSTREAM + "/summarize"
        assert classifier.endpoint_url == UPSTREAM + "/classify"

    def test_it_prints_the_demo_sign_ins_and_they_work(self):
        for username, password in SIGN_INS.items():
            assert f"{username} / {password}" in self.output
            user = User.objects.get(username=username)
            assert user.check_password(password), username
            assert user.is_active and user.email_verified
        assert User.objects.get(username="admin").is_staff
        assert User.objects.get(username="demo-user").status == "active"

    def test_it_prints_the_plain_key_of_demo_devs_first_model(self):
        api_name, key = re.search(r"Demo model key for ([\w-]+): (amp_mk_\w+)", self.output).groups()

        model = AIModel.objects.get(api_name=api_name)
        assert model.developer.username == "demo-dev"
        assert model.api_key == keys.hash_key(key)
        assert keys.has_valid_checksum(key)

    def test_demo_dev_is_an_active_developer_with_several_served_models(self):
        demo_dev = Developer.objects.get(username="demo-dev")

        assert demo_dev.user.username == "demo-dev"
        assert demo_dev.status == "active"
        assert AIModel.objects.served().filter(developer=demo_dev).count() >= 3

    def test_developers_come_in_every_state_the_admin_moderates(self):
        by_status = dict(Developer.objects.values_list("status").annotate(n=Count("pk")))

        assert by_status["active"] >= 8
        assert by_status["pending_approval"] >= 1
        assert by_status["suspended"] >= 1

    def test_sixty_models_cover_every_category_and_most_are_in_the_catalog(self):
        models = AIModel.objects.all()

        assert models.count() >= 60
        assert set(models.values_list("category", flat=True)) == set(Category.values)
        assert AIModel.objects.public().count() > models.count() / 2
        for status in ("under_review", "inactive", "deprecated"):
            assert models.filter(status=status).exists(), status
        assert models.filter(status="active", is_public=False).exists()
        assert not models.filter(tags=[]).exists()

    def test_one_model_is_deprecated_with_notice_and_a_replacement(self):
        legacy = AIModel.objects.select_related("replacement").get(api_name="nova-instruct-legacy")

        assert legacy.sunset_ahead and legacy.replacement.api_name == "nova-chat-8b"
        assert AIModel.objects.public().filter(pk=legacy.pk).exists()  # still in the catalog until then
        assert not legacy.usage_logs.filter(response_code=410).exists()  # it has not stopped answering

    def test_model_endpoints_point_at_the_demo_upstream(self):
        for model in AIModel.objects.all():
            assert model.endpoint_url == UPSTREAM + PATHS.get(model.category, "/echo"), model.api_name

    def test_people_reviews_and_activity_are_there(self):
        demo_user = User.objects.get(username="demo-user")

        assert User.objects.filter(developer__isnull=True, is_staff=False).count() >= 40
        assert User.objects.filter(status="pending_verification").count() >= 3
        assert ModelReview.objects.count() >= 200
        assert ReviewVote.objects.count() > 0 and ReviewReply.objects.count() > 0
        assert UserHistory.objects.count() >= 2000 and ApiUsageLog.objects.count() >= 2000
        assert UserHistory.objects.filter(user=demo_user).count() >= 20
        assert ModelReview.objects.filter(user=demo_user).exists()

    def test_activity_spreads_over_the_last_ninety_days(self):
        (days,) = sql("SELECT count(DISTINCT request_timestamp::date) FROM user_history")[0]
        (oldest,) = sql("SELECT now() - min(created_at) FROM api_usage_logs")[0]

        assert days >= 60
        assert 80 <= oldest.days <= 90

    def test_the_counters_follow_from_the_seeded_rows(self):
        mismatched = sql(
            """
            SELECT m.api_name FROM models m
             WHERE m.total_requests <> (SELECT count(*) FROM api_usage_logs l
                                         WHERE l.model_id = m.model_id AND l.response_code BETWEEN 200 AND 299)
                OR m.total_users <> (SELECT count(DISTINCT h.user_id) FROM user_history h
                                      WHERE h.model_id = m.model_id)
                OR m.rating_count <> (SELECT count(*) FROM model_reviews r
                                       WHERE r.model_id = m.model_id AND NOT r.is_hidden)
            UNION ALL
            SELECT r.review_title FROM model_reviews r
             WHERE r.helpful_votes <> (SELECT count(*) FROM review_votes v WHERE v.review_id = r.review_id)
            """
        )
        assert mismatched == []
