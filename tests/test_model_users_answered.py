"""model_users.answered, the completed calls of a (model, user) pair that make a "verified caller", follows
user_history whoever writes it: inserts, status changes, moves between models and deletes, by the ORM or
by SQL."""

from accounts.tests.factories import UserFactory
from activity.models import HistoryStatus, ModelUser, UserHistory
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from tests.conftest import sql


def kept(model, user) -> tuple[int, int] | None:
    row = ModelUser.objects.filter(model=model, user=user).values_list("interactions", "answered").first()
    return tuple(row) if row else None


def counted(model, user) -> tuple[int, int] | None:
    rows = UserHistory.objects.filter(model=model, user=user)
    if not rows.exists():
        return None
    return rows.count(), rows.filter(status=HistoryStatus.COMPLETED).count()


def test_it_counts_completed_calls_through_inserts_status_changes_moves_and_deletes(db):
    user, model, other = UserFactory(), AIModelFactory(), AIModelFactory()
    rows = [
        UserHistoryFactory(user=user, model=model, status=status)
        for status in ("completed", "failed", "completed", "timeout", "cancelled")
    ]
    assert kept(model, user) == counted(model, user) == (5, 2)

    sql("UPDATE user_history SET status = 'completed' WHERE history_id = %s", [rows[1].pk])
    assert kept(model, user) == (5, 3)
    rows[0].status = HistoryStatus.FAILED
    rows[0].save()
    assert kept(model, user) == counted(model, user) == (5, 2)

    sql("UPDATE user_history SET model_id = %s WHERE history_id = %s", [other.pk, rows[2].pk])
    assert kept(model, user) == counted(model, user) == (4, 1)
    assert kept(other, user) == counted(other, user) == (1, 1)

    rows[1].delete()
    assert kept(model, user) == counted(model, user) == (3, 0)
    sql("DELETE FROM user_history WHERE user_id = %s AND model_id = %s", [user.pk, model.pk])
    assert kept(model, user) is None
