// Package storage keeps catweete's state in SQLite: posts, their deliveries,
// approvals, the audit log, accounts and the Slack events already seen.
//
// Every instant is stored in UTC as seconds since the Unix epoch. Methods take
// a context first; a row that does not exist is ErrNotFound, and a guarded
// update that found the row changed under it is ErrConflict.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a guarded update matched no row because
// another writer moved the row on first.
var ErrConflict = errors.New("conflict")

// dbtx is what both a connection pool and a transaction can do, so that every
// query is written once and runs in either.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries holds every statement; Store and Tx both embed it.
type queries struct {
	db     dbtx
	health *health
	gen    *generation // nil in a transaction
}

// Store is the database. It is safe for concurrent use.
type Store struct {
	queries
	sqlDB  *sql.DB
	memory bool
	// eventsDB records Slack's event ids: the same database, on
	// connections that wait EventBusyTimeout for the write lock (sqlDB
	// itself for :memory:, where no one else writes).
	eventsDB *sql.DB
}

// Tx is a transaction opened by Store.WithTx: the same methods as Store,
// applied all together or not at all.
type Tx struct {
	queries
}

// Options tune OpenWith. The zero value is what catweete serves with.
type Options struct {
	// BusyTimeout is how long a write waits for another writer's lock
	// before it fails with ErrBusy; if 0, 10 s.
	BusyTimeout time.Duration
	// EventBusyTimeout is how long MarkEventSeen waits for the lock: it
	// runs while Slack waits for its answer, 3 s at most; if 0, 2 s.
	EventBusyTimeout time.Duration
	// MaxPageCount caps the database's size, in pages (SQLite's
	// max_page_count): past it, writes fail with ErrFull as on a full disk.
	// If 0, only the disk limits it.
	MaxPageCount int
	// Logger is told, once, when the database is full; if nil, discarded.
	Logger *slog.Logger
	// Now is the clock of that log line's reminders; if nil, time.Now.
	Now func() time.Time
}

