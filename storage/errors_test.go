package storage

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/storage/storagetest"
	"github.com/mattn/go-sqlite3"
)

// logRecords keeps what a Store logged.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

// errorsAbout counts the Error records whose message contains word.
func (l *logRecords) errorsAbout(word string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Level == slog.LevelError && strings.Contains(r.Message, word) {
			n++
		}
	}
	return n
}

func TestBusyDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "catweete.db")
	s, err := OpenWith(t.Context(), path, Options{BusyTimeout: 50 * time.Millisecond, EventBusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	p := newPost(t, s.queries, Post{})
	release := storagetest.LockWriter(t, path)

	writes := []struct {
		name  string
		write func() error
	}{
		{"Statement", func() error {
			_, err := s.InsertPost(ctx, Post{Text: "x", AuthorID: "U1", Status: "pending", CreatedAt: t0})
			return err
		}},
		{"Transaction", func() error {
			return s.WithTx(ctx, func(tx *Tx) error {
				_, err := tx.InsertPost(ctx, Post{Text: "x", AuthorID: "U1", Status: "pending", CreatedAt: t0})
				return err
			})
		}},
		{"EventSeen", func() error {
			_, err := s.MarkEventSeen(ctx, "Ev1", t0)
			return err
		}},
	}
	for _, w := range writes {
		err := w.write()
		if !errors.Is(err, ErrBusy) || errors.Is(err, ErrFull) {
			t.Errorf("%s while another holds the write lock: %v; want ErrBusy", w.name, err)
		}
		var sqliteErr sqlite3.Error
		if !errors.As(err, &sqliteErr) || sqliteErr.Code != sqlite3.ErrBusy {
			t.Errorf("%s: %v does not keep SQLite's own error", w.name, err)
		}
	}
	// WAL: readers do not wait for the writer.
	if _, err := s.Post(ctx, p.ID); err != nil {
		t.Errorf("Post while another holds the write lock: %v", err)
	}

	release()
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Errorf("%s once the lock is released: %v", w.name, err)
		}
	}
	if n := count(t, s, "posts"); n != 3 {
		t.Errorf("%d posts, want 3: the first and one per write after the lock", n)
	}
}

