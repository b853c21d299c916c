package workflows

import "testing"

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
	}
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]string{from, to}]
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range []string{StatusRejected, StatusCanceled, StatusPublished, StatusPartial, StatusFailed} {
		if !Final(s) {
			t.Errorf("Final(%s) = false", s)
		}
	}
	for _, s := range []string{StatusDraft, StatusPending, StatusApproved, StatusPublishing, "bogus"} {
		if Final(s) {
			t.Errorf("Final(%s) = true", s)
		}
	}
	if CanMove("bogus", StatusPending) || CanMove(StatusPending, "bogus") {
		t.Error("unknown states must not move")
	}
}
