package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Count is a figure a network may or may not give; one it does not give is
// stored as NULL, never as zero.
type Count struct {
	Value int64
	Known bool
}

func (c Count) null() sql.NullInt64 { return sql.NullInt64{Int64: c.Value, Valid: c.Known} }

func countOf(n sql.NullInt64) Count { return Count{Value: n.Int64, Known: n.Valid} }

// Figures is what a network says of one post at one moment.
type Figures struct {
	Impressions, Reach, Likes, Reposts, Replies, Quotes, Clicks, Saves Count
}

func (f Figures) args() []any {
	return []any{f.Impressions.null(), f.Reach.null(), f.Likes.null(), f.Reposts.null(),
		f.Replies.null(), f.Quotes.null(), f.Clicks.null(), f.Saves.null()}
}

// figureDest returns scan destinations for the eight figures, and a
// function that copies them into f once scanned.
func figureDest(f *Figures) ([]any, func()) {
	var n [8]sql.NullInt64
	dest := make([]any, len(n))
	for i := range n {
		dest[i] = &n[i]
	}
	return dest, func() {
		f.Impressions, f.Reach, f.Likes, f.Reposts = countOf(n[0]), countOf(n[1]), countOf(n[2]), countOf(n[3])
		f.Replies, f.Quotes, f.Clicks, f.Saves = countOf(n[4]), countOf(n[5]), countOf(n[6]), countOf(n[7])
	}
}

