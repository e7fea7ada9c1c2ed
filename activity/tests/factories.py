from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from activity.models import ApiUsageLog, HistoryStatus, UserHistory
from catalog.tests.factories import AIModelFactory


class UserHistoryFactory(DjangoModelFactory):
    class Meta:
        model = UserHistory

    user = factory.SubFactory(UserFactory)
    model = factory.SubFactory(AIModelFactory)
    session_id = factory.Sequence(lambda n: f"session-{n}")
    prompt = factory.Faker("sentence")
    response = factory.Faker("paragraph")
    status = HistoryStatus.COMPLETED
    response_time_ms = 120
    cost_incurred = Decimal("0.0100")
    ip_address = "127.0.0.1"


class ApiUsageLogFactory(DjangoModelFactory):
    class Meta:
        model = ApiUsageLog

    model = factory.SubFactory(AIModelFactory)
    developer = None
    user = None
    api_key_used = "amp_pk_abcde"
    request_method = "POST"
    response_code = 200
    request_size = 64
    response_size = 256
    processing_time_ms = 120
