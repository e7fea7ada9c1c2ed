"""IntegrityErrors PostgreSQL really raised, for the helpers that read which constraint was broken."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Developer
from accounts.tests.factories import DeveloperFactory


def refusal(write) -> IntegrityError:
    """The IntegrityError that `write()` meets, rolled back to a savepoint so the test can go on."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    return refused.value


@pytest.fixture
def unique_violation(dana) -> IntegrityError:
    """A second developer under dana's public username: developers_username_key, a unique constraint the
    column's unique=True makes (so the model's Meta does not list it)."""
    return refusal(lambda: DeveloperFactory(username=dana.username))


@pytest.fixture
def check_violation(dana) -> IntegrityError:
    """81 years of experience: developers_years_experience_range, a CHECK the model's Meta lists with its
    message."""
    return refusal(lambda: Developer.objects.filter(pk=dana.pk).update(years_experience=81))
