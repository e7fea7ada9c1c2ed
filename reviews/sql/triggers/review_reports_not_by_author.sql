-- Refuses a report by the review's own author (functions/review_reports_not_by_author.sql).
CREATE OR REPLACE TRIGGER review_reports_not_by_author BEFORE INSERT OR UPDATE OF review_id, user_id
    ON review_reports FOR EACH ROW EXECUTE FUNCTION review_reports_not_by_author();
