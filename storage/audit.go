package storage

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what to a post, from
// which state to which, and why. Entries are only ever added.
type AuditEntry struct {
	ID      int64
	PostID  int64
	ActorID string
	Action  string
	From    string
	To      string
	Version int
	Reason  string
	At      time.Time
}

// InsertAudit adds an entry to the audit log.
func (q queries) InsertAudit(ctx context.Context, e AuditEntry) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO audit_log
		(post_id, actor_id, action, from_status, to_status, version, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.PostID, e.ActorID, e.Action, e.From, e.To, e.Version, e.Reason, unix(e.At))
	if err != nil {
		return fmt.Errorf("storage: audit of post %d: %w", e.PostID, err)
	}
	return nil
}

// AuditLog returns a post's audit entries, oldest first.
func (q queries) AuditLog(ctx context.Context, postID int64) ([]AuditEntry, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, post_id, actor_id, action, from_status, to_status,
		version, reason, at FROM audit_log WHERE post_id = ? ORDER BY id`, postID)
	if err != nil {
		return nil, fmt.Errorf("storage: audit log of post %d: %w", postID, err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.PostID, &e.ActorID, &e.Action, &e.From, &e.To, &e.Version, &e.Reason, &at); err != nil {
			return nil, fmt.Errorf("storage: audit log of post %d: %w", postID, err)
		}
		e.At = fromUnix(at)
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: audit log of post %d: %w", postID, err)
	}
	return es, nil
}
