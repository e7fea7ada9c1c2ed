"""models.is_served follows the model's, its developer's and the account's status, by trigger.

It is what the catalog and the gateway filter on, so it must be right whoever writes (ORM or SQL), and
when a developer and its account change status at the same moment.
"""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import Developer, DeveloperStatus, User, UserStatus
from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from tests.conftest import sql


def served(model) -> bool:
    return AIModel.objects.values_list("is_served", flat=True).get(pk=model.pk)


@pytest.mark.parametrize(
    ("model_status", "expected"),
    [
        (ModelStatus.ACTIVE, True),
        (ModelStatus.UNDER_REVIEW, False),
        (ModelStatus.INACTIVE, False),
        (ModelStatus.DEPRECATED, False),
    ],
)
def test_a_new_model_is_served_only_when_active(dana, model_status, expected):
    model = AIModelFactory(developer=dana, status=model_status)

    assert served(model) is expected


def test_a_model_inserted_by_sql_gets_the_flag_too(dana):
    model_id = sql(
        "INSERT INTO models (developer_id, model_name, display_name, api_name, api_key, api_key_prefix, "
        "category, endpoint_url, status) VALUES (%s, 'raw', 'Raw', 'raw-served', md5('a') || md5('b'), "
        "'amp_mk_x', 'other', 'http://127.0.0.1:9/x', 'active') RETURNING model_id",
        [dana.pk],
    )[0][0]

    assert AIModel.objects.get(pk=model_id).is_served is True


def test_a_status_change_of_the_model_sets_and_clears_the_flag(model):
    model.status = ModelStatus.INACTIVE
    model.save()
    assert served(model) is False

    sql("UPDATE models SET status = 'active' WHERE model_id = %s", [model.pk])
    assert served(model) is True


def test_the_flag_cannot_be_written_directly(model):
    sql("UPDATE models SET status = 'inactive' WHERE model_id = %s", [model.pk])
    sql("UPDATE models SET is_served = true WHERE model_id = %s", [model.pk])

    assert served(model) is False


@pytest.mark.parametrize(
    "status", [DeveloperStatus.SUSPENDED, DeveloperStatus.INACTIVE, DeveloperStatus.PENDING_APPROVAL]
)
def test_a_developer_that_stops_being_active_stops_every_model_being_served(dana, status):
    models = AIModelFactory.create_batch(3, developer=dana)
    paused = AIModelFactory(developer=dana, status=ModelStatus.INACTIVE)

    Developer.objects.filter(pk=dana.pk).update(status=status)
    assert [served(m) for m in models] == [False, False, False]

    sql("UPDATE developers SET status = 'active' WHERE developer_id = %s", [dana.pk])
    assert [served(m) for m in models] == [True, True, True]
    assert served(paused) is False


@pytest.mark.parametrize(
    "status", [UserStatus.SUSPENDED, UserStatus.INACTIVE, UserStatus.PENDING_VERIFICATION]
)
def test_an_account_that_stops_being_active_stops_its_developers_models(dana, status):
    model = AIModelFactory(developer=dana)
    other = AIModelFactory()

    User.objects.filter(pk=dana.user_id).update(status=status)
    assert (served(model), served(other)) == (False, True)

    dana.user.status = UserStatus.ACTIVE
    dana.user.save()
    assert (served(model), served(other)) == (True, True)


def test_a_model_moved_to_a_suspended_developer_stops_being_served(model):
    suspended = DeveloperFactory(status=DeveloperStatus.SUSPENDED)

    sql("UPDATE models SET developer_id = %s WHERE model_id = %s", [suspended.pk, model.pk])

    assert served(model) is False


def test_counter_updates_leave_the_flag_alone(model):
    before = served(model)
    sql("UPDATE models SET total_requests = total_requests + 1 WHERE model_id = %s", [model.pk])

    assert served(model) is before is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(6))
def test_a_developer_approved_while_its_account_is_suspended_is_not_served(round_):
    """Staff approve the developer while its account is being suspended, both at once: whichever commits
    last, the models end unserved (both writers read the other's row at the newest version)."""
    developer = DeveloperFactory(status=DeveloperStatus.PENDING_APPROVAL)
    models = AIModelFactory.create_batch(3, developer=developer)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(statement: str, value) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [value])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [
        threading.Thread(
            target=write,
            args=("UPDATE developers SET status = 'active' WHERE developer_id = %s", developer.pk),
        ),
        threading.Thread(
            target=write, args=("UPDATE users SET status = 'suspended' WHERE user_id = %s", developer.user_id)
        ),
    ]
    if round_ % 2:
        writers.reverse()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)

    assert errors == []
    assert [served(m) for m in models] == [False, False, False]
    assert not AIModel.objects.public().filter(developer=developer).exists()
