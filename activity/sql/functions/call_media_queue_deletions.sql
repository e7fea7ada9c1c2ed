-- Queues the file of every deleted call_media row for activity.media.purge_deleted_media, whatever deleted
-- the row: the history entry's delete view, a cascade from user_history or users, expiry, plain SQL. The
-- queue row is written in the deleting transaction, so a rolled-back delete queues nothing and a committed
-- one cannot lose its files' removal. One INSERT per statement, however many rows it deleted.
CREATE OR REPLACE FUNCTION call_media_queue_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO call_media_deletions (path) SELECT path FROM gone;
    RETURN NULL;
END;
$$;
