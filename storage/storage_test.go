package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// t0 is the tests' "now": a UTC instant on a whole second.
var t0 = time.Date(2025, time.March, 14, 9, 30, 0, 0, time.UTC)

// setup opens a fresh, migrated database in a temporary file. It is closed
// when the test ends.
func setup(t *testing.T) *Store {
	t.Helper()
	return openFile(t, filepath.Join(t.TempDir(), "catweete.db"))
}

// openFile opens the database at path, as the program does on start, and
// closes it when the test ends (closing twice is harmless).
func openFile(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newPost stores a post with sensible defaults for the fields left empty.
func newPost(t *testing.T, q queries, p Post) Post {
	t.Helper()
	if p.Text == "" {
		p.Text = "Ça tweete !"
	}
	if p.AuthorID == "" {
		p.AuthorID = "U0AUTHOR"
	}
	if p.Status == "" {
		p.Status = "pending"
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t0
	}
	id, err := q.InsertPost(t.Context(), p)
	if err != nil {
		t.Fatalf("InsertPost: %v", err)
	}
	got, err := q.Post(t.Context(), id)
	if err != nil {
		t.Fatalf("Post(%d): %v", id, err)
	}
	return got
}

// newAccount stores an account on network with this handle.
func newAccount(t *testing.T, q queries, network, handle string) Account {
	t.Helper()
	a, err := q.UpsertAccount(t.Context(), Account{Network: network, Handle: handle, CreatedAt: t0})
	if err != nil {
		t.Fatalf("UpsertAccount(%s, %s): %v", network, handle, err)
	}
	return a
}

// newDelivery stores a delivery with a unique idempotency key and
// sensible defaults.
func newDelivery(t *testing.T, q queries, d Delivery) Delivery {
	t.Helper()
	if d.Status == "" {
		d.Status = DeliveryWaiting
	}
	if d.IdempotencyKey == "" {
		d.IdempotencyKey = fmt.Sprintf("key-%d-%d", d.PostID, d.AccountID)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = t0
	}
	id, err := q.InsertDelivery(t.Context(), d)
	if err != nil {
		t.Fatalf("InsertDelivery: %v", err)
	}
	got, err := q.Delivery(t.Context(), id)
	if err != nil {
		t.Fatalf("Delivery(%d): %v", id, err)
	}
	return got
}

// count returns the number of rows of a table.
func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.sqlDB.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func schemaVersion(t *testing.T, s *Store) int {
	t.Helper()
	v, err := s.SchemaVersion(t.Context())
	if err != nil {
		t.Fatalf("SchemaVersion: %v", err)
	}
	return v
}

func TestOpen(t *testing.T) {
	t.Parallel()

	t.Run("AppliesMigrations", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		if v := schemaVersion(t, s); v != latestMigration(t) {
			t.Fatalf("SchemaVersion = %d, want %d", v, latestMigration(t))
		}
		for _, table := range []string{"accounts", "posts", "deliveries", "approvals", "audit_log", "seen_events"} {
			var n int
			err := s.sqlDB.QueryRowContext(t.Context(),
				`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("table %s missing after Open", table)
			}
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("RestartKeepsRowsAndDoesNotReapplyMigrations", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "catweete.db")
		s := openFile(t, path)
		ctx := t.Context()
		p := newPost(t, s.queries, Post{Text: "avant le redémarrage"})
		a := newAccount(t, s.queries, "mastodon", "@catweete@example.social")
		d := newDelivery(t, s.queries, Delivery{PostID: p.ID, AccountID: a.ID})
		if _, err := s.InsertApproval(ctx, Approval{PostID: p.ID, Version: 1, UserID: "U0APPROVER", ApprovedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertAudit(ctx, AuditEntry{PostID: p.ID, ActorID: "U0AUTHOR", Action: "submit", From: "draft", To: "pending", Version: 1, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkEventSeen(ctx, "Ev01", t0); err != nil {
			t.Fatal(err)
		}
		var appliedAt int64
		if err := s.sqlDB.QueryRowContext(ctx, `SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&appliedAt); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		for restart := 1; restart <= 2; restart++ {
			s = openFile(t, path)
			if v := schemaVersion(t, s); v != latestMigration(t) {
				t.Errorf("restart %d: SchemaVersion = %d, want %d", restart, v, latestMigration(t))
			}
			if n := count(t, s, "schema_migrations"); n != latestMigration(t) {
				t.Errorf("restart %d: %d rows in schema_migrations, want %d", restart, n, latestMigration(t))
			}
			var again int64
			if err := s.sqlDB.QueryRowContext(ctx, `SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&again); err != nil {
				t.Fatal(err)
			}
			if again != appliedAt {
				t.Errorf("restart %d: migration 1 applied_at changed from %d to %d", restart, appliedAt, again)
			}
			gotPost, err := s.Post(ctx, p.ID)
			if err != nil {
				t.Fatalf("restart %d: Post: %v", restart, err)
			}
			if !reflect.DeepEqual(gotPost, p) {
				t.Errorf("restart %d: post = %+v, want %+v", restart, gotPost, p)
			}
			gotDelivery, err := s.Delivery(ctx, d.ID)
			if err != nil {
				t.Fatalf("restart %d: Delivery: %v", restart, err)
			}
			if !reflect.DeepEqual(gotDelivery, d) {
				t.Errorf("restart %d: delivery = %+v, want %+v", restart, gotDelivery, d)
			}
			for table, want := range map[string]int{"accounts": 1, "approvals": 1, "audit_log": 1, "seen_events": 1} {
				if n := count(t, s, table); n != want {
					t.Errorf("restart %d: %d rows in %s, want %d", restart, n, table, want)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	})

	t.Run("ConcurrentOpensOfOneFileMigrateOnce", func(t *testing.T) {
		t.Parallel()
		// The file exists, empty and already in WAL mode, so that what
		// races here is the migrations alone: they must be applied once.
		// Racing on a brand-new file, WAL switch included, is
		// ConcurrentFirstOpensOfANewFileAllSucceed.
		path := filepath.Join(t.TempDir(), "catweete.db")
		raw, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(t.Context(), `PRAGMA user_version = 0`); err != nil {
			t.Fatal(err)
		}
		if err := raw.Close(); err != nil {
			t.Fatal(err)
		}
		const n = 6
		stores := make([]*Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(t.Context(), path) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Open #%d: %v", i, err)
			}
			t.Cleanup(func() { stores[i].Close() })
		}
		if v := schemaVersion(t, stores[0]); v != latestMigration(t) {
			t.Errorf("SchemaVersion = %d, want %d", v, latestMigration(t))
		}
		if c := count(t, stores[0], "schema_migrations"); c != latestMigration(t) {
			t.Errorf("%d rows in schema_migrations, want %d", c, latestMigration(t))
		}
	})

	t.Run("ConcurrentFirstOpensOfANewFileAllSucceed", func(t *testing.T) {
		t.Parallel()
		// Several processes starting at once on a file that does not
		// exist yet: each Open switches it to WAL and migrates, and none
		// may fail with "database is locked".
		dir := t.TempDir()
		const opens, rounds = 6, 50
		for round := range rounds {
			path := filepath.Join(dir, fmt.Sprintf("round-%d.db", round))
			stores := make([]*Store, opens)
			errs := make([]error, opens)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range opens {
				wg.Go(func() {
					<-start
					stores[i], errs[i] = Open(t.Context(), path)
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("round %d: Open #%d: %v", round, i, err)
				}
			}
			for i, s := range stores {
				if s == nil {
					continue
				}
				var journalMode string
				if err := s.sqlDB.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&journalMode); err != nil {
					t.Errorf("round %d: store #%d: journal_mode: %v", round, i, err)
				} else if journalMode != "wal" {
					t.Errorf("round %d: store #%d: journal_mode = %q, want wal", round, i, journalMode)
				}
				if _, err := s.InsertPost(t.Context(), Post{Text: fmt.Sprint(i), AuthorID: "U1", Status: "draft", CreatedAt: t0}); err != nil {
					t.Errorf("round %d: store #%d: InsertPost: %v", round, i, err)
				}
			}
			if s := stores[0]; s != nil {
				if v := schemaVersion(t, s); v != latestMigration(t) {
					t.Errorf("round %d: SchemaVersion = %d, want %d", round, v, latestMigration(t))
				}
				if c := count(t, s, "schema_migrations"); c != latestMigration(t) {
					t.Errorf("round %d: %d rows in schema_migrations, want %d", round, c, latestMigration(t))
				}
				if c := count(t, s, "posts"); c != opens {
					t.Errorf("round %d: %d posts, want one per store (%d)", round, c, opens)
				}
			}
			for _, s := range stores {
				if s != nil {
					if err := s.Close(); err != nil {
						t.Errorf("round %d: Close: %v", round, err)
					}
				}
			}
			if t.Failed() {
				return
			}
		}
	})

	t.Run("PathIsTakenLiterallyNotAsAURI", func(t *testing.T) {
		t.Parallel()
		if runtime.GOOS == "windows" {
			t.Skip("'?' is not allowed in Windows file names")
		}
		dir := t.TempDir()
		// Unescaped, "#" would start a URI fragment, "?" its query and
		// "%20" would be read as a space.
		const name = "team #1?mode=ro&x=%20 100%.db"
		path := filepath.Join(dir, name)
		s := openFile(t, path)
		p := newPost(t, s.queries, Post{Text: "au bon endroit"})
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the database is not at %q: %v", path, err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			// The file itself, and its -wal and -shm while open.
			if rest, ok := strings.CutPrefix(e.Name(), name); !ok || !slices.Contains([]string{"", "-wal", "-shm"}, rest) {
				t.Errorf("stray file %q next to %q", e.Name(), name)
			}
		}

		s = openFile(t, path)
		got, err := s.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("Post after restart: %v", err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("post after restart = %+v, want %+v", got, p)
		}
		if v := schemaVersion(t, s); v != latestMigration(t) {
			t.Errorf("SchemaVersion after restart = %d, want %d", v, latestMigration(t))
		}
		if n := count(t, s, "schema_migrations"); n != latestMigration(t) {
			t.Errorf("%d rows in schema_migrations after restart, want %d", n, latestMigration(t))
		}
	})

	t.Run("TurnsOnWALForeignKeysAndBusyTimeoutOnEveryConnection", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		ctx := t.Context()
		// Hold several connections at once, so that the pool has to open
		// more than one: every one of them must carry the settings.
		for i := range 3 {
			conn, err := s.sqlDB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var (
				journalMode string
				foreignKeys int
				busyTimeout int
				synchronous int
			)
			if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&journalMode); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busyTimeout); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&synchronous); err != nil {
				t.Fatal(err)
			}
			if journalMode != "wal" {
				t.Errorf("connection %d: journal_mode = %q, want wal", i, journalMode)
			}
			if foreignKeys != 1 {
				t.Errorf("connection %d: foreign_keys = %d, want 1", i, foreignKeys)
			}
			if busyTimeout != 10000 {
				t.Errorf("connection %d: busy_timeout = %d, want 10000", i, busyTimeout)
			}
			if synchronous != 1 {
				t.Errorf("connection %d: synchronous = %d, want 1 (NORMAL)", i, synchronous)
			}
		}
	})

	t.Run("InMemoryDatabaseWorks", func(t *testing.T) {
		t.Parallel()
		s := openFile(t, ":memory:")
		if v := schemaVersion(t, s); v != latestMigration(t) {
			t.Fatalf("SchemaVersion = %d, want %d", v, latestMigration(t))
		}
		p := newPost(t, s.queries, Post{Text: "en mémoire"})
		a := newAccount(t, s.queries, "bluesky", "catweete.bsky.social")
		newDelivery(t, s.queries, Delivery{PostID: p.ID, AccountID: a.ID})
		err := s.WithTx(t.Context(), func(tx *Tx) error {
			_, err := tx.InsertPost(t.Context(), Post{Text: "dans une transaction", AuthorID: "U1", Status: "draft", CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatalf("WithTx: %v", err)
		}
		if n := count(t, s, "posts"); n != 2 {
			t.Errorf("%d posts, want 2", n)
		}
		var foreignKeys int
		if err := s.sqlDB.QueryRowContext(t.Context(), `PRAGMA foreign_keys`).Scan(&foreignKeys); err != nil {
			t.Fatal(err)
		}
		if foreignKeys != 1 {
			t.Errorf("foreign_keys = %d, want 1", foreignKeys)
		}
	})

	t.Run("InMemoryDatabaseKeepsItsOneConnectionForEver", func(t *testing.T) {
		t.Parallel()
		// Each connection to :memory: is a database of its own, so the
		// pool must never close its one connection: no idle time, no
		// lifetime. database/sql does not export those two settings, and
		// the file pool's idle time (5 minutes) is too long to wait for;
		// they are read from the pool's fields, calibrated on a file
		// database where the idle time is known.
		poolTimes := func(t *testing.T, s *Store) (idle, life time.Duration) {
			t.Helper()
			v := reflect.ValueOf(s.sqlDB).Elem()
			durations := make([]time.Duration, 2)
			for i, field := range []string{"maxIdleTime", "maxLifetime"} {
				f := v.FieldByName(field)
				if !f.IsValid() || f.Type() != reflect.TypeFor[time.Duration]() {
					t.Fatalf("sql.DB has no %s time.Duration field any more: update this test", field)
				}
				durations[i] = time.Duration(f.Int())
			}
			return durations[0], durations[1]
		}
		if idle, _ := poolTimes(t, setup(t)); idle != 5*time.Minute {
			t.Fatalf("file database: idle time read as %v, want 5m: the probe reads the wrong field", idle)
		}

		s := openFile(t, ":memory:")
		if idle, life := poolTimes(t, s); idle != 0 || life != 0 {
			t.Errorf(":memory: pool: idle time %v, lifetime %v; want 0 and 0 (never closed)", idle, life)
		}
		if n := s.sqlDB.Stats().MaxOpenConnections; n != 1 {
			t.Errorf(":memory: pool: MaxOpenConnections = %d, want 1", n)
		}

		// Left idle between uses, the one connection stays, and with it
		// the tables and the rows.
		p := newPost(t, s.queries, Post{Text: "en mémoire"})
		for range 3 {
			time.Sleep(50 * time.Millisecond)
			if v := schemaVersion(t, s); v != latestMigration(t) {
				t.Fatalf("SchemaVersion = %d, want %d", v, latestMigration(t))
			}
			if _, err := s.Post(t.Context(), p.ID); err != nil {
				t.Fatalf("Post after an idle time: %v", err)
			}
		}
		st := s.sqlDB.Stats()
		if st.OpenConnections != 1 || st.MaxIdleClosed != 0 || st.MaxIdleTimeClosed != 0 || st.MaxLifetimeClosed != 0 {
			t.Errorf(":memory: pool stats %+v: want its one connection open and none ever closed", st)
		}
	})

	t.Run("EmptyPathIsRefused", func(t *testing.T) {
		t.Parallel()
		s, err := Open(context.Background(), "")
		if err == nil {
			s.Close()
			t.Fatal("Open(\"\") succeeded, want an error")
		}
	})
}

func TestWithTx(t *testing.T) {
	t.Parallel()

	t.Run("CommitsWhenTheFuncReturnsNil", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		ctx := t.Context()
		a := newAccount(t, s.queries, "mastodon", "@catweete@example.social")
		var postID int64
		err := s.WithTx(ctx, func(tx *Tx) error {
			var err error
			postID, err = tx.InsertPost(ctx, Post{Text: "hello", AuthorID: "U1", Status: "pending", CreatedAt: t0})
			if err != nil {
				return err
			}
			_, err = tx.InsertDelivery(ctx, Delivery{PostID: postID, AccountID: a.ID, Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatalf("WithTx: %v", err)
		}
		if _, err := s.Post(ctx, postID); err != nil {
			t.Errorf("Post after commit: %v", err)
		}
		if n := count(t, s, "deliveries"); n != 1 {
			t.Errorf("%d deliveries after commit, want 1", n)
		}
	})

	t.Run("RollsBackWhenTheFuncReturnsAnError", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		ctx := t.Context()
		a := newAccount(t, s.queries, "mastodon", "@catweete@example.social")
		errStop := errors.New("stop here")
		err := s.WithTx(ctx, func(tx *Tx) error {
			postID, err := tx.InsertPost(ctx, Post{Text: "hello", AuthorID: "U1", Status: "pending", CreatedAt: t0})
			if err != nil {
				return err
			}
			if _, err := tx.InsertDelivery(ctx, Delivery{PostID: postID, AccountID: a.ID, Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0}); err != nil {
				return err
			}
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("WithTx = %v, want %v", err, errStop)
		}
		if n := count(t, s, "posts"); n != 0 {
			t.Errorf("%d posts after rollback, want 0", n)
		}
		if n := count(t, s, "deliveries"); n != 0 {
			t.Errorf("%d deliveries after rollback, want 0", n)
		}
	})

	t.Run("RollsBackWhenTheFuncPanics", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		ctx := t.Context()
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("recovered %v, want boom", r)
				}
			}()
			s.WithTx(ctx, func(tx *Tx) error { //nolint:errcheck // it panics
				if _, err := tx.InsertPost(ctx, Post{Text: "hello", AuthorID: "U1", Status: "pending", CreatedAt: t0}); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if n := count(t, s, "posts"); n != 0 {
			t.Errorf("%d posts after panic, want 0", n)
		}
		// The write lock must have been given back: the next transaction
		// goes through.
		err := s.WithTx(ctx, func(tx *Tx) error {
			_, err := tx.InsertPost(ctx, Post{Text: "after", AuthorID: "U1", Status: "pending", CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatalf("WithTx after panic: %v", err)
		}
		if n := count(t, s, "posts"); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
	})

	t.Run("ConcurrentReadThenWriteTransactionsAllSucceed", func(t *testing.T) {
		t.Parallel()
		// Transactions begin IMMEDIATE: a read-then-write one never
		// fails on a lock upgrade, and never reads a version another
		// transaction is about to change.
		s := setup(t)
		ctx := t.Context()
		p := newPost(t, s.queries, Post{})
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				errs <- s.WithTx(ctx, func(tx *Tx) error {
					cur, err := tx.Post(ctx, p.ID)
					if err != nil {
						return err
					}
					// Widen the window between read and write, where a
					// deferred transaction would let others read too.
					time.Sleep(5 * time.Millisecond)
					_, err = tx.ReviseText(ctx, p.ID, cur.Status, cur.Version, fmt.Sprintf("édition %d", i), cur.Status, t0)
					return err
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("WithTx: %v", err)
			}
		}
		got, err := s.Post(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1+n {
			t.Errorf("version = %d, want %d", got.Version, 1+n)
		}
	})
}

// latestMigration is the number of the last embedded migration: a fresh
// database ends at it.
func latestMigration(t *testing.T) int {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].version
}
