package storage

import (
	"context"
	"fmt"
	"time"
)

// DeliveryStates are every state a delivery can be in, in the order of its
// life.
func DeliveryStates() []string {
	return []string{DeliveryWaiting, DeliveryScheduled, DeliveryPublishing, DeliveryPublished,
		DeliveryFailed, DeliveryUnknown, DeliveryCanceled}
}

// DeliveryCounts returns how many deliveries are in each state, in one
// query. Every state of DeliveryStates is in the map, at zero when no
// delivery is in it, so that a state that empties reads 0 rather than
// vanishing.
func (q queries) DeliveryCounts(ctx context.Context) (map[string]int, error) {
	counts := make(map[string]int, 7)
	for _, state := range DeliveryStates() {
		counts[state] = 0
	}
	rows, err := q.db.QueryContext(ctx, `SELECT status, count(*) FROM deliveries GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("storage: delivery counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("storage: delivery counts: %w", err)
		}
		counts[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: delivery counts: %w", err)
	}
	return counts, nil
}

// DueDeliveries counts the scheduled deliveries whose attempt time has
// come by now: due, and not claimed yet. It reads the index the claim
// reads.
func (q queries) DueDeliveries(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries
		WHERE status = 'scheduled' AND next_attempt_at <= ?`, unix(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: due deliveries: %w", err)
	}
	return n, nil
}
