package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReadiness(t *testing.T) {
	t.Parallel()

	t.Run("MovedAwayAndBack", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "catweete.db")
		s := openFile(t, path)
		ctx := t.Context()
		r, err := s.Readiness(ctx)
		if err != nil {
			t.Fatalf("Readiness: %v", err)
		}
		if err := r.Check(ctx); err != nil {
			t.Fatalf("Check on a fresh database: %v", err)
		}
		aside := filepath.Join(dir, "aside.db")
		if err := os.Rename(path, aside); err != nil {
			t.Fatal(err)
		}
		if err := r.Check(ctx); !errors.Is(err, ErrMoved) {
			t.Errorf("Check with the file moved away = %v, want ErrMoved", err)
		}
		// SQLite still reads the file it holds: only the check sees the move.
		if _, err := s.DeliveryCounts(ctx); err != nil {
			t.Errorf("DeliveryCounts with the file moved away: %v", err)
		}
		if err := os.Rename(aside, path); err != nil {
			t.Fatal(err)
		}
		if err := r.Check(ctx); err != nil {
			t.Errorf("Check with the file back: %v", err)
		}
	})

	t.Run("ReplacedByAnotherFile", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "catweete.db")
		s := openFile(t, path)
		r, err := s.Readiness(t.Context())
		if err != nil {
			t.Fatalf("Readiness: %v", err)
		}
		other := filepath.Join(dir, "other.db")
		if err := os.WriteFile(other, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(other, path); err != nil {
			t.Fatal(err)
		}
		if err := r.Check(t.Context()); !errors.Is(err, ErrMoved) {
			t.Errorf("Check with another file at the path = %v, want ErrMoved", err)
		}
	})

	t.Run("Closed", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		r, err := s.Readiness(t.Context())
		if err != nil {
			t.Fatalf("Readiness: %v", err)
		}
		s.Close()
		if err := r.Check(t.Context()); err == nil {
			t.Error("Check on a closed database = nil, want an error")
		}
	})

	t.Run("InMemory", func(t *testing.T) {
		t.Parallel()
		s := openFile(t, ":memory:")
		r, err := s.Readiness(t.Context())
		if err != nil {
			t.Fatalf("Readiness: %v", err)
		}
		if err := r.Check(t.Context()); err != nil {
			t.Errorf("Check in memory: %v", err)
		}
	})
}
