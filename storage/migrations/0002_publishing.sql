-- Publishing: approvers nudged before a pending post's time (once), and the
-- health of each account, announced once when its token is refused.

ALTER TABLE posts ADD COLUMN nudged_at INTEGER;

ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'rejected'));
ALTER TABLE accounts ADD COLUMN state_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN state_changed_at INTEGER;

-- The dispatcher and the queue look deliveries up by post and by due time.
CREATE INDEX deliveries_by_post ON deliveries (post_id, status);
CREATE INDEX posts_publish_at ON posts (status, publish_at);
