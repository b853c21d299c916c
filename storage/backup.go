package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// The online backup copies the database with SQLite's backup API in steps
// of stepPages pages, sleeping pause between steps. Each step holds a read
// transaction on the source only while it copies: in WAL mode a reader
// never blocks a writer, and releasing it between steps lets checkpoints go
// on. A write by another connection makes SQLite start the copy again from
// the first page at the next step; after maxRestarts restarts (or steps
// that made no progress) the rest is copied in one step, a single read
// snapshot that does not block writers either, so that a busy database is
// still backed up. Tests shrink these.
type backupOptions struct {
	stepPages   int
	pause       time.Duration
	maxRestarts int
}

var defaultBackup = backupOptions{
	stepPages:   256, // 1 MiB at the default 4 KiB page
	pause:       10 * time.Millisecond,
	maxRestarts: 3,
}

// backupStats says how a backup went, for the tests.
type backupStats struct {
	steps, restarts int
	oneShot         bool // the rest was copied in a single step
}

// Backup writes a consistent copy of the database to path while others
// keep using it. It refuses to overwrite anything: path must not exist,
// nor a journal or WAL beside it that SQLite would apply to the copy. The
// copy is written to a temporary file in path's directory, synced, and
// only then put at path, so that path is either absent or complete.
func (s *Store) Backup(ctx context.Context, path string) error {
	_, err := backupDB(ctx, s.sqlDB, path, defaultBackup)
	return err
}

// BackupFile backs the catweete database at dbPath up to path, as Backup
// does, without migrating it: the catweete that serves it may be of
// another version. dbPath must exist and hold a catweete schema. It
// returns the schema version of the database.
func BackupFile(ctx context.Context, dbPath, path string) (int, error) {
	if dbPath == "" {
		return 0, errors.New("storage: empty database path")
	}
	if _, err := os.Stat(dbPath); err != nil {
		return 0, fmt.Errorf("storage: backup: %w", err)
	}
	// mode=rw: never create the database; no journal mode either, so as
	// not to change the one the serving process set.
	db, err := sql.Open("sqlite3", fileURI(dbPath)+"?mode=rw&_busy_timeout=10000")
	if err != nil {
		return 0, fmt.Errorf("storage: backup: open %s: %w", dbPath, err)
	}
	defer db.Close()
	var version int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("storage: backup: %s is not a catweete database: %w", dbPath, err)
	}
	if _, err := backupDB(ctx, db, path, defaultBackup); err != nil {
		return 0, err
	}
	return version, nil
}

// fileURI is path as the file: URI go-sqlite3 opens, without its query:
// what SQLite would read as a query, fragment or escape is escaped
// ("team#1.db" must not open "team").
func fileURI(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// refuseExisting fails if path, or a rollback journal or WAL that SQLite
// would take as path's, exists.
func refuseExisting(path string) error {
	for _, p := range []string{path, path + "-journal", path + "-wal"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("storage: backup: will not overwrite %s: %w", p, fs.ErrExist)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: backup: %w", err)
		}
	}
	return nil
}

func backupDB(ctx context.Context, src *sql.DB, path string, opt backupOptions) (stats backupStats, err error) {
	if path == "" {
		return stats, errors.New("storage: backup: empty target path")
	}
	if err := refuseExisting(path); err != nil {
		return stats, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
			os.Remove(tmpPath + "-journal")
		}
	}()

	stats, err = copyDB(ctx, src, tmpPath, opt)
	if err != nil {
		return stats, err
	}
	if err := syncPath(tmpPath); err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	if err := placeNoClobber(tmpPath, path); err != nil {
		return stats, err
	}
	if err := syncPath(dir); err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	return stats, nil
}

// copyDB copies src's main database into the (empty) file at dst, and
// closes dst: when it returns nil, dst is a complete database with no
// journal beside it.
func copyDB(ctx context.Context, src *sql.DB, dst string, opt backupOptions) (stats backupStats, err error) {
	destDB, err := sql.Open("sqlite3", fileURI(dst)+"?mode=rw")
	if err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	defer func() {
		if cerr := destDB.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("storage: backup: close copy: %w", cerr)
		}
	}()
	destConn, err := destDB.Conn(ctx)
	if err != nil {
		return stats, fmt.Errorf("storage: backup: open copy: %w", err)
	}
	defer destConn.Close()
	srcConn, err := src.Conn(ctx)
	if err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	defer srcConn.Close()

	err = srcConn.Raw(func(srcRaw any) error {
		return destConn.Raw(func(destRaw any) error {
			from, ok1 := srcRaw.(*sqlite3.SQLiteConn)
			to, ok2 := destRaw.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return fmt.Errorf("not SQLite connections (%T, %T)", srcRaw, destRaw)
			}
			b, err := to.Backup("main", from, "main")
			if err != nil {
				return err
			}
			stats, err = stepBackup(ctx, b, opt)
			if ferr := b.Finish(); err == nil && ferr != nil {
				err = ferr
			}
			return err
		})
	})
	if err != nil {
		return stats, fmt.Errorf("storage: backup: %w", err)
	}
	return stats, nil
}

// stepBackup runs b to its end, a few pages at a time.
func stepBackup(ctx context.Context, b *sqlite3.SQLiteBackup, opt backupOptions) (stats backupStats, err error) {
	copied := 0
	for {
		pages := opt.stepPages
		if stats.restarts >= opt.maxRestarts {
			pages, stats.oneShot = -1, true
		}
		done, err := b.Step(pages)
		stats.steps++
		if err != nil || done {
			return stats, err
		}
		// A step that did not get further than the last one either started
		// the copy again (a write by another connection) or copied nothing
		// (Step reports a busy or locked source as "not done"): both count
		// towards copying the rest in one step.
		now := b.PageCount() - b.Remaining()
		if now <= copied {
			stats.restarts++
		}
		copied = now
		select {
		case <-ctx.Done():
			return stats, ctx.Err()
		case <-time.After(opt.pause):
		}
	}
}

// placeNoClobber moves the file tmp to path, failing if path exists. A hard
// link does it atomically; on a file system without them, path is checked
// and tmp renamed.
func placeNoClobber(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("storage: backup: %w", err)
		}
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("storage: backup: will not overwrite %s: %w", path, fs.ErrExist)
	}
	if err := refuseExisting(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	return nil
}

// syncPath flushes a file, or a directory's entries, to stable storage.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
