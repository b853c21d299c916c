package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Account is one of the brand's accounts on a network. Its credentials are
// not here: they stay in the environment.
type Account struct {
	ID          int64
	Network     string
	Handle      string
	DisplayName string
	// State is AccountOK, or AccountRejected when the network refused its
	// token; StateDetail says why, in the network's words.
	State          string
	StateDetail    string
	StateChangedAt time.Time
	CreatedAt      time.Time
}

// Account states.
const (
	AccountOK       = "ok"
	AccountRejected = "rejected"
)

// UpsertAccount stores an account, or updates the display name of the one
// with the same network and handle, and returns it with its id. Ids stay
// stable across restarts, so deliveries keep pointing at their account.
func (q queries) UpsertAccount(ctx context.Context, a Account) (Account, error) {
	row := q.db.QueryRowContext(ctx, `INSERT INTO accounts (network, handle, display_name, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (network, handle) DO UPDATE SET display_name = excluded.display_name
		RETURNING `+accountColumns, a.Network, a.Handle, a.DisplayName, unix(a.CreatedAt))
	stored, err := scanAccount(row)
	q.gen.wrote() // the insert is committed once its row is read
	if err != nil {
		return Account{}, fmt.Errorf("storage: account %s %s: %w", a.Network, a.Handle, q.health.classify(err))
	}
	return stored, nil
}

const accountColumns = `id, network, handle, display_name, state, state_detail, state_changed_at, created_at`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var (
		a         Account
		changedAt sql.NullInt64
		createdAt int64
	)
	if err := row.Scan(&a.ID, &a.Network, &a.Handle, &a.DisplayName, &a.State, &a.StateDetail, &changedAt, &createdAt); err != nil {
		return Account{}, err
	}
	a.StateChangedAt = fromNullUnix(changedAt)
	a.CreatedAt = fromUnix(createdAt)
	return a, nil
}

// Accounts returns every account, in id order.
func (q queries) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: accounts: %w", err)
	}
	defer rows.Close()
	var as []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: accounts: %w", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: accounts: %w", err)
	}
	return as, nil
}

// SetAccountState records an account's state and reports whether it
// changed: a token refused is announced once, not on every post.
func (q queries) SetAccountState(ctx context.Context, id int64, state, detail string, at time.Time) (bool, error) {
	err := oneRow(q.db.ExecContext(ctx, `UPDATE accounts SET state = ?, state_detail = ?, state_changed_at = ?
		WHERE id = ? AND state != ?`, state, detail, unix(at), id, state))
	if errors.Is(err, ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: account %d state: %w", id, err)
	}
	return true, nil
}
