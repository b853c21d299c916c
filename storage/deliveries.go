package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Delivery states. A delivery waits for its post's approval, is scheduled,
// claimed (publishing), and ends published, failed, unknown (a crash left it
// in flight on a network that cannot tell whether it went out) or canceled.
const (
	DeliveryWaiting    = "waiting"
	DeliveryScheduled  = "scheduled"
	DeliveryPublishing = "publishing"
	DeliveryPublished  = "published"
	DeliveryFailed     = "failed"
	DeliveryUnknown    = "unknown"
	DeliveryCanceled   = "canceled"
)

// Delivery is a row of deliveries: one post on one account.
type Delivery struct {
	ID             int64
	PostID         int64
	AccountID      int64
	Status         string
	IdempotencyKey string
	DueAt          time.Time
	NextAttemptAt  time.Time
	Attempts       int
	LeaseUntil     time.Time
	RemoteID       string
	RemoteURL      string
	LastError      string
	PublishedAt    time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// ToldStatus is the status last told in Slack (the card, its thread,
	// an alert): an outcome that differs was recorded but not yet told.
	ToldStatus string
	// CalledAttempt is the attempt whose network call has started
	// (RenewLease, just before the call). A claim whose Attempts differs
	// never called: nothing of it reached the network.
	CalledAttempt int
	// Unsure is set once a call got no clear answer, or was cut by a crash:
	// the network may hold the post, whatever later attempts hear.
	Unsure bool
}

const deliveryColumns = `id, post_id, account_id, status, idempotency_key, due_at, next_attempt_at,
	attempts, lease_until, remote_id, remote_url, last_error, published_at, created_at, updated_at, told_status,
	called_attempt, unsure`

// scanDelivery reads a delivery's columns, then any extra ones a join added.
func scanDelivery(row interface{ Scan(...any) error }, extra ...any) (Delivery, error) {
	var (
		d                                        Delivery
		dueAt, nextAttemptAt, lease, publishedAt sql.NullInt64
		createdAt, updatedAt                     int64
	)
	dest := []any{&d.ID, &d.PostID, &d.AccountID, &d.Status, &d.IdempotencyKey, &dueAt, &nextAttemptAt,
		&d.Attempts, &lease, &d.RemoteID, &d.RemoteURL, &d.LastError, &publishedAt, &createdAt, &updatedAt, &d.ToldStatus,
		&d.CalledAttempt, &d.Unsure}
	err := row.Scan(append(dest, extra...)...)
	if err != nil {
		return Delivery{}, err
	}
	d.DueAt = fromNullUnix(dueAt)
	d.NextAttemptAt = fromNullUnix(nextAttemptAt)
	d.LeaseUntil = fromNullUnix(lease)
	d.PublishedAt = fromNullUnix(publishedAt)
	d.CreatedAt = fromUnix(createdAt)
	d.UpdatedAt = fromUnix(updatedAt)
	return d, nil
}

func scanDeliveries(rows *sql.Rows, err error) ([]Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ds []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// InsertDelivery stores a new delivery and returns its id.
func (q queries) InsertDelivery(ctx context.Context, d Delivery) (int64, error) {
	res, err := q.db.ExecContext(ctx, `INSERT INTO deliveries
		(post_id, account_id, status, idempotency_key, due_at, next_attempt_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		d.PostID, d.AccountID, d.Status, d.IdempotencyKey, nullUnix(d.DueAt), nullUnix(d.NextAttemptAt),
		unix(d.CreatedAt), unix(d.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("storage: insert delivery of post %d: %w", d.PostID, err)
	}
	return res.LastInsertId()
}

// Delivery returns the delivery with this id.
func (q queries) Delivery(ctx context.Context, id int64) (Delivery, error) {
	d, err := scanDelivery(q.db.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("storage: delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("storage: delivery %d: %w", id, err)
	}
	return d, nil
}

// Deliveries returns a post's deliveries, in account order.
func (q queries) Deliveries(ctx context.Context, postID int64) ([]Delivery, error) {
	ds, err := scanDeliveries(q.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE post_id = ? ORDER BY account_id`, postID))
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries of post %d: %w", postID, err)
	}
	return ds, nil
}

