"""Reading the latency histograms that model_daily_stats keeps (see activity_latency_bucket in SQL).

Bucket b (0-based) holds latencies in [1.2**b - 1, 1.2**(b+1) - 1) ms, so a percentile read from the
histogram is within 20 % of the true value.
"""

import operator
from collections.abc import Iterable, Sequence

from activity.models import LATENCY_BUCKETS

RATIO = 1.2

# The histograms of a GROUP BY over model_daily_stats, summed bucket by bucket in SQL: 64 SUMs cost
# PostgreSQL a few milliseconds, where sending every day's array (thousands for a busy developer) and
# merging them in Python cost more than the rest of a page.
HISTOGRAM_SUM_SQL = "ARRAY[{}]".format(
    ", ".join(f"SUM(latency_buckets[{i}])" for i in range(1, LATENCY_BUCKETS + 1))
)


def bucket_upper_ms(bucket: int) -> float:
    return RATIO ** (bucket + 1) - 1


def merge(histograms: Iterable[Sequence[int]]) -> list[int]:
    total = [0] * LATENCY_BUCKETS
    for histogram in histograms:
        if len(histogram or ()) == LATENCY_BUCKETS:
            total = list(map(operator.add, total, histogram))
            continue
        for index, count in enumerate(histogram or ()):
            total[index] += count
    return total


def percentile_ms(histogram: Sequence[int], quantile: float) -> float | None:
    """The latency under which `quantile` of the calls fall (upper edge of that bucket), or None."""
    count = sum(histogram)
    if not count:
        return None
    rank = quantile * count
    seen = 0
    for bucket, in_bucket in enumerate(histogram):
        seen += in_bucket
        if seen >= rank and in_bucket:
            return round(bucket_upper_ms(bucket), 1)
    return round(bucket_upper_ms(len(histogram) - 1), 1)
