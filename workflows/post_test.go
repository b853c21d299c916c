package workflows

import (
	"strings"
	"testing"
	"time"
)

func TestStateMachine(t *testing.T) {
	t.Parallel()
	states := []string{StatusDraft, StatusPending, StatusChangesRequested, StatusApproved, StatusRejected,
		StatusCanceled, StatusPublishing, StatusPublished, StatusPartial, StatusFailed}
	allowed := map[[2]string]bool{
		{StatusDraft, StatusPending}:             true,
		{StatusDraft, StatusCanceled}:            true,
		{StatusPending, StatusApproved}:          true,
		{StatusPending, StatusChangesRequested}:  true,
		{StatusPending, StatusRejected}:          true,
		{StatusPending, StatusPending}:           true, // an edit
		{StatusPending, StatusCanceled}:          true,
		{StatusChangesRequested, StatusPending}:  true,
		{StatusChangesRequested, StatusRejected}: true,
		{StatusChangesRequested, StatusCanceled}: true,
		{StatusApproved, StatusPublishing}:       true,
		{StatusApproved, StatusCanceled}:         true,
		{StatusPublishing, StatusPublished}:      true,
		{StatusPublishing, StatusPartial}:        true,
		{StatusPublishing, StatusFailed}:         true,
		{StatusPartial, StatusPublishing}:        true, // a failed delivery retried
		{StatusFailed, StatusPublishing}:         true,
	}
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]string{from, to}]
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range []string{StatusRejected, StatusCanceled, StatusPublished} {
		if !Final(s) {
			t.Errorf("Final(%s) = false", s)
		}
	}
	for _, s := range []string{StatusDraft, StatusPending, StatusApproved, StatusPublishing, StatusPartial, StatusFailed, "bogus"} {
		if Final(s) {
			t.Errorf("Final(%s) = true", s)
		}
	}
	if CanMove("bogus", StatusPending) || CanMove(StatusPending, "bogus") {
		t.Error("unknown states must not move")
	}
}

func TestIdempotencyKeysAreTIDs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s := &Service{}
	seen := map[string]bool{}
	for range 1000 {
		key, err := s.newIdempotencyKey(now)
		if err != nil {
			t.Fatal(err)
		}
		if len(key) != 13 || !strings.ContainsRune("234567abcdefghij", rune(key[0])) {
			t.Fatalf("key %q is not a TID", key)
		}
		for _, c := range key {
			if !strings.ContainsRune("234567abcdefghijklmnopqrstuvwxyz", c) {
				t.Fatalf("key %q has %q", key, c)
			}
		}
		seen[key] = true
	}
	if len(seen) != 1000 {
		t.Fatalf("only %d distinct keys of 1000 made in the same microsecond", len(seen))
	}
	// Later keys sort after earlier ones: TIDs are sortable.
	a, _ := s.newIdempotencyKey(now.Add(time.Second))
	b, _ := s.newIdempotencyKey(now.Add(2 * time.Second))
	if a >= b {
		t.Fatalf("%s !< %s", a, b)
	}
}
