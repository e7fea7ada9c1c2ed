-- A review that becomes hidden takes its open reports with it, however it is hidden (the report queue, the
-- review's admin page or action, plain SQL). The moderator is the one the writer names for the transaction
-- (set_config('reviews.moderator_id', ...), reviews/services.py), or nobody.
--
-- Exact against a report written at the same moment: the report's insert holds the review row's lock
-- (SELECT ... FOR NO KEY UPDATE) until it commits, so the hiding UPDATE waits for it, and this UPDATE, a
-- new statement of a volatile function, sees it committed. A report that comes after waits for the hide
-- and finds the review hidden.
CREATE OR REPLACE FUNCTION model_reviews_resolve_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE review_reports
       SET resolved_at = now(),
           resolution = 'hidden',
           resolved_by_id = nullif(current_setting('reviews.moderator_id', true), '')::uuid
     WHERE review_id = NEW.review_id AND resolved_at IS NULL;
    RETURN NULL;
END;
$$;