// RecordMetrics stores a snapshot of a delivery's figures and copies it
// onto the delivery as its latest. Run it in a transaction: the two rows
// go together.
func (q queries) RecordMetrics(ctx context.Context, deliveryID int64, at time.Time, f Figures) error {
	args := append([]any{deliveryID, unix(at)}, f.args()...)
	if _, err := q.db.ExecContext(ctx, `INSERT INTO metric_snapshots
		(delivery_id, at, impressions, reach, likes, reposts, replies, quotes, clicks, saves)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		return fmt.Errorf("storage: metrics of delivery %d: %w", deliveryID, err)
	}
	args = append([]any{unix(at)}, f.args()...)
	args = append(args, deliveryID, unix(at))
	// Only a newer snapshot replaces the latest: two collectors racing
	// leave the most recent figures.
	if _, err := q.db.ExecContext(ctx, `UPDATE deliveries SET metrics_at = ?, metrics_tried_at = ?1,
		m_impressions = ?, m_reach = ?, m_likes = ?, m_reposts = ?, m_replies = ?, m_quotes = ?, m_clicks = ?, m_saves = ?
		WHERE id = ? AND (metrics_at IS NULL OR metrics_at <= ?)`, args...); err != nil {
		return fmt.Errorf("storage: latest metrics of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// MetricsTried records that a delivery's figures were asked for and not
// given: it is asked again after the others due.
func (q queries) MetricsTried(ctx context.Context, deliveryID int64, at time.Time) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE deliveries SET metrics_tried_at = ? WHERE id = ?`,
		unix(at), deliveryID); err != nil {
		return fmt.Errorf("storage: metrics try of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// FollowersAround returns an account's audience when a post went out: the
// last measure at or before `at`, else the first within a day after (the
// best there is for an account measured for the first time since).
func (q queries) FollowersAround(ctx context.Context, accountID int64, at time.Time) (int64, bool, error) {
	n, ok, err := q.Followers(ctx, accountID, at)
	if err != nil || ok {
		return n, ok, err
	}
	err = q.db.QueryRowContext(ctx, `SELECT followers FROM follower_snapshots
		WHERE account_id = ? AND at > ? AND at <= ? ORDER BY at LIMIT 1`, accountID, unix(at), unix(at)+86400).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("storage: followers of account %d: %w", accountID, err)
	}
	return n, true, nil
}

// Snapshots returns a delivery's snapshots, oldest first.
func (q queries) Snapshots(ctx context.Context, deliveryID int64) ([]Snapshot, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT at, impressions, reach, likes, reposts, replies, quotes, clicks, saves
		FROM metric_snapshots WHERE delivery_id = ? ORDER BY at, id`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("storage: snapshots of delivery %d: %w", deliveryID, err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var s Snapshot
		var at int64
		dest, done := figureDest(&s.Figures)
		if err := rows.Scan(append([]any{&at}, dest...)...); err != nil {
			return nil, fmt.Errorf("storage: snapshots of delivery %d: %w", deliveryID, err)
		}
		done()
		s.DeliveryID, s.At = deliveryID, fromUnix(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Snapshot is one measure of one delivery.
type Snapshot struct {
	DeliveryID int64
	At         time.Time
	Figures
}

// DeliveriesToMeasure returns the published deliveries of the last 30 days
// whose figures are due: every 15 minutes in their first day, hourly to a
// week, daily to a month — figures move fast at first, then hardly.
func (q queries) DeliveriesToMeasure(ctx context.Context, now time.Time, limit int) ([]DeliveryView, error) {
	n := unix(now)
	vs, err := scanDeliveryViews(q.db.QueryContext(ctx, `SELECT `+deliveryViewColumns+`
		FROM deliveries d JOIN posts p ON p.id = d.post_id JOIN accounts a ON a.id = d.account_id
		WHERE d.status = 'published' AND d.published_at >= ? AND d.remote_id != ''
		  AND (d.metrics_at IS NULL OR d.metrics_at <= ? - CASE
				WHEN ? - d.published_at < 86400 THEN 900
				WHEN ? - d.published_at < 7 * 86400 THEN 3600
				ELSE 86400 END)
		ORDER BY coalesce(d.metrics_tried_at, 0), d.id LIMIT ?`, n-30*86400, n, n, n, limit))
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries to measure: %w", err)
	}
	return vs, nil
}

// RecordFollowers stores an account's audience at a moment.
func (q queries) RecordFollowers(ctx context.Context, accountID int64, at time.Time, followers int64) error {
	if _, err := q.db.ExecContext(ctx, `INSERT OR REPLACE INTO follower_snapshots (account_id, at, followers)
		VALUES (?, ?, ?)`, accountID, unix(at), followers); err != nil {
		return fmt.Errorf("storage: followers of account %d: %w", accountID, err)
	}
	return nil
}

// Followers returns an account's audience at or before `at`, and false
// when none was measured by then.
func (q queries) Followers(ctx context.Context, accountID int64, at time.Time) (int64, bool, error) {
	var n int64
	err := q.db.QueryRowContext(ctx, `SELECT followers FROM follower_snapshots
		WHERE account_id = ? AND at <= ? ORDER BY at DESC LIMIT 1`, accountID, unix(at)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("storage: followers of account %d: %w", accountID, err)
	}
	return n, true, nil
}

// LastFollowersAt returns when an account's audience was last measured.
func (q queries) LastFollowersAt(ctx context.Context, accountID int64) (time.Time, error) {
	var at sql.NullInt64
	if err := q.db.QueryRowContext(ctx, `SELECT max(at) FROM follower_snapshots WHERE account_id = ?`,
		accountID).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("storage: followers of account %d: %w", accountID, err)
	}
	return fromNullUnix(at), nil
}

// SetFollowersAtPublish records the audience a delivery went out to, once.
func (q queries) SetFollowersAtPublish(ctx context.Context, deliveryID, followers int64) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE deliveries SET followers_at_publish = ? WHERE id = ? AND followers_at_publish IS NULL`,
		followers, deliveryID); err != nil {
		return fmt.Errorf("storage: followers at publication of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// Measured is a published delivery with its latest figures.
type Measured struct {
	DeliveryID  int64
	PostID      int64
	AccountID   int64
	Network     string
	PostText    string
	RemoteURL   string
	PublishedAt time.Time
	MeasuredAt  time.Time // zero when never measured
	Followers   Count     // the audience when it went out
	Figures
}

// PublishedBetween returns the deliveries published in [from, to) with
// their latest figures, oldest first.
func (q queries) PublishedBetween(ctx context.Context, from, to time.Time) ([]Measured, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT d.id, d.post_id, d.account_id, a.network, p.text, d.remote_url,
			d.published_at, d.metrics_at, d.followers_at_publish,
			d.m_impressions, d.m_reach, d.m_likes, d.m_reposts, d.m_replies, d.m_quotes, d.m_clicks, d.m_saves
		FROM deliveries d JOIN posts p ON p.id = d.post_id JOIN accounts a ON a.id = d.account_id
		WHERE d.status = 'published' AND d.published_at >= ? AND d.published_at < ?
		ORDER BY d.published_at, d.id`, unix(from), unix(to))
	if err != nil {
		return nil, fmt.Errorf("storage: published between: %w", err)
	}
	defer rows.Close()
	var out []Measured
	for rows.Next() {
		var m Measured
		var published int64
		var measured, followers sql.NullInt64
		dest, done := figureDest(&m.Figures)
		head := []any{&m.DeliveryID, &m.PostID, &m.AccountID, &m.Network, &m.PostText, &m.RemoteURL,
			&published, &measured, &followers}
		if err := rows.Scan(append(head, dest...)...); err != nil {
			return nil, fmt.Errorf("storage: published between: %w", err)
		}
		done()
		m.PublishedAt, m.MeasuredAt, m.Followers = fromUnix(published), fromNullUnix(measured), countOf(followers)
		out = append(out, m)
	}
	return out, rows.Err()
}

// FirstHourScores returns, for an account's last n published deliveries
// other than `except`, the best score each reached within an hour of going
// out: its reach, or its engagements where the network gives no reach.
// A delivery never measured in its first hour is left out.
func (q queries) FirstHourScores(ctx context.Context, accountID, except int64, n int) ([]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT (SELECT max(coalesce(s.reach,
				coalesce(s.likes, 0) + coalesce(s.reposts, 0) + coalesce(s.replies, 0) + coalesce(s.clicks, 0) + coalesce(s.quotes, 0) + coalesce(s.saves, 0)))
			FROM metric_snapshots s WHERE s.delivery_id = d.id AND s.at <= d.published_at + 3600) AS score
		FROM deliveries d
		WHERE d.account_id = ? AND d.status = 'published' AND d.id != ?
		ORDER BY d.published_at DESC LIMIT ?`, accountID, except, n)
	if err != nil {
		return nil, fmt.Errorf("storage: first-hour scores of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var scores []int64
	for rows.Next() {
		var s sql.NullInt64
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("storage: first-hour scores of account %d: %w", accountID, err)
		}
		if s.Valid {
			scores = append(scores, s.Int64)
		}
	}
	return scores, rows.Err()
}

// MarkShouted records that a delivery's take-off was announced, and
// reports false when it already was.
func (q queries) MarkShouted(ctx context.Context, deliveryID int64, at time.Time) (bool, error) {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries SET shouted_at = ? WHERE id = ? AND shouted_at IS NULL`,
		unix(at), deliveryID))
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: shout of delivery %d: %w", deliveryID, err)
	}
	return true, nil
}
