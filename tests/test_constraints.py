"""Every CHECK and unique constraint of the platform's tables refuses a bad row, written by plain SQL.

Each CHECK is proven on its own: the table's other CHECKs are dropped inside the test's transaction
(rolled back at the end), so a constraint shadowed by a stricter or identical one still has to refuse the
row itself. Guard tests fail when a constraint is added to the database without a case here.
"""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import DeveloperFactory, UserApiKeyFactory, UserFactory
from activity.models import DeveloperMonthlyUsage, ModelDailyStats, ModelUser, UserHistoryCount
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from favourites.tests.factories import CollectionFactory, CollectionModelFactory, ModelLikeFactory
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory, ReviewVoteFactory
from tests.conftest import PLATFORM_TABLES, sql


def a_user():
    return "users", "user_id", UserFactory().pk


def a_developer():
    return "developers", "developer_id", DeveloperFactory().pk


def a_key():
    return "user_api_keys", "key_id", UserApiKeyFactory().pk


def a_model():
    return "models", "model_id", AIModelFactory().pk


def a_model_beside_another():
    # The replacement's CHECKs need a second model to point at.
    AIModelFactory()
    return a_model()


def a_review():
    return "model_reviews", "review_id", ModelReviewFactory().pk


def a_report():
    from reviews.models import ReviewReport

    report = ReviewReport.objects.create(review=ModelReviewFactory(), user=UserFactory(), reason="spam")
    return "review_reports", "report_id", report.pk


def a_user_whose_balance_the_ledger_moves():
    # Only credit_ledger moves a balance (users_credit_balance_guard): the guard is off in this transaction.
    row = a_user()
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("ALTER TABLE users DISABLE TRIGGER users_credit_balance_guard")
    return row


def a_user_whose_epoch_sql_writes():
    # Only the users_session_epoch trigger moves the epoch: it is off in this transaction.
    row = a_user()
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("ALTER TABLE users DISABLE TRIGGER users_session_epoch")
    return row


def a_ledger_entry():
    from accounts.models import CreditLedgerEntry

    entry = CreditLedgerEntry.objects.create(user=UserFactory(credits=0), amount="1.0000", kind="grant")
    # The ledger is append-only (credit_ledger_append_only); the check is proven on an UPDATE all the same.
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("ALTER TABLE credit_ledger DISABLE TRIGGER credit_ledger_append_only")
    return "credit_ledger", "entry_id", entry.pk


def a_key_spend():
    from accounts.models import ApiKeySpend

    spend = ApiKeySpend.objects.create(api_key=UserApiKeyFactory(), period_start="2026-05-01T00:00Z")
    return "api_key_spend", "id", spend.pk


def a_consumer_usage():
    from activity.models import ModelConsumerUsage

    usage = ModelConsumerUsage.objects.create(
        model=AIModelFactory(), user=UserFactory(), month=date(2026, 5, 1)
    )
    return "model_consumer_usage", "id", usage.pk


def a_log():
    return "api_usage_logs", "log_id", ApiUsageLogFactory().pk


def a_history_row():
    return "user_history", "history_id", UserHistoryFactory().pk


def a_monthly_usage():
    usage = DeveloperMonthlyUsage.objects.create(developer=DeveloperFactory(), month=date(2026, 5, 1))
    return "developer_monthly_usage", "id", usage.pk


def a_daily_rollup():
    log = ApiUsageLogFactory()
    return "model_daily_stats", "id", ModelDailyStats.objects.get(model=log.model).pk


def a_model_user():
    row = UserHistoryFactory()
    return "model_users", "id", ModelUser.objects.get(model=row.model, user=row.user).pk


def a_history_count():
    row = UserHistoryFactory()
    return "user_history_counts", "id", UserHistoryCount.objects.get(user=row.user, status=row.status).pk


def a_notification():
    from accounts.models import Notification

    row = Notification.objects.create(
        user=UserFactory(), kind="new_review", payload={"title": "t", "url": "/"}
    )
    return "notifications", "notification_id", row.pk


def a_call_media():
    from activity.models import CallMedia

    entry = UserHistoryFactory()
    media = CallMedia.objects.create(
        history=entry,
        user=entry.user,
        direction="output",
        kind="image",
        mime="image/png",
        path=f"calls/{uuid.uuid4()}.png",
        size_bytes=1,
    )
    return "call_media", "media_id", media.pk


def a_collection():
    return "collections", "collection_id", CollectionFactory().pk


def a_collection_item():
    return "collection_models", "item_id", CollectionModelFactory().pk


