CREATE OR REPLACE TRIGGER call_media_queue_deletions AFTER DELETE ON call_media
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION call_media_queue_deletions();
