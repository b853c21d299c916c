package storage

import (
	"context"
	"fmt"
	"time"
)

// Approval is one approver's yes to one version of a post.
type Approval struct {
	PostID     int64
	Version    int
	UserID     string
	ApprovedAt time.Time
}

// InsertApproval records an approval. It reports false when this user had
// already approved this version: a double click counts once.
func (q queries) InsertApproval(ctx context.Context, a Approval) (bool, error) {
	res, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO approvals (post_id, version, user_id, approved_at)
		VALUES (?, ?, ?, ?)`, a.PostID, a.Version, a.UserID, unix(a.ApprovedAt))
	if err != nil {
		return false, fmt.Errorf("storage: approval of post %d by %s: %w", a.PostID, a.UserID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: approval of post %d by %s: %w", a.PostID, a.UserID, err)
	}
	return n == 1, nil
}

// Approvals returns the approvals of one version of a post, in order.
func (q queries) Approvals(ctx context.Context, postID int64, version int) ([]Approval, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT post_id, version, user_id, approved_at FROM approvals
		WHERE post_id = ? AND version = ? ORDER BY approved_at, user_id`, postID, version)
	if err != nil {
		return nil, fmt.Errorf("storage: approvals of post %d: %w", postID, err)
	}
	defer rows.Close()
	var as []Approval
	for rows.Next() {
		var a Approval
		var at int64
		if err := rows.Scan(&a.PostID, &a.Version, &a.UserID, &at); err != nil {
			return nil, fmt.Errorf("storage: approvals of post %d: %w", postID, err)
		}
		a.ApprovedAt = fromUnix(at)
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: approvals of post %d: %w", postID, err)
	}
	return as, nil
}
