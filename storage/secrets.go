package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"catweete/sealed"
)

// PutSecret keeps v under name, replacing what name held. It takes a sealed
// value, never a string: sealing happens above storage, so no caller can
// write a token here in clear text by mistake.
func (q queries) PutSecret(ctx context.Context, name string, v sealed.Value, at time.Time) error {
	if v.IsZero() {
		return fmt.Errorf("storage: secret %q: no sealed value", name)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO secrets (name, sealed, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
		name, v.Bytes(), unix(at))
	if err != nil {
		return fmt.Errorf("storage: secret %q: %w", name, err)
	}
	return nil
}

// Secret returns the sealed value kept under name, ErrNotFound when there is
// none. A row that is not a sealed value (altered by hand) is an error that
// wraps sealed.ErrMalformed.
func (q queries) Secret(ctx context.Context, name string) (sealed.Value, error) {
	var b []byte
	err := q.db.QueryRowContext(ctx, `SELECT sealed FROM secrets WHERE name = ?`, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return sealed.Value{}, fmt.Errorf("storage: secret %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return sealed.Value{}, fmt.Errorf("storage: secret %q: %w", name, err)
	}
	v, err := sealed.Parse(b)
	if err != nil {
		return sealed.Value{}, fmt.Errorf("storage: secret %q: %w", name, err)
	}
	return v, nil
}

// DeleteSecret forgets what name held; forgetting a name that holds nothing
// is not an error.
func (q queries) DeleteSecret(ctx context.Context, name string) error {
	if _, err := q.db.ExecContext(ctx, `DELETE FROM secrets WHERE name = ?`, name); err != nil {
		return fmt.Errorf("storage: forget secret %q: %w", name, err)
	}
	return nil
}
