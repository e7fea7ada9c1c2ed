from django.db import migrations

# ln(ms + 1) overflowed integer arithmetic at ms = 2147483647; compute in double precision.
SQL = """
CREATE OR REPLACE FUNCTION activity_latency_bucket(ms integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(63, GREATEST(0, floor(ln(GREATEST(ms, 0)::double precision + 1) / ln(1.2))::integer));
$$;
"""
REVERSE_SQL = """
CREATE OR REPLACE FUNCTION activity_latency_bucket(ms integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(63, GREATEST(0, floor(ln(GREATEST(ms, 0) + 1) / ln(1.2))::integer));
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0004_reporting_views")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
