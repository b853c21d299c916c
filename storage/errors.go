package storage

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrBusy is wrapped into an error when SQLite gave up waiting for another
// writer's lock (SQLITE_BUSY, SQLITE_LOCKED): nothing was written, and the
// same request can succeed in a moment. Callers tell a person to try again
// rather than report a bug.
var ErrBusy = errors.New("database busy")

// ErrFull is wrapped into an error when a write needed room the database
// could not get (SQLITE_FULL: the disk, or the database's size cap, is
// full): nothing was written, and nothing will be until space is freed.
var ErrFull = errors.New("database or disk full")

// classifiedError keeps SQLite's error, and its message, and adds the
// sentinel that says what a caller can do about it.
type classifiedError struct {
	kind error // ErrBusy or ErrFull
	err  error
}

func (e *classifiedError) Error() string   { return e.err.Error() }
func (e *classifiedError) Unwrap() []error { return []error{e.kind, e.err} }

// fullReminder is how often a database that stays full is logged again:
// once when it fills, not once per failed request, but not only once for a
// disk that stays full for a day either.
const fullReminder = time.Hour

// health classifies a Store's errors and tells the operator, once, that the
// database is full: the people in Slack are told on every failed request,
// the operator is the one who can free space.
type health struct {
	log  *slog.Logger
	path string
	now  func() time.Time

	mu       sync.Mutex
	loggedAt time.Time // when "database full" was last logged
}

// classify wraps SQLite's busy and full errors with ErrBusy and ErrFull.
// Other errors, and errors already classified, are returned as they are.
func (h *health) classify(err error) error {
	if err == nil || errors.Is(err, ErrBusy) || errors.Is(err, ErrFull) {
		return err
	}
	var sqliteErr sqlite3.Error
	if !errors.As(err, &sqliteErr) {
		return err
	}
	switch sqliteErr.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return &classifiedError{kind: ErrBusy, err: err}
	case sqlite3.ErrFull:
		h.full(err)
		return &classifiedError{kind: ErrFull, err: err}
	}
	return err
}

// full logs, at most once per fullReminder, that writes fail for want of
// space.
func (h *health) full(err error) {
	if h == nil || h.log == nil {
		return
	}
	h.mu.Lock()
	now := h.now()
	if !h.loggedAt.IsZero() && now.Sub(h.loggedAt) < fullReminder {
		h.mu.Unlock()
		return
	}
	h.loggedAt = now
	h.mu.Unlock()
	h.log.Error("database full: every write fails until space is freed on its disk (nothing is half-written meanwhile)",
		"db", h.path, "err", err)
}

// classifyingDB classifies the errors of the statements it runs, so that
// every method's error says ErrBusy or ErrFull when it should without each
// one checking. *sql.Row defers its error to Scan, where it is not seen
// here: reads do not wait on writers in WAL mode, and the few statements
// that write through a query (RETURNING) classify their own.
type classifyingDB struct {
	db     dbtx
	health *health
	gen    *generation // nil in a transaction
}

func (c classifyingDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := c.db.ExecContext(ctx, query, args...)
	c.gen.wrote() // even after an error: counting a write that did not happen is harmless
	return res, c.health.classify(err)
}

func (c classifyingDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := c.db.QueryContext(ctx, query, args...)
	return rows, c.health.classify(err)
}

func (c classifyingDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return c.db.QueryRowContext(ctx, query, args...)
}
