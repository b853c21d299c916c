-- The pre-flight check looks for near-duplicates among the month's posts
-- on every card of a post awaiting a decision: by creation time, not by
-- scanning and sorting every post.
CREATE INDEX posts_by_created ON posts (created_at);
