"""Reads behind /dashboard/earnings/: what a developer's models earned in one calendar month (UTC).

Earnings are the users' charges: the credit ledger's `charge` entries name the model they paid for
(model_id), one per answered, priced call. A model's calls are the count of its charges and its earnings
minus their sum (charges are negative). Each figure is one GROUP BY over the month's charges of the
developer's models, through credit_ledger_model_charge_idx (model_id, created_at where kind = 'charge').
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import CreditKind, CreditLedgerEntry
from catalog.models import AIModel

ZERO = Decimal("0")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def this_month() -> dt.date:
    today = timezone.now().astimezone(dt.UTC).date()
    return today.replace(day=1)


def parse_month(value: str | None) -> dt.date | None:
    """The first day of a YYYY-MM month, or None when `value` is not one."""
    match = MONTH_PATTERN.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        return None
    return dt.date(year, month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(next_month(month), dt.time.min, tzinfo=dt.UTC)


def month_charges(*, models: list[AIModel], month: dt.date) -> QuerySet[CreditLedgerEntry]:
    start, end = month_bounds(month)
    return CreditLedgerEntry.objects.filter(
        kind=CreditKind.CHARGE,
        model_id__in=[model.pk for model in models],
        created_at__gte=start,
        created_at__lt=end,
    )


@dataclass(frozen=True)
class ModelEarnings:
    model: AIModel
    calls: int
    earnings: Decimal


@dataclass(frozen=True)
class Statement:
    month: dt.date
    rows: list[ModelEarnings]

    @property
    def calls(self) -> int:
        return sum(row.calls for row in self.rows)

    @property
    def earnings(self) -> Decimal:
        return sum((row.earnings for row in self.rows), start=ZERO)


def earnings_statement(*, models: list[AIModel], month: dt.date) -> Statement:
    """Every model of `models` (the developer's own) with its charged calls and earnings in `month`, the
    biggest earner first; a model without charges shows zeros. One query."""
    totals = {
        row["model_id"]: row
        for row in month_charges(models=models, month=month)
        .values("model_id")
        .annotate(calls=Count("pk"), charged=Sum("amount"))
        .order_by()
    }
    rows = [
        ModelEarnings(
            model=model,
            calls=totals[model.pk]["calls"] if model.pk in totals else 0,
            earnings=-totals[model.pk]["charged"] if model.pk in totals else ZERO,
        )
        for model in models
    ]
    rows.sort(key=lambda row: (-row.earnings, -row.calls, row.model.display_name))
    return Statement(month=month, rows=rows)


@dataclass(frozen=True)
class DayEarnings:
    day: dt.date
    calls: int
    earnings: Decimal


def daily_earnings(*, model: AIModel, month: dt.date) -> list[DayEarnings]:
    """One model's charged calls and earnings per UTC day of `month` that had any. One query."""
    rows = (
        month_charges(models=[model], month=month)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(calls=Count("pk"), charged=Sum("amount"))
        .order_by("day")
    )
    return [DayEarnings(day=row["day"], calls=row["calls"], earnings=-row["charged"]) for row in rows]
