-- Adds a net change to a model's rating_count and rating_sum and recomputes average_rating (0.00 without
-- a visible review).
--
-- A relative UPDATE of the model row takes that row's lock: two transactions writing at once queue on the
-- lock, and the second re-reads the first's committed figures (READ COMMITTED re-evaluates the SET
-- expressions on the newest row version), so the sums are exact where a re-aggregating trigger would miss
-- the other transaction's uncommitted row.
CREATE OR REPLACE FUNCTION models_add_rating(p_model_id uuid, p_count integer, p_sum integer) RETURNS void
LANGUAGE sql AS $$
    UPDATE models
       SET rating_count = rating_count + p_count,
           rating_sum = rating_sum + p_sum,
           average_rating = CASE WHEN rating_count + p_count > 0
                                 THEN round((rating_sum + p_sum)::numeric / (rating_count + p_count), 2)
                                 ELSE 0 END
     WHERE model_id = p_model_id;
$$;