// ScheduleDeliveries moves a post's waiting deliveries to scheduled, due at
// due. It returns how many moved.
func (q queries) ScheduleDeliveries(ctx context.Context, postID int64, due, at time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = 'scheduled', due_at = ?, next_attempt_at = ?, updated_at = ?
		WHERE post_id = ? AND status = 'waiting'`, unix(due), unix(due), unix(at), postID)
	if err != nil {
		return 0, fmt.Errorf("storage: schedule deliveries of post %d: %w", postID, err)
	}
	return res.RowsAffected()
}

// CancelDeliveries cancels a post's deliveries that have not started.
func (q queries) CancelDeliveries(ctx context.Context, postID int64, at time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE deliveries SET status = 'canceled', updated_at = ?
		WHERE post_id = ? AND status IN ('waiting', 'scheduled')`, unix(at), postID)
	if err != nil {
		return 0, fmt.Errorf("storage: cancel deliveries of post %d: %w", postID, err)
	}
	return res.RowsAffected()
}

// ClaimDeliveries atomically moves up to limit scheduled deliveries whose
// attempt time has come to publishing, with a lease until leaseUntil, and
// returns them, earliest first. A delivery is claimed by one caller only:
// the update and the selection are one statement.
func (q queries) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Delivery, error) {
	ds, err := scanDeliveries(q.db.QueryContext(ctx, `UPDATE deliveries
		SET status = 'publishing', lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM deliveries
			WHERE status = 'scheduled' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING `+deliveryColumns, unix(leaseUntil), unix(now), unix(now), limit))
	q.gen.wrote() // the update is committed once its rows are read
	if err != nil {
		// The update runs as its rows are read: classified here.
		return nil, fmt.Errorf("storage: claim deliveries: %w", q.health.classify(err))
	}
	// RETURNING gives rows in no promised order.
	slices.SortFunc(ds, func(a, b Delivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return ds, nil
}

// The outcome of a claim is written only by that claim: CompleteDelivery,
// RetryDelivery and EndDelivery take the attempt number ClaimDeliveries
// returned, and refuse (ErrConflict) once the delivery was released and
// claimed again — a publisher that wakes up late must not overwrite a newer
// attempt.

// CompleteDelivery records a claimed delivery as published.
func (q queries) CompleteDelivery(ctx context.Context, id int64, attempt int, remoteID, remoteURL string, at time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = 'published', remote_id = ?, remote_url = ?, published_at = ?, lease_until = NULL,
			last_error = '', updated_at = ?
		WHERE id = ? AND status = 'publishing' AND attempts = ?`, remoteID, remoteURL, unix(at), unix(at), id, attempt))
	if err != nil {
		return fmt.Errorf("storage: complete delivery %d: %w", id, err)
	}
	return nil
}

// RetryDelivery puts a claimed delivery back in the schedule, to be tried
// again at next, keeping the error that stopped this attempt.
func (q queries) RetryDelivery(ctx context.Context, id int64, attempt int, next time.Time, lastError string, at time.Time) error {
	return q.retryDelivery(ctx, id, attempt, next, lastError, at, false)
}

// RetryUnansweredDelivery is RetryDelivery for an attempt whose call got no
// clear answer: the delivery is Unsure from then on.
func (q queries) RetryUnansweredDelivery(ctx context.Context, id int64, attempt int, next time.Time, lastError string, at time.Time) error {
	return q.retryDelivery(ctx, id, attempt, next, lastError, at, true)
}

func (q queries) retryDelivery(ctx context.Context, id int64, attempt int, next time.Time, lastError string, at time.Time, unsure bool) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = 'scheduled', next_attempt_at = ?, lease_until = NULL, last_error = ?, unsure = max(unsure, ?), updated_at = ?
		WHERE id = ? AND status = 'publishing' AND attempts = ?`, unix(next), lastError, unsure, unix(at), id, attempt))
	if err != nil {
		return fmt.Errorf("storage: retry delivery %d: %w", id, err)
	}
	return nil
}

// EndDelivery moves a claimed delivery to a final state (failed or unknown)
// with the reason.
func (q queries) EndDelivery(ctx context.Context, id int64, attempt int, status, lastError string, at time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = ?, lease_until = NULL, last_error = ?, updated_at = ?
		WHERE id = ? AND status = 'publishing' AND attempts = ?`, status, lastError, unix(at), id, attempt))
	if err != nil {
		return fmt.Errorf("storage: end delivery %d as %s: %w", id, status, err)
	}
	return nil
}

// ExpiredLeases returns the deliveries left in publishing whose lease ran
// out before now: their publisher died or hung mid-call.
func (q queries) ExpiredLeases(ctx context.Context, now time.Time) ([]Delivery, error) {
	ds, err := scanDeliveries(q.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE status = 'publishing' AND lease_until <= ? ORDER BY id`, unix(now)))
	if err != nil {
		return nil, fmt.Errorf("storage: expired leases: %w", err)
	}
	return ds, nil
}

