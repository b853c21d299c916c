-- The Home tab lists each person's own posts.
CREATE INDEX posts_by_author ON posts (author_id, updated_at);
