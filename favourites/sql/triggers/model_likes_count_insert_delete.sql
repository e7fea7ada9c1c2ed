-- models.like_count on like insert and delete (functions/model_likes_count.sql).
CREATE OR REPLACE TRIGGER model_likes_count_insert_delete AFTER INSERT OR DELETE ON model_likes
    FOR EACH ROW EXECUTE FUNCTION model_likes_count();