# constraint name → (row maker, SET clause that breaks exactly that rule)
CHECKS = {
    "models_like_count_non_negative": (a_model, "like_count = -1"),
    "collections_title_length": (a_collection, "title = '  '"),
    "collections_note_length": (a_collection, "note = repeat('x', 2001)"),
    "collection_models_note_length": (a_collection_item, "note = repeat('x', 501)"),
    "collection_models_position_non_negative": (a_collection_item, "position = -1"),
    "users_status_valid": (a_user, "status = 'banned'"),
    "users_pending_email_with_time": (a_user, "pending_email = 'new@example.org'"),
    "users_session_epoch_check": (a_user_whose_epoch_sql_writes, "session_epoch = -1"),
    "users_credit_balance_non_negative": (a_user_whose_balance_the_ledger_moves, "credit_balance = -0.0001"),
    "users_notifications_off_valid": (a_user, "notifications_off = '{gossip}'"),
    "users_notification_mails_off_valid": (a_user, "notification_mails_off = '{new_review,gossip}'"),
    "notifications_kind_valid": (a_notification, "kind = 'gossip'"),
    "notifications_payload_valid": (a_notification, 'payload = \'{"title": "t"}\''),
    "credit_ledger_kind_valid": (a_ledger_entry, "kind = 'gift'"),
    "credit_ledger_amount_sign": (a_ledger_entry, "amount = -1"),
    "api_key_spend_spent_non_negative": (a_key_spend, "spent = -0.0001"),
    "model_consumer_usage_calls_non_negative": (a_consumer_usage, "calls = -1"),
    "user_api_keys_spend_limit_positive": (a_key, "spend_limit = 0"),
    "user_api_keys_limit_period_valid": (a_key, "limit_period = 'hour'"),
    "models_consumer_monthly_limit_positive": (a_model, "consumer_monthly_limit = 0"),
    "models_consumer_monthly_limit_check": (a_model, "consumer_monthly_limit = -1"),
    "models_input_kinds_valid": (a_model, "input_kinds = ARRAY['vector']"),
    "models_output_kinds_valid": (a_model, "output_kinds = '{}'"),
    "developers_status_valid": (a_developer, "status = 'banned'"),
    "developers_api_quota_check": (a_developer, "api_quota = -1"),
    "developers_api_quota_non_negative": (a_developer, "api_quota = -1"),
    "developers_total_models_non_negative": (a_developer, "total_models_created = -1"),
    "developers_years_experience_check": (a_developer, "years_experience = -1"),
    "developers_years_experience_range": (a_developer, "years_experience = 81"),
    "user_api_keys_hash_hex": (a_key, "key_hash = upper(key_hash)"),
    "models_api_key_hex": (a_model, "api_key = 'not-a-sha256'"),
    "models_api_name_slug": (a_model, "api_name = 'Has Spaces'"),
    "models_average_rating_range": (a_model, "average_rating = 5.01"),
    "models_category_valid": (a_model, "category = 'astrology'"),
    "models_endpoint_url_http": (a_model, "endpoint_url = 'ftp://files.example.com/model'"),
    "models_price_non_negative": (a_model, "price_per_request = -0.0001"),
    "models_rating_count_non_negative": (a_model, "rating_count = -1"),
    "models_rating_sum_non_negative": (a_model, "rating_sum = -1"),
    "models_status_valid": (a_model, "status = 'archived'"),
    "models_total_requests_non_negative": (a_model, "total_requests = -1"),
    "models_total_users_non_negative": (a_model, "total_users = -1"),
    "models_replacement_not_self": (a_model, "status = 'deprecated', replacement_model_id = model_id"),
    "models_sunset_only_deprecated": (a_model, "sunset_at = now() + interval '7 days'"),
    "models_replacement_only_deprecated": (
        a_model_beside_another,
        "replacement_model_id = (SELECT o.model_id FROM models o WHERE o.model_id <> models.model_id LIMIT 1)",
    ),
    "models_deprecation_note_only_deprecated": (a_model, "deprecation_note = 'Use the new one.'"),
    "models_deprecated_at_when_deprecated": (a_model, "deprecated_at = now()"),
    "model_reviews_rating_check": (a_review, "rating = -1"),
    "model_reviews_rating_range": (a_review, "rating = 6"),
    "model_reviews_helpful_votes_non_negative": (a_review, "helpful_votes = -1"),
    "review_reports_reason_valid": (a_report, "reason = 'boring'"),
    "review_reports_resolution_valid": (a_report, "resolved_at = now(), resolution = 'deleted'"),
    "review_reports_resolution_when_resolved": (a_report, "resolution = 'dismissed'"),
    "api_usage_logs_response_code_check": (a_log, "response_code = -1"),
    "api_usage_logs_response_code_range": (a_log, "response_code = 600"),
    "api_usage_logs_request_size_non_negative": (a_log, "request_size = -1"),
    "api_usage_logs_response_size_non_negative": (a_log, "response_size = -1"),
    "api_usage_logs_processing_time_non_negative": (a_log, "processing_time_ms = -1"),
    "api_usage_logs_first_chunk_non_negative": (a_log, "first_chunk_ms = -1"),
    "user_history_status_valid": (a_history_row, "status = 'lost'"),
    "user_history_response_time_non_negative": (a_history_row, "response_time_ms = -1"),
    "user_history_cost_non_negative": (a_history_row, "cost_incurred = -0.0001"),
    "user_history_first_chunk_non_negative": (a_history_row, "first_chunk_ms = -1"),
    "user_history_user_rating_check": (a_history_row, "user_rating = -1"),
    "user_history_user_rating_range": (a_history_row, "user_rating = 0"),
    "developer_monthly_usage_calls_non_negative": (a_monthly_usage, "calls = -1"),
    "developer_monthly_usage_first_of_month": (a_monthly_usage, "month = '2026-05-02'"),
    "model_daily_stats_calls_non_negative": (a_daily_rollup, "calls = -1"),
    "model_daily_stats_revenue_non_negative": (a_daily_rollup, "revenue = -0.0001"),
    "model_users_interactions_non_negative": (a_model_user, "interactions = -1"),
    "model_users_answered_within_interactions": (a_model_user, "answered = interactions + 1"),
    "user_history_counts_status_valid": (a_history_count, "status = 'lost'"),
    "user_history_counts_interactions_non_negative": (a_history_count, "interactions = -1"),
    "user_history_counts_cost_total_non_negative": (a_history_count, "cost_total = -0.0001"),
    "user_history_counts_response_total_non_negative": (a_history_count, "response_time_ms_total = -1"),
    "user_history_counts_response_count_non_negative": (a_history_count, "response_time_count = -1"),
    "call_media_direction_valid": (a_call_media, "direction = 'sideways'"),
    "call_media_kind_valid": (a_call_media, "kind = 'video', mime = 'video/mp4'"),
    "call_media_mime_of_its_kind": (a_call_media, "mime = 'audio/wav'"),
    "call_media_size_positive": (a_call_media, "size_bytes = 0"),
    "call_media_dimensions_positive": (a_call_media, "width = 0"),
    "call_media_position_non_negative": (a_call_media, "position = -1"),
}