// ReleaseDelivery moves a delivery whose lease expired before now to status
// (scheduled to try again, unknown to ask a person). It is guarded on the
// lease, so a publisher that finishes late and a recovery never both win.
func (q queries) ReleaseDelivery(ctx context.Context, id int64, status string, now time.Time) error {
	// A delivery caught mid-call has been attempted, whatever happens to it
	// next: it keeps the reason, and the network may hold it. One whose
	// call never started is as it was.
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = ?, lease_until = NULL, next_attempt_at = ?, updated_at = ?,
			last_error = CASE WHEN called_attempt = attempts THEN 'interrupted mid-call (the lease expired)' ELSE last_error END,
			unsure = CASE WHEN called_attempt = attempts THEN 1 ELSE unsure END
		WHERE id = ? AND status = 'publishing' AND lease_until <= ?`,
		status, unix(now), unix(now), id, unix(now)))
	if err != nil {
		return fmt.Errorf("storage: release delivery %d: %w", id, err)
	}
	return nil
}

// UntoldDeliveries returns the deliveries whose outcome (published, failed
// or unknown) was recorded but not told in Slack: catweete stopped in
// between.
func (q queries) UntoldDeliveries(ctx context.Context) ([]Delivery, error) {
	ds, err := scanDeliveries(q.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE status IN ('published', 'failed', 'unknown') AND told_status != status ORDER BY id`))
	if err != nil {
		return nil, fmt.Errorf("storage: untold deliveries: %w", err)
	}
	return ds, nil
}

// SetTold records that the delivery's outcome, status, was told in Slack.
// A delivery that has moved on since keeps its newer outcome untold.
func (q queries) SetTold(ctx context.Context, id int64, status string) error {
	if _, err := q.db.ExecContext(ctx, `UPDATE deliveries SET told_status = ? WHERE id = ? AND status = ?`,
		status, id, status); err != nil {
		return fmt.Errorf("storage: delivery %d told: %w", id, err)
	}
	return nil
}

// NextAttempt returns the earliest time a scheduled delivery may be tried,
// and false when none is scheduled.
func (q queries) NextAttempt(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := q.db.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM deliveries
		WHERE status = 'scheduled'`).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: next attempt: %w", err)
	}
	return fromNullUnix(next), next.Valid, nil
}

// DeliveryView is a delivery with its post's text and its account, as shown
// in summaries.
type DeliveryView struct {
	Delivery
	PostText string
	Network  string
	Handle   string
}

const deliveryViewColumns = `d.id, d.post_id, d.account_id, d.status, d.idempotency_key, d.due_at,
	d.next_attempt_at, d.attempts, d.lease_until, d.remote_id, d.remote_url, d.last_error,
	d.published_at, d.created_at, d.updated_at, d.told_status, d.called_attempt, d.unsure, p.text, a.network, a.handle`

func scanDeliveryViews(rows *sql.Rows, err error) ([]DeliveryView, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []DeliveryView
	for rows.Next() {
		var v DeliveryView
		d, err := scanDelivery(rows, &v.PostText, &v.Network, &v.Handle)
		if err != nil {
			return nil, err
		}
		v.Delivery = d
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// PublishedSince returns the deliveries published at or after since, most
// recent first.
func (q queries) PublishedSince(ctx context.Context, since time.Time, limit int) ([]DeliveryView, error) {
	vs, err := scanDeliveryViews(q.db.QueryContext(ctx, `SELECT `+deliveryViewColumns+`
		FROM deliveries d JOIN posts p ON p.id = d.post_id JOIN accounts a ON a.id = d.account_id
		WHERE d.status = 'published' AND d.published_at >= ?
		ORDER BY d.published_at DESC, d.id DESC LIMIT ?`, unix(since), limit))
	if err != nil {
		return nil, fmt.Errorf("storage: published since %s: %w", since.Format(time.RFC3339), err)
	}
	return vs, nil
}

// DeliveriesInState returns the deliveries in any of these states, earliest
// attempt first.
func (q queries) DeliveriesInState(ctx context.Context, limit int, statuses ...string) ([]DeliveryView, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	in, args := inList(statuses, limit)
	vs, err := scanDeliveryViews(q.db.QueryContext(ctx, `SELECT `+deliveryViewColumns+`
		FROM deliveries d JOIN posts p ON p.id = d.post_id JOIN accounts a ON a.id = d.account_id
		WHERE d.status IN `+in+`
		ORDER BY coalesce(d.next_attempt_at, d.due_at, d.created_at), d.id LIMIT ?`, args...))
	if err != nil {
		return nil, fmt.Errorf("storage: deliveries in %v: %w", statuses, err)
	}
	return vs, nil
}

// RescheduleDeliveries moves a post's scheduled deliveries to a new time.
func (q queries) RescheduleDeliveries(ctx context.Context, postID int64, due, at time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, `UPDATE deliveries SET due_at = ?, next_attempt_at = ?, updated_at = ?
		WHERE post_id = ? AND status = 'scheduled'`, unix(due), unix(due), unix(at), postID)
	if err != nil {
		return 0, fmt.Errorf("storage: reschedule deliveries of post %d: %w", postID, err)
	}
	return res.RowsAffected()
}

// ReviveDelivery schedules a failed or unknown delivery again, now, with a
// fresh count of attempts: a person asked for it. Its next outcome is yet
// to be told, whatever it is.
func (q queries) ReviveDelivery(ctx context.Context, id int64, now time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = 'scheduled', next_attempt_at = ?, attempts = 0, called_attempt = 0, lease_until = NULL, told_status = '',
			updated_at = ?
		WHERE id = ? AND status IN ('failed', 'unknown')`, unix(now), unix(now), id))
	if err != nil {
		return fmt.Errorf("storage: revive delivery %d: %w", id, err)
	}
	return nil
}

