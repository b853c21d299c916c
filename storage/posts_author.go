package storage

import (
	"context"
	"fmt"
)

// PostsByAuthor returns up to limit posts written by author, the most
// recently changed first: what the Home tab lists as "your posts".
//
// posts has no index on author_id yet: the query scans the table, which
// is fine for a team's few thousand posts.
func (q queries) PostsByAuthor(ctx context.Context, author string, limit int) ([]Post, error) {
	if author == "" || limit <= 0 {
		return nil, nil
	}
	posts, err := scanPosts(q.db.QueryContext(ctx, `SELECT `+postColumns+` FROM posts
		WHERE author_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?`, author, limit))
	if err != nil {
		return nil, fmt.Errorf("storage: posts by %s: %w", author, err)
	}
	return posts, nil
}
