package storage

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// seedPosts stores n posts of about 1 KiB each.
func seedPosts(t *testing.T, s *Store, n int) {
	t.Helper()
	err := s.WithTx(t.Context(), func(tx *Tx) error {
		for i := range n {
			if _, err := tx.InsertPost(t.Context(), Post{Text: strings.Repeat("x", 1000) + " seed", AuthorID: "U0SEED",
				Status: "draft", CreatedAt: t0.Add(time.Duration(i) * time.Second)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seeding: %v", err)
	}
}

// writer inserts posts into s until stopped, and counts them.
type writer struct {
	inserted atomic.Int64
	stop     chan struct{}
	done     chan error
}

func startWriter(t *testing.T, s *Store) *writer {
	t.Helper()
	w := &writer{stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		ctx := context.Background()
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				w.done <- nil
				return
			default:
			}
			if _, err := s.InsertPost(ctx, Post{Text: strings.Repeat("w", 500), AuthorID: "U0WRITER",
				Status: "draft", CreatedAt: t0}); err != nil {
				w.done <- err
				return
			}
			w.inserted.Add(1)
		}
	}()
	// Wait for the first insert, so that the writer is really going.
	for w.inserted.Load() == 0 {
		select {
		case err := <-w.done:
			t.Fatalf("writer: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	return w
}

func (w *writer) halt(t *testing.T) {
	t.Helper()
	close(w.stop)
	if err := <-w.done; err != nil {
		t.Errorf("writer: %v", err)
	}
}

// committed returns the highest post id and the number of posts up to it:
// what a backup started now must hold at least.
func committed(t *testing.T, s *Store) (lastID int64, n int) {
	t.Helper()
	if err := s.sqlDB.QueryRow(`SELECT coalesce(max(id), 0), count(*) FROM posts`).Scan(&lastID, &n); err != nil {
		t.Fatal(err)
	}
	return lastID, n
}

// checkCopy opens the backup at path as a plain SQLite database and checks
// it: intact, at the source's schema version, and holding every post up to
// lastID, which the source had want of when the backup started.
func checkCopy(t *testing.T, path string, version int, lastID int64, want int) {
	t.Helper()
	for _, side := range []string{"-journal", "-wal"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Errorf("%s%s exists beside the copy", path, side)
		}
	}
	db, err := sql.Open("sqlite3", fileURI(path)+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check of the copy = %q, %v; want ok", integrity, err)
	}
	var got int
	if err := db.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&got); err != nil || got != version {
		t.Errorf("the copy's schema version = %d, %v; want %d", got, err, version)
	}
	var before, all int
	if err := db.QueryRow(`SELECT count(*) FROM posts WHERE id <= ?`, lastID).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM posts`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	if before != want {
		t.Errorf("the copy holds %d of the %d posts committed before the backup", before, want)
	}
	t.Logf("the copy holds %d posts, %d of them written during the backup", all, all-before)
	db.Close()

	// And catweete opens it as it opens its own database.
	s := openFile(t, path)
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != version {
		t.Errorf("Open(copy).SchemaVersion = %d, %v; want %d", v, err, version)
	}
}

// leftovers lists what a backup may leave behind in dir: temporary files
// and journals.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestBackup(t *testing.T) {
	t.Parallel()

	// Under a writer that never stops, in small steps: the copy restarts,
	// then takes the rest in one step, and is a consistent snapshot.
	t.Run("WhileWrittenInSmallSteps", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		s := openFile(t, filepath.Join(dir, "catweete.db"))
		seedPosts(t, s, 2000) // about 600 pages
		version, err := s.SchemaVersion(t.Context())
		if err != nil || version == 0 {
			t.Fatalf("SchemaVersion = %d, %v", version, err)
		}
		w := startWriter(t, s)
		lastID, wantBefore := committed(t, s)
		atStart := w.inserted.Load()
		target := filepath.Join(dir, "copy.db")
		stats, err := backupDB(t.Context(), s.sqlDB, target, backupOptions{stepPages: 16, pause: time.Millisecond, maxRestarts: 3})
		during := w.inserted.Load() - atStart
		w.halt(t)
		if err != nil {
			t.Fatalf("backup: %v", err)
		}
		t.Logf("backup: %+v, %d posts inserted meanwhile", stats, during)
		if stats.steps < 2 {
			t.Errorf("the backup took %d step(s); want several", stats.steps)
		}
		if during == 0 {
			t.Error("the writer inserted nothing during the backup")
		}
		checkCopy(t, target, version, lastID, wantBefore)
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
	})

	// The public method, at its own pace, under the same writer.
	t.Run("WhileWritten", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		s := openFile(t, filepath.Join(dir, "catweete.db"))
		seedPosts(t, s, 300)
		version, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		w := startWriter(t, s)
		lastID, wantBefore := committed(t, s)
		target := filepath.Join(dir, "sub dir#1", "copy?.db")
		if err := os.Mkdir(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		err = s.Backup(t.Context(), target)
		w.halt(t)
		if err != nil {
			t.Fatalf("Backup: %v", err)
		}
		checkCopy(t, target, version, lastID, wantBefore)
		if l := leftovers(t, filepath.Dir(target)); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
	})

	t.Run("RefusesAnExistingTarget", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		s := openFile(t, filepath.Join(dir, "catweete.db"))
		seedPosts(t, s, 10)
		target := filepath.Join(dir, "copy.db")
		if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := s.Backup(t.Context(), target)
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("Backup over a file = %v; want fs.ErrExist", err)
		}
		if b, _ := os.ReadFile(target); string(b) != "keep me" {
			t.Errorf("the existing file now holds %q", b)
		}
		// Over the database itself, too.
		if err := s.Backup(t.Context(), filepath.Join(dir, "catweete.db")); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Backup over the database itself = %v; want fs.ErrExist", err)
		}
		// A WAL beside the target would be applied to the copy: refused.
		other := filepath.Join(dir, "other.db")
		if err := os.WriteFile(other+"-wal", []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Backup(t.Context(), other); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Backup beside a stale WAL = %v; want fs.ErrExist", err)
		}
		if _, err := os.Stat(other); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a refused backup, %s: %v; want it absent", other, err)
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
	})

	t.Run("CanceledLeavesNothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		s := openFile(t, filepath.Join(dir, "catweete.db"))
		seedPosts(t, s, 10)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		target := filepath.Join(dir, "copy.db")
		if err := s.Backup(ctx, target); !errors.Is(err, context.Canceled) {
			t.Errorf("Backup with a canceled context = %v; want context.Canceled", err)
		}
		if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after a canceled backup, %s: %v; want it absent", target, err)
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
	})
}

func TestBackupFile(t *testing.T) {
	t.Parallel()

	t.Run("CopiesWithoutMigrating", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src := filepath.Join(dir, "catweete.db")
		s := openFile(t, src)
		seedPosts(t, s, 50)
		want, err := s.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		// The serving process keeps writing meanwhile.
		w := startWriter(t, s)
		lastID, wantBefore := committed(t, s)
		target := filepath.Join(dir, "copy.db")
		version, err := BackupFile(t.Context(), src, target)
		w.halt(t)
		if err != nil || version != want {
			t.Fatalf("BackupFile = %d, %v; want %d, nil", version, err, want)
		}
		checkCopy(t, target, want, lastID, wantBefore)
	})

	t.Run("MissingDatabaseIsNotCreated", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src := filepath.Join(dir, "nothing.db")
		if _, err := BackupFile(t.Context(), src, filepath.Join(dir, "copy.db")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("BackupFile of a missing database = %v; want fs.ErrNotExist", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("the directory now holds %v", entries)
		}
	})

	t.Run("NotACatweeteDatabase", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src := filepath.Join(dir, "other.db")
		db, err := sql.Open("sqlite3", src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		target := filepath.Join(dir, "copy.db")
		if _, err := BackupFile(t.Context(), src, target); err == nil || !strings.Contains(err.Error(), "not a catweete database") {
			t.Errorf("BackupFile of another database = %v; want it refused", err)
		}
		if _, err := os.Stat(target); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v; want it absent", target, err)
		}
	})
}