// ConfirmDelivery records that a delivery whose outcome was unknown did go
// out, as a person checked.
func (q queries) ConfirmDelivery(ctx context.Context, id int64, remoteURL string, at time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries
		SET status = 'published', remote_url = ?, published_at = ?, last_error = '', updated_at = ?
		WHERE id = ? AND status = 'unknown'`, remoteURL, unix(at), unix(at), id))
	if err != nil {
		return fmt.Errorf("storage: confirm delivery %d: %w", id, err)
	}
	return nil
}

// CancelDelivery cancels one delivery that has not gone out (or failed).
func (q queries) CancelDelivery(ctx context.Context, id int64, at time.Time) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries SET status = 'canceled', updated_at = ?
		WHERE id = ? AND status IN ('waiting', 'scheduled', 'failed', 'unknown')`, unix(at), id))
	if err != nil {
		return fmt.Errorf("storage: cancel delivery %d: %w", id, err)
	}
	return nil
}

// BookedTimes returns the due times of deliveries scheduled, in flight or
// published between from and to, other than post except's: the posting
// slots other posts have taken.
func (q queries) BookedTimes(ctx context.Context, from, to time.Time, except int64) ([]time.Time, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT DISTINCT due_at FROM deliveries
		WHERE status IN ('scheduled', 'publishing', 'published') AND due_at >= ? AND due_at <= ? AND post_id != ?
		ORDER BY due_at`, unix(from), unix(to), except)
	if err != nil {
		return nil, fmt.Errorf("storage: booked times: %w", err)
	}
	defer rows.Close()
	var ts []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, fmt.Errorf("storage: booked times: %w", err)
		}
		ts = append(ts, fromUnix(at))
	}
	return ts, rows.Err()
}

// RenewLease extends the lease of a claim that is still this attempt's,
// just before its network call, and records that the call starts
// (CalledAttempt). When freshKey is not empty, it gives the delivery that
// key if no call has started before (none recorded, no error left by an
// earlier attempt): a delivery that may already have reached the network
// keeps its key for ever. One statement, on the publishing path.
func (q queries) RenewLease(ctx context.Context, id int64, attempt int, until time.Time, freshKey string) error {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE deliveries SET lease_until = ?, called_attempt = attempts,
			idempotency_key = CASE WHEN ? != '' AND called_attempt = 0 AND last_error = '' THEN ? ELSE idempotency_key END
		WHERE id = ? AND status = 'publishing' AND attempts = ?`, unix(until), freshKey, freshKey, id, attempt))
	if err != nil {
		return fmt.Errorf("storage: renew lease of delivery %d: %w", id, err)
	}
	return nil
}