// Open opens (creating if needed) the SQLite database at path and applies
// the pending migrations, with the default Options.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens (creating if needed) the SQLite database at path and
// applies the pending migrations. The database runs in WAL mode, so readers
// never wait for the writer, with a busy timeout so that concurrent writers
// queue instead of failing, and with foreign keys enforced. Transactions
// take the write lock when they begin (BEGIN IMMEDIATE): a read-then-write
// transaction can then never fail half-way on a lock upgrade. A write that
// waited longer than the busy timeout fails with ErrBusy; one that found no
// room, with ErrFull.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("storage: empty database path")
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.EventBusyTimeout <= 0 {
		opts.EventBusyTimeout = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	params := url.Values{}
	params.Set("_journal_mode", "WAL")
	params.Set("_busy_timeout", milliseconds(opts.BusyTimeout))
	params.Set("_foreign_keys", "on")
	params.Set("_synchronous", "NORMAL")
	params.Set("_txlock", "immediate")
	// The path is part of a URI: escape what SQLite would read as its
	// query, fragment or escapes ("team#1.db" must not open "team").
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	dsn := "file:" + escaped + "?" + params.Encode()
	params.Set("_busy_timeout", milliseconds(opts.EventBusyTimeout))
	eventsDSN := "file:" + escaped + "?" + params.Encode()
	drv := &sqlite3.SQLiteDriver{}
	if opts.MaxPageCount > 0 {
		// max_page_count belongs to a connection, not to the file: every
		// connection of the pool gets it.
		pragma := "PRAGMA max_page_count = " + strconv.Itoa(opts.MaxPageCount)
		drv.ConnectHook = func(conn *sqlite3.SQLiteConn) error {
			_, err := conn.Exec(pragma, nil)
			return err
		}
	}
	sqlDB := sql.OpenDB(connector{dsn: dsn, driver: drv})
	eventsDB := sqlDB
	if path == ":memory:" {
		// Each connection to :memory: is a database of its own: keep the
		// one connection for ever.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetConnMaxIdleTime(0)
		sqlDB.SetConnMaxLifetime(0)
	} else {
		// Event ids are recorded on connections of their own, which wait
		// for the lock no longer than EventBusyTimeout: one statement per
		// event, where switching a shared connection's busy_timeout there
		// and back took three.
		eventsDB = sql.OpenDB(connector{dsn: eventsDSN, driver: drv})
		eventsDB.SetMaxOpenConns(2)
		eventsDB.SetMaxIdleConns(2)
		eventsDB.SetConnMaxIdleTime(5 * time.Minute)
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if err := enterWAL(ctx, sqlDB); err != nil {
			sqlDB.Close()
			eventsDB.Close()
			return nil, fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	h := &health{log: opts.Logger, path: path, now: opts.Now}
	gen := new(generation)
	s := &Store{queries: queries{db: classifyingDB{db: sqlDB, health: h, gen: gen}, health: h, gen: gen}, sqlDB: sqlDB, memory: path == ":memory:",
		eventsDB: eventsDB}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// milliseconds is d as SQLite's busy_timeout takes it: whole
// milliseconds, at least one.
func milliseconds(d time.Duration) string {
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
}

// connector opens connections with a driver of the Store's own, so that
// its connect hook applies to this Store only (sql.Open would share the
// globally registered driver).
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.driver }

// enterWAL switches a new database file to WAL on one connection before
// others open: SQLite does not wait on the busy timeout while switching, so
// two processes starting on a new file at once could otherwise fail.
func enterWAL(ctx context.Context, db *sql.DB) error {
	var err error
	for range 50 {
		var mode string
		if err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err == nil {
			return nil
		}
		var sqliteErr sqlite3.Error
		if !errors.As(err, &sqliteErr) || sqliteErr.Code != sqlite3.ErrBusy && sqliteErr.Code != sqlite3.ErrLocked {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return err
}

// Close closes the database.
func (s *Store) Close() error {
	if s.eventsDB != s.sqlDB {
		return errors.Join(s.eventsDB.Close(), s.sqlDB.Close())
	}
	return s.sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.sqlDB.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	return nil
}

// WithTx runs fn in a transaction: committed when fn returns nil, rolled
// back otherwise (and when fn panics).
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	beginCtx := ctx
	if s.memory {
		// A transaction canceled by its context makes database/sql drop
		// the connection, and with it a :memory: database: let the
		// transaction end by commit or rollback only.
		beginCtx = context.WithoutCancel(ctx)
	}
	sqlTx, err := s.sqlDB.BeginTx(beginCtx, nil)
	if err != nil {
		// BEGIN IMMEDIATE is where a writer waits for another's lock.
		return fmt.Errorf("storage: begin: %w", s.health.classify(err))
	}
	defer sqlTx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(&Tx{queries: queries{db: classifyingDB{db: sqlTx, health: s.health}, health: s.health}}); err != nil {
		// Errors read from rows (Scan, RETURNING) were not seen by
		// classifyingDB.
		return s.health.classify(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", s.health.classify(err))
	}
	s.gen.wrote()
	return nil
}

func unix(t time.Time) int64 { return t.UTC().Unix() }

// nullUnix stores a zero time as NULL.
func nullUnix(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

// fromNullUnix reads NULL as the zero time.
func fromNullUnix(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnix(n.Int64)
}

// inList gives the placeholders of an SQL "IN (…)" for values, and the
// values as arguments, followed by more.
func inList(values []string, more ...any) (string, []any) {
	args := make([]any, 0, len(values)+len(more))
	for _, v := range values {
		args = append(args, v)
	}
	return "(?" + strings.Repeat(", ?", len(values)-1) + ")", append(args, more...)
}

// oneRow turns "no row changed" into ErrConflict for a guarded update.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}
