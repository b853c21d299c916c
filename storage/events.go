package storage

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// MarkEventSeen records a Slack event id and reports whether it is new.
// Slack retries an event it thinks was not acked; the retry carries the same
// id, and must not be answered twice, even after a restart.
//
// It waits for another writer's lock no longer than the Store's
// EventBusyTimeout: it runs before the bot answers Slack, which gives up
// after 3 s. Refused in time (ErrBusy), the event is answered with a 503
// and Slack delivers it again; waiting the store's longer busy timeout
// would only answer Slack after it stopped listening.
func (s *Store) MarkEventSeen(ctx context.Context, eventID string, at time.Time) (bool, error) {
	conn, err := s.sqlDB.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("storage: event %s: %w", eventID, s.health.classify(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+milliseconds(s.eventBusyTimeout)); err != nil {
		return false, fmt.Errorf("storage: event %s: %w", eventID, err)
	}
	defer func() {
		// The connection goes back to the pool with the store's own wait,
		// or not at all.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = "+milliseconds(s.busyTimeout)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the connection is dropped either way
		}
	}()
	q := queries{db: classifyingDB{db: conn, health: s.health, gen: s.gen}, health: s.health, gen: s.gen}
	return q.MarkEventSeen(ctx, eventID, at)
}

// MarkEventSeen records a Slack event id and reports whether it is new; in
// a transaction, it waits as the transaction's BEGIN did.
func (q queries) MarkEventSeen(ctx context.Context, eventID string, at time.Time) (bool, error) {
	res, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)`,
		eventID, unix(at))
	if err != nil {
		return false, fmt.Errorf("storage: event %s: %w", eventID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: event %s: %w", eventID, err)
	}
	return n == 1, nil
}

// ForgetEvents drops the event ids seen before the given time; Slack stops
// retrying within minutes, so a few days is plenty.
func (q queries) ForgetEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `DELETE FROM seen_events WHERE seen_at < ?`, unix(before))
	if err != nil {
		return 0, fmt.Errorf("storage: forget events: %w", err)
	}
	return res.RowsAffected()
}

// ForgetEvent drops one event id, so that Slack's retry of an event that
// could not be taken is handled.
func (q queries) ForgetEvent(ctx context.Context, eventID string) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM seen_events WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("storage: forget event %s: %w", eventID, err)
	}
	return nil
}
