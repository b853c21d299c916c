package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrMoved is wrapped into Readiness.Check's error when the database file
// catweete opened is no longer at its path: removed, renamed or replaced.
var ErrMoved = errors.New("the database file is no longer at its path")

// Readiness tells whether the database can serve. A query alone cannot:
// SQLite keeps reading and writing a file that was removed or replaced
// under it, through the descriptors it holds, so catweete would go on
// acking and publishing into a file that the next start will not open.
type Readiness struct {
	store *Store
	// path is the file SQLite opened, as it names it; empty for a
	// database in memory.
	path   string
	opened os.FileInfo
}

// Readiness returns the check of s's database file as it is now: later
// checks compare the file at its path with this one.
func (s *Store) Readiness(ctx context.Context) (*Readiness, error) {
	var path string
	err := s.sqlDB.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path)
	if err != nil {
		return nil, fmt.Errorf("storage: database file: %w", err)
	}
	r := &Readiness{store: s, path: path}
	if path == "" {
		return r, nil
	}
	if r.opened, err = os.Stat(path); err != nil {
		return nil, fmt.Errorf("storage: database file: %w", err)
	}
	return r, nil
}

// Check returns nil when the database file is still the one opened, at its
// path, and answers a read of its schema. The file is looked at first, so
// that a check never opens a connection (and with it a new, empty file)
// where the database was.
func (r *Readiness) Check(ctx context.Context) error {
	if r.path != "" {
		now, err := os.Stat(r.path)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: %s: %w", r.path, ErrMoved)
		}
		if err != nil {
			return fmt.Errorf("storage: database file: %w", err)
		}
		if !os.SameFile(r.opened, now) {
			return fmt.Errorf("storage: %s was replaced: %w", r.path, ErrMoved)
		}
	}
	// SELECT 1 would not touch the file: reading the schema does, and
	// fails when SQLite cannot read it or another process holds it locked.
	var tables int
	if err := r.store.sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return fmt.Errorf("storage: database unreadable: %w", err)
	}
	return nil
}
