-- The bucket of model_daily_stats.latency_buckets a latency falls in: 64 buckets, each 20 % wider than
-- the one before. Computed in double precision: ln(ms + 1) in integer arithmetic overflowed at
-- ms = 2147483647.
CREATE OR REPLACE FUNCTION activity_latency_bucket(ms integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(63, GREATEST(0, floor(ln(GREATEST(ms, 0)::double precision + 1) / ln(1.2))::integer));
$$;
