package storage

import (
	"context"
	"fmt"
	"strings"
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

// CurrentApprovals returns, for each of postIDs, who approved its current
// version, earliest first: one query for a whole list of posts, where
// Approvals would take one per post.
func (q queries) CurrentApprovals(ctx context.Context, postIDs []int64) (map[int64][]Approval, error) {
	out := make(map[int64][]Approval, len(postIDs))
	// SQLite allows at most 32,766 host parameters per statement: batches of
	// 500 stay far from it.
	for start := 0; start < len(postIDs); start += 500 {
		batch := postIDs[start:min(start+500, len(postIDs))]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := q.db.QueryContext(ctx, `SELECT a.post_id, a.version, a.user_id, a.approved_at
			FROM approvals a JOIN posts p ON p.id = a.post_id AND p.version = a.version
			WHERE a.post_id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)
			ORDER BY a.post_id, a.approved_at, a.user_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("storage: current approvals: %w", err)
		}
		err = func() error {
			defer rows.Close()
			for rows.Next() {
				var a Approval
				var at int64
				if err := rows.Scan(&a.PostID, &a.Version, &a.UserID, &at); err != nil {
					return err
				}
				a.ApprovedAt = fromUnix(at)
				out[a.PostID] = append(out[a.PostID], a)
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("storage: current approvals: %w", err)
		}
	}
	return out, nil
}