// A Slack event id is recorded while Slack waits for the answer: it waits
// for the lock its own, shorter, time, and leaves the connection with the
// store's.
func TestEventSeenWaitsLessThanOtherWrites(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "catweete.db")
	s, err := OpenWith(t.Context(), path, Options{BusyTimeout: time.Hour, EventBusyTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// One connection: the one MarkEventSeen used is the one read below.
	s.sqlDB.SetMaxOpenConns(1)
	release := storagetest.LockWriter(t, path)
	if _, err := s.MarkEventSeen(t.Context(), "Ev1", t0); !errors.Is(err, ErrBusy) {
		t.Fatalf("MarkEventSeen under another writer's lock: %v, want ErrBusy", err)
	}
	release()
	var ms int64
	if err := s.sqlDB.QueryRowContext(t.Context(), "PRAGMA busy_timeout").Scan(&ms); err != nil {
		t.Fatal(err)
	}
	if ms != time.Hour.Milliseconds() {
		t.Errorf("the connection waits %d ms after MarkEventSeen, want the store's %d", ms, time.Hour.Milliseconds())
	}
	if first, err := s.MarkEventSeen(t.Context(), "Ev1", t0); err != nil || !first {
		t.Errorf("MarkEventSeen once the lock is gone: %v, %v; want a first sighting", first, err)
	}
}

// openCapped opens a database whose size is capped a few pages above what
// its schema takes, with its log kept and its clock settable.
func openCapped(t *testing.T) (*Store, *logRecords, *time.Time) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "catweete.db")
	var pages int
	{
		s := openFile(t, path)
		if err := s.sqlDB.QueryRowContext(t.Context(), "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	logs := &logRecords{}
	now := t0
	s, err := OpenWith(t.Context(), path, Options{
		MaxPageCount: pages + 8, Logger: slog.New(logs), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs, &now
}

// fillPosts adds posts until not even a one-letter one fits.
func fillPosts(t *testing.T, s *Store) {
	t.Helper()
	for _, size := range []int{3000, 300, 30, 1} {
		for {
			_, err := s.InsertPost(t.Context(), Post{Text: strings.Repeat("x", size), AuthorID: "U", Status: "canceled", CreatedAt: t0})
			if errors.Is(err, ErrFull) {
				break
			}
			if err != nil {
				t.Fatalf("filling the database: %v", err)
			}
		}
	}
}

func TestFullDatabase(t *testing.T) {
	t.Parallel()
	s, logs, now := openCapped(t)
	ctx := t.Context()
	before := count(t, s, "posts")
	fillPosts(t, s)
	filled := count(t, s, "posts")
	if filled <= before {
		t.Fatal("nothing fitted before the cap")
	}

	err := s.WithTx(ctx, func(tx *Tx) error {
		id, err := tx.InsertPost(ctx, Post{Text: "Ça tweete ?", AuthorID: "U1", Status: "pending", CreatedAt: t0})
		if err != nil {
			return err
		}
		return tx.InsertAudit(ctx, AuditEntry{PostID: id, ActorID: "U1", Action: "create", To: "draft", Version: 1, At: t0})
	})
	if !errors.Is(err, ErrFull) || errors.Is(err, ErrBusy) {
		t.Fatalf("a draft in a full database: %v; want ErrFull", err)
	}
	if !strings.Contains(err.Error(), "database or disk is full") {
		t.Errorf("error %q lost SQLite's words", err)
	}
	if n := count(t, s, "posts"); n != filled {
		t.Errorf("%d posts after the failed draft, want %d: nothing half-written", n, filled)
	}
	if n := count(t, s, "audit_log"); n != 0 {
		t.Errorf("%d audit entries after the failed draft, want 0", n)
	}

	// Told once, however many writes failed; again after an hour of it.
	if n := logs.errorsAbout("database full"); n != 1 {
		t.Errorf("%d \"database full\" errors logged, want 1", n)
	}
	*now = now.Add(fullReminder)
	if _, err := s.InsertPost(ctx, Post{Text: "x", AuthorID: "U1", Status: "pending", CreatedAt: t0}); !errors.Is(err, ErrFull) {
		t.Fatalf("an hour later: %v, want ErrFull", err)
	}
	if n := logs.errorsAbout("database full"); n != 2 {
		t.Errorf("%d \"database full\" errors logged after an hour of it, want 2", n)
	}

	// Space freed: writes go through again.
	if _, err := s.sqlDB.ExecContext(ctx, `DELETE FROM posts WHERE status = 'canceled'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InsertPost(ctx, Post{Text: "Ça tweete !", AuthorID: "U1", Status: "pending", CreatedAt: t0}); err != nil {
		t.Errorf("a draft once space is freed: %v", err)
	}
}

func TestOtherErrorsAreNotBusyNorFull(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := t.Context()
	p := newPost(t, s.queries, Post{})
	a := newAccount(t, s.queries, "mastodon", "@catweete@example.social")
	newDelivery(t, s.queries, Delivery{PostID: p.ID, AccountID: a.ID, IdempotencyKey: "k1"})
	_, dup := s.InsertDelivery(ctx, Delivery{PostID: p.ID, AccountID: a.ID, Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0})
	_, missing := s.Post(ctx, p.ID+1)
	for name, err := range map[string]error{"UniqueConstraint": dup, "NotFound": missing} {
		if err == nil || errors.Is(err, ErrBusy) || errors.Is(err, ErrFull) {
			t.Errorf("%s: %v; want an error that is neither ErrBusy nor ErrFull", name, err)
		}
	}
}
