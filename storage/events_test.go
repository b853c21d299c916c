package storage

import (
	"path/filepath"
	"testing"
	"time"
)

func markSeen(t *testing.T, s *Store, id string, at time.Time) bool {
	t.Helper()
	isNew, err := s.MarkEventSeen(t.Context(), id, at)
	if err != nil {
		t.Fatalf("MarkEventSeen(%s): %v", id, err)
	}
	return isNew
}

func TestMarkEventSeen(t *testing.T) {
	t.Parallel()

	t.Run("FirstSightIsNewARetryIsNot", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		if !markSeen(t, s, "Ev01", t0) {
			t.Error("first sight of Ev01 not new")
		}
		if markSeen(t, s, "Ev01", t0.Add(time.Second)) {
			t.Error("retry of Ev01 reported new")
		}
		if !markSeen(t, s, "Ev02", t0) {
			t.Error("first sight of Ev02 not new")
		}
	})

	t.Run("ARetryAfterARestartIsNotNew", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "catweete.db")
		s := openFile(t, path)
		if !markSeen(t, s, "Ev01", t0) {
			t.Fatal("first sight of Ev01 not new")
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openFile(t, path)
		if markSeen(t, s, "Ev01", t0.Add(time.Minute)) {
			t.Error("retry of Ev01 after a restart reported new")
		}
	})
}

func TestForgetEvents(t *testing.T) {
	t.Parallel()

	t.Run("DropsOnlyEventsSeenBefore", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		markSeen(t, s, "old", t0.Add(-72*time.Hour))
		markSeen(t, s, "older", t0.Add(-96*time.Hour))
		markSeen(t, s, "edge", t0.Add(-48*time.Hour))
		markSeen(t, s, "recent", t0)
		n, err := s.ForgetEvents(t.Context(), t0.Add(-48*time.Hour))
		if err != nil {
			t.Fatalf("ForgetEvents: %v", err)
		}
		if n != 2 {
			t.Errorf("ForgetEvents dropped %d, want 2", n)
		}
		if !markSeen(t, s, "old", t0) {
			t.Error("forgotten event old still seen")
		}
		for _, id := range []string{"edge", "recent"} {
			if markSeen(t, s, id, t0) {
				t.Errorf("event %s forgotten, want kept", id)
			}
		}
	})
}
