package storage

import (
	"context"
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
	// No generation: an event id recorded changes nothing catweete
	// reports, and counting it would make every mention recompute the
	// status report it answers with.
	q := queries{db: classifyingDB{db: s.eventsDB, health: s.health}, health: s.health}
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
// could not be taken is handled. Like MarkEventSeen, it runs while Slack
// waits for the ack: on the events' connections, waiting EventBusyTimeout
// at most.
func (s *Store) ForgetEvent(ctx context.Context, eventID string) error {
	q := queries{db: classifyingDB{db: s.eventsDB, health: s.health}, health: s.health}
	return q.ForgetEvent(ctx, eventID)
}

// ForgetEvent drops one event id; in a transaction, it waits as the
// transaction's BEGIN did.
func (q queries) ForgetEvent(ctx context.Context, eventID string) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM seen_events WHERE event_id = ?`, eventID); err != nil {
		return fmt.Errorf("storage: forget event %s: %w", eventID, err)
	}
	return nil
}