def refusal(statement: str, params) -> str:
    """Run a statement that must fail; return the name of the constraint that refused it."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return refused.value.__cause__.diag.constraint_name


def constraints_of(kind: str) -> set[str]:
    return {
        name
        for (name,) in sql(
            "SELECT conname FROM pg_constraint WHERE contype = %s AND conrelid::regclass::text = ANY(%s)",
            [kind, list(PLATFORM_TABLES)],
        )
    }


def test_every_check_constraint_of_the_platform_has_a_case_here(db):
    assert constraints_of("c") == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_check_constraint_refuses_a_bad_row_on_its_own(db, name):
    make_row, assignment = CHECKS[name]
    table, pk_column, pk = make_row()
    others = sql(
        "SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid = %s::regclass AND conname <> %s",
        [table, name],
    )
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks, so the table can be altered
    for (other,) in others:
        sql(f'ALTER TABLE {table} DROP CONSTRAINT "{other}"')

    assert refusal(f"UPDATE {table} SET {assignment} WHERE {pk_column} = %s", [pk]) == name


def test_a_bad_row_is_refused_with_every_constraint_in_place(db):
    for name, (make_row, assignment) in CHECKS.items():
        table, pk_column, pk = make_row()
        refused_by = refusal(f"UPDATE {table} SET {assignment} WHERE {pk_column} = %s", [pk])
        assert refused_by in CHECKS and refused_by.startswith(table), name


# --- unique constraints -------------------------------------------------------------------------------


def duplicate_username():
    UserFactory(username="taken")
    return "UPDATE users SET username = 'taken' WHERE user_id = %s", [UserFactory().pk]


def duplicate_username_in_other_case():
    UserFactory(username="taken")
    return "UPDATE users SET username = 'TAKEN' WHERE user_id = %s", [UserFactory().pk]


def duplicate_email_in_other_case():
    UserFactory(email="Someone@Example.com")
    return "UPDATE users SET email = 'someone@example.COM' WHERE user_id = %s", [UserFactory().pk]


def second_developer_for_one_account():
    first = DeveloperFactory()
    return "UPDATE developers SET user_id = %s WHERE developer_id = %s", [
        first.user_id,
        DeveloperFactory().pk,
    ]


def duplicate_developer_username():
    DeveloperFactory(username="studio")
    return "UPDATE developers SET username = 'studio' WHERE developer_id = %s", [DeveloperFactory().pk]


def duplicate_developer_email():
    DeveloperFactory(email="hello@studio.example.com")
    return (
        "UPDATE developers SET email = 'hello@studio.example.com' WHERE developer_id = %s",
        [DeveloperFactory().pk],
    )


def duplicate_key_hash():
    first = UserApiKeyFactory()
    return "UPDATE user_api_keys SET key_hash = %s WHERE key_id = %s", [
        first.key_hash,
        UserApiKeyFactory().pk,
    ]


def duplicate_model_key():
    first = AIModelFactory()
    return "UPDATE models SET api_key = %s WHERE model_id = %s", [first.api_key, AIModelFactory().pk]


def duplicate_api_name():
    AIModelFactory(api_name="taken-name")
    return "UPDATE models SET api_name = 'taken-name' WHERE model_id = %s", [AIModelFactory().pk]


def second_review_by_one_user():
    review = ModelReviewFactory()
    return (
        "INSERT INTO model_reviews (model_id, user_id, rating, review_title, review_text) "
        "VALUES (%s, %s, 3, 'Again', 'Second review')",
        [review.model_id, review.user_id],
    )


def second_reply_to_one_review():
    reply = ReviewReplyFactory()
    return (
        "INSERT INTO review_replies (review_id, developer_id, reply_text) VALUES (%s, %s, 'Again')",
        [reply.review_id, reply.developer_id],
    )


def second_vote_by_one_user():
    vote = ReviewVoteFactory()
    return "INSERT INTO review_votes (review_id, user_id) VALUES (%s, %s)", [vote.review_id, vote.user_id]


def second_open_report_by_one_user():
    from reviews.models import ReviewReport

    report = ReviewReport.objects.create(review=ModelReviewFactory(), user=UserFactory(), reason="spam")
    return (
        "INSERT INTO review_reports (review_id, user_id, reason) VALUES (%s, %s, 'other')",
        [report.review_id, report.user_id],
    )


def second_usage_row_for_one_month():
    usage = DeveloperMonthlyUsage.objects.create(developer=DeveloperFactory(), month=date(2026, 5, 1))
    return (
        "INSERT INTO developer_monthly_usage (id, developer_id, month, calls) "
        "VALUES (gen_random_uuid(), %s, '2026-05-01', 1)",
        [usage.developer_id],
    )


def second_rollup_for_one_day():
    log = ApiUsageLogFactory()
    stats = ModelDailyStats.objects.get(model=log.model)
    return (
        "INSERT INTO model_daily_stats (id, model_id, day) VALUES (gen_random_uuid(), %s, %s)",
        [stats.model_id, stats.day],
    )


def second_pair_row():
    row = UserHistoryFactory()
    return (
        "INSERT INTO model_users (id, model_id, user_id, interactions) VALUES (gen_random_uuid(), %s, %s, 1)",
        [row.model_id, row.user_id],
    )


def second_count_for_one_status():
    row = UserHistoryFactory()
    return (
        "INSERT INTO user_history_counts (id, user_id, status, interactions) "
        "VALUES (gen_random_uuid(), %s, %s, 1)",
        [row.user_id, row.status],
    )


def same_session_same_instant():
    row = UserHistoryFactory()
    return (
        "INSERT INTO user_history (user_id, model_id, session_id, prompt, status, request_timestamp) "
        "VALUES (%s, %s, %s, 'again', 'completed', %s)",
        [row.user_id, row.model_id, row.session_id, row.request_timestamp],
    )


def second_spend_row_for_one_period():
    _table, _column, pk = a_key_spend()
    return (
        "INSERT INTO api_key_spend (id, key_id, period_start, spent) "
        "SELECT gen_random_uuid(), key_id, period_start, 0 FROM api_key_spend WHERE id = %s",
        [pk],
    )


def second_consumer_row_for_one_month():
    _table, _column, pk = a_consumer_usage()
    return (
        "INSERT INTO model_consumer_usage (id, model_id, user_id, month, calls) "
        "SELECT gen_random_uuid(), model_id, user_id, month, 1 FROM model_consumer_usage WHERE id = %s",
        [pk],
    )


def second_release_of_one_call():
    from accounts.models import CreditLedgerEntry

    user = UserFactory(credits="1.0000")
    history_id = UserHistoryFactory(user=user).pk
    CreditLedgerEntry.objects.create(user=user, amount="0.5000", kind="release", history_id=history_id)
    return (
        "INSERT INTO credit_ledger (user_id, amount, kind, history_id) VALUES (%s, 0.5, 'release', %s)",
        [user.pk, history_id],
    )


def second_media_row_for_one_file():
    table, _, pk = a_call_media()
    return (
        f"INSERT INTO {table} (history_id, user_id, direction, kind, mime, path, size_bytes) "
        "SELECT history_id, user_id, direction, kind, mime, path, size_bytes FROM call_media WHERE media_id = %s",
        [pk],
    )


def second_like_by_one_user():
    like = ModelLikeFactory()
    return "INSERT INTO model_likes (user_id, model_id) VALUES (%s, %s)", [like.user_id, like.model_id]


def second_place_of_one_model_in_a_collection():
    item = CollectionModelFactory(position=0)
    return (
        "INSERT INTO collection_models (collection_id, model_id, position) VALUES (%s, %s, 1)",
        [item.collection_id, item.model_id],
    )


def two_items_at_one_position():
    # Deferred to the commit (a move swaps two positions); checked here at once. No parameters: two
    # statements in one call.
    item = CollectionModelFactory(position=0)
    model = AIModelFactory()
    return (
        "INSERT INTO collection_models (collection_id, model_id, position) "
        f"VALUES ('{item.collection_id}', '{model.pk}', 0); SET CONSTRAINTS ALL IMMEDIATE",
        None,
    )


UNIQUES = {
    "model_likes_user_model_unique": second_like_by_one_user,
    "collection_models_collection_model_unique": second_place_of_one_model_in_a_collection,
    "collection_models_position_unique": two_items_at_one_position,
    "credit_ledger_once_per_call": second_release_of_one_call,
    "api_key_spend_unique": second_spend_row_for_one_period,
    "model_consumer_usage_unique": second_consumer_row_for_one_month,
    "users_username_key": duplicate_username,
    "users_username_ci_unique": duplicate_username_in_other_case,
    "users_email_ci_unique": duplicate_email_in_other_case,
    "developers_user_id_key": second_developer_for_one_account,
    "developers_username_key": duplicate_developer_username,
    "developers_email_key": duplicate_developer_email,
    "user_api_keys_key_hash_key": duplicate_key_hash,
    "models_api_key_key": duplicate_model_key,
    "models_api_name_key": duplicate_api_name,
    "model_reviews_model_user_unique": second_review_by_one_user,
    "review_replies_review_id_key": second_reply_to_one_review,
    "review_votes_review_user_unique": second_vote_by_one_user,
    "review_reports_one_open_per_user": second_open_report_by_one_user,
    "developer_monthly_usage_unique": second_usage_row_for_one_month,
    "model_daily_stats_model_day_unique": second_rollup_for_one_day,
    "model_users_model_user_unique": second_pair_row,
    "user_history_user_session_ts_unique": same_session_same_instant,
    "user_history_counts_user_status_unique": second_count_for_one_status,
    "call_media_path_unique": second_media_row_for_one_file,
}


def test_every_unique_index_of_the_platform_has_a_case_here(db):
    unique_indexes = {
        name
        for (name,) in sql(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indisunique AND NOT indisprimary AND indrelid::regclass::text = ANY(%s)",
            [list(PLATFORM_TABLES)],
        )
    }
    assert unique_indexes == set(UNIQUES)


@pytest.mark.parametrize("name", sorted(UNIQUES))
def test_each_unique_constraint_refuses_a_duplicate(db, name):
    statement, params = UNIQUES[name]()

    assert refusal(statement, params) == name


def test_the_models_meta_constraints_are_the_ones_in_the_database(db):
    from django.apps import apps

    declared = {
        constraint.name
        for app in ("accounts", "catalog", "activity", "reviews", "favourites")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed
        for constraint in model._meta.constraints
    }
    in_database = constraints_of("c") | constraints_of("u") | set(UNIQUES)
    assert declared <= in_database
