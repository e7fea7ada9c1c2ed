"""models.total_requests (2xx calls) and models.total_users (distinct users in user_history), by trigger."""

from accounts.models import User
from accounts.tests.factories import UserFactory
from activity.models import ApiUsageLog, ModelUser, UserHistory
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from tests.conftest import sql


def requests(model) -> int:
    model.refresh_from_db()
    return model.total_requests


def users(model) -> int:
    model.refresh_from_db()
    return model.total_users


def insert_log(model, code: int) -> str:
    return sql(
        "INSERT INTO api_usage_logs (model_id, response_code) VALUES (%s, %s) RETURNING log_id",
        [model.pk, code],
    )[0][0]


def insert_history(model, user, session: str) -> str:
    return sql(
        "INSERT INTO user_history (user_id, model_id, session_id, prompt, status) "
        "VALUES (%s, %s, %s, 'hi', 'completed') RETURNING history_id",
        [user.pk, model.pk, session],
    )[0][0]


def test_only_2xx_calls_count_as_requests(model):
    for code in (100, 199, 200, 201, 204, 299, 300, 302, 400, 401, 404, 429, 500, 502, 504):
        ApiUsageLogFactory(model=model, response_code=code)

    assert requests(model) == 4


def test_calls_logged_by_sql_count_too(model):
    insert_log(model, 200)
    insert_log(model, 503)
    insert_log(model, 226)

    assert requests(model) == 2


def test_deleting_calls_takes_them_out_of_the_count(model):
    orm_log = ApiUsageLogFactory(model=model, response_code=200)
    sql_log = insert_log(model, 201)
    ApiUsageLogFactory(model=model, response_code=500)
    refused = ApiUsageLogFactory(model=model, response_code=401)

    orm_log.delete()
    refused.delete()
    assert requests(model) == 1

    sql("DELETE FROM api_usage_logs WHERE log_id = %s", [sql_log])
    assert requests(model) == 0


def test_changing_a_response_code_moves_the_count(model):
    log = ApiUsageLogFactory(model=model, response_code=200)

    sql("UPDATE api_usage_logs SET response_code = 503 WHERE log_id = %s", [log.pk])
    assert requests(model) == 0

    ApiUsageLog.objects.filter(pk=log.pk).update(response_code=200)
    assert requests(model) == 1


def test_moving_a_call_to_another_model_moves_the_count(model):
    other = AIModelFactory()
    log = ApiUsageLogFactory(model=model, response_code=200)

    sql("UPDATE api_usage_logs SET model_id = %s WHERE log_id = %s", [other.pk, log.pk])

    assert (requests(model), requests(other)) == (0, 1)


def test_users_count_once_however_often_they_call(model, alice, bob):
    UserHistoryFactory(model=model, user=alice)
    UserHistoryFactory(model=model, user=alice)
    insert_history(model, alice, "sql-session")
    insert_history(model, bob, "sql-session")

    assert users(model) == 2
    assert ModelUser.objects.get(model=model, user=alice).interactions == 3


def test_a_user_stops_counting_when_their_last_row_for_the_model_is_deleted(model, alice, bob):
    first = UserHistoryFactory(model=model, user=alice)
    last = insert_history(model, alice, "second")
    UserHistoryFactory(model=model, user=bob)

    first.delete()
    assert users(model) == 2

    sql("DELETE FROM user_history WHERE history_id = %s", [last])
    assert users(model) == 1
    assert not ModelUser.objects.filter(model=model, user=alice).exists()

    UserHistory.objects.filter(model=model).delete()
    assert users(model) == 0


def test_a_deleted_user_stops_counting_whoever_deletes_them(model, alice, bob):
    carol = UserFactory()
    for person in (alice, bob, carol):
        UserHistoryFactory(model=model, user=person)
        UserHistoryFactory(model=model, user=person)
    assert users(model) == 3

    alice.delete()
    assert users(model) == 2

    sql("DELETE FROM users WHERE user_id = %s", [bob.pk])
    assert users(model) == 1

    User.objects.filter(pk=carol.pk).delete()
    assert users(model) == 0


def test_moving_history_to_another_model_moves_the_user(model, alice):
    other = AIModelFactory()
    row = UserHistoryFactory(model=model, user=alice)

    sql("UPDATE user_history SET model_id = %s WHERE history_id = %s", [other.pk, row.pk])

    assert (users(model), users(other)) == (0, 1)
