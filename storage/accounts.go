package storage

import (
	"context"
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
	CreatedAt   time.Time
}

// UpsertAccount stores an account, or updates the display name of the one
// with the same network and handle, and returns it with its id. Ids stay
// stable across restarts, so deliveries keep pointing at their account.
func (q queries) UpsertAccount(ctx context.Context, a Account) (Account, error) {
	var createdAt int64
	err := q.db.QueryRowContext(ctx, `INSERT INTO accounts (network, handle, display_name, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (network, handle) DO UPDATE SET display_name = excluded.display_name
		RETURNING id, created_at`, a.Network, a.Handle, a.DisplayName, unix(a.CreatedAt)).Scan(&a.ID, &createdAt)
	if err != nil {
		return Account{}, fmt.Errorf("storage: account %s %s: %w", a.Network, a.Handle, err)
	}
	a.CreatedAt = fromUnix(createdAt)
	return a, nil
}

// Accounts returns every account, in id order.
func (q queries) Accounts(ctx context.Context) ([]Account, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, network, handle, display_name, created_at
		FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("storage: accounts: %w", err)
	}
	defer rows.Close()
	var as []Account
	for rows.Next() {
		var a Account
		var at int64
		if err := rows.Scan(&a.ID, &a.Network, &a.Handle, &a.DisplayName, &at); err != nil {
			return nil, fmt.Errorf("storage: accounts: %w", err)
		}
		a.CreatedAt = fromUnix(at)
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: accounts: %w", err)
	}
	return as, nil
}
