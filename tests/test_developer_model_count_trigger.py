"""developers.total_models_created follows inserts, deletes and moves of models, by trigger."""

from accounts.tests.factories import DeveloperFactory
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from tests.conftest import sql


def created(developer) -> int:
    developer.refresh_from_db()
    return developer.total_models_created


def insert_model(developer, api_name: str) -> str:
    return sql(
        "INSERT INTO models (developer_id, model_name, display_name, api_name, api_key, api_key_prefix, "
        "category, endpoint_url) VALUES (%s, %s, %s, %s, md5(%s) || md5(%s), 'amp_mk_x', 'other', "
        "'http://127.0.0.1:9/x') RETURNING model_id",
        [developer.pk, api_name, api_name, api_name, api_name, api_name + "!"],
    )[0][0]


def test_models_created_through_the_orm_and_by_sql_are_counted(dana):
    AIModelFactory.create_batch(2, developer=dana)
    insert_model(dana, "raw-one")

    assert created(dana) == 3


def test_deleted_models_are_taken_out_of_the_count(dana):
    orm_model, _ = AIModelFactory.create_batch(2, developer=dana)
    raw_model = insert_model(dana, "raw-two")

    orm_model.delete()
    assert created(dana) == 2

    sql("DELETE FROM models WHERE model_id = %s", [raw_model])
    assert created(dana) == 1

    AIModel.objects.filter(developer=dana).delete()
    assert created(dana) == 0


def test_moving_a_model_to_another_developer_moves_the_count(dana):
    other = DeveloperFactory()
    moved = AIModelFactory(developer=dana)
    AIModelFactory(developer=dana)

    sql("UPDATE models SET developer_id = %s WHERE model_id = %s", [other.pk, moved.pk])
    assert (created(dana), created(other)) == (1, 1)

    moved.refresh_from_db()
    moved.developer = dana
    moved.save()
    assert (created(dana), created(other)) == (2, 0)


def test_editing_a_model_leaves_the_count_alone(dana, model):
    model.display_name = "Renamed"
    model.save()
    sql("UPDATE models SET status = 'deprecated' WHERE model_id = %s", [model.pk])

    assert created(dana) == 1
