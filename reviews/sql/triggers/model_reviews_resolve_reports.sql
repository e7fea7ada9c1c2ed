-- Hiding a review resolves its open reports (functions/model_reviews_resolve_reports.sql).
CREATE OR REPLACE TRIGGER model_reviews_resolve_reports AFTER UPDATE OF is_hidden ON model_reviews
    FOR EACH ROW WHEN (NEW.is_hidden AND NOT OLD.is_hidden) EXECUTE FUNCTION model_reviews_resolve_reports();
