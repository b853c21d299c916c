package workflows

import (
	"slices"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// TestRunningOutOfAttempts: a delivery on a network with idempotency keys
// that runs out of attempts failed, even when an earlier call had got no
// answer and the network held the post: its card and its alert said
// "failed" about a post that was out. It is unknown then (a person checks,
// and Retry sends it under its key); failed only when every call was
// refused. Claims that died before their call reached no network and
// change nothing to that.
func TestRunningOutOfAttempts(t *testing.T) {
	t.Parallel()
	refused := &social.Error{Network: social.NetworkMastodon, Class: social.Transient, Status: 503, Message: "Service Unavailable"}
	unanswered := &social.Error{Network: social.NetworkMastodon, Class: social.Transient, Message: "the server did not answer in time"}
	cutShort := &social.Error{Network: social.NetworkMastodon, Class: social.Transient, Status: 200, Message: "the answer was cut short"}
	refusals := func(n int) []error {
		var errs []error
		for range n {
			errs = append(errs, refused)
		}
		return errs
	}
	for _, tt := range []struct {
		name string
		// crashes are claims a killed process left, before any answer:
		// true when the call had started.
		crashes []bool
		errs    []error // the answers of the calls, in order
		want    string
	}{
		{"EveryCallRefusedFails", nil, refusals(maxAttempts), storage.DeliveryFailed},
		{"AnEarlierCallUnansweredIsUnknown", nil, append([]error{unanswered}, refusals(maxAttempts-1)...), storage.DeliveryUnknown},
		{"TheLastCallUnansweredIsUnknown", nil, append(refusals(maxAttempts-1), unanswered), storage.DeliveryUnknown},
		{"AnAnswerCutShortIsUnknown", nil, append([]error{cutShort}, refusals(maxAttempts-1)...), storage.DeliveryUnknown},
		{"ACrashMidCallIsUnknown", []bool{true}, refusals(maxAttempts - 1), storage.DeliveryUnknown},
		{"ClaimsThatNeverCalledLeaveItFailed", []bool{false, false}, refusals(maxAttempts - 2), storage.DeliveryFailed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{idempotent: true})
			f.pub.fail(tt.errs...)
			p := f.approved(t, "Bonjour")
			for _, called := range tt.crashes {
				now := f.clock.Now()
				claimed, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10)
				if err != nil || len(claimed) != 1 {
					t.Fatalf("claim: %v %v", claimed, err)
				}
				if called {
					if err := f.store.RenewLease(t.Context(), claimed[0].ID, claimed[0].Attempts, now.Add(leaseDuration), ""); err != nil {
						t.Fatal(err)
					}
				}
				f.clock.Advance(leaseDuration)
				if err := f.svc.recoverLeases(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 * maxAttempts {
				f.round(t)
				f.clock.Advance(2 * time.Hour)
			}
			d := f.delivery(t, p.ID)
			if d.Status != tt.want || d.Attempts != maxAttempts {
				t.Fatalf("delivery %s after %d attempts (%q), want %s after %d", d.Status, d.Attempts, d.LastError, tt.want, maxAttempts)
			}
			if n := f.pub.callCount(); n != len(tt.errs) {
				t.Errorf("%d calls, want %d", n, len(tt.errs))
			}
			for _, c := range f.pub.calls {
				if c.IdempotencyKey != d.IdempotencyKey {
					t.Fatalf("a call carried key %q, the delivery holds %q", c.IdempotencyKey, d.IdempotencyKey)
				}
			}
			wantAlert := EventFailed
			if tt.want == storage.DeliveryUnknown {
				wantAlert = EventUnknown
			}
			if alerts := f.notifier.alertKinds(); !slices.Equal(alerts, []EventKind{wantAlert}) {
				t.Errorf("alerts %v, want [%v]", alerts, wantAlert)
			}
		})
	}
}

// TestAClaimThatNeverCalledKeepsItsFreshKeyToCome: a delivery claimed, then
// left by a killed process before its call, still gets a fresh key at its
// first call (Bluesky takes record keys close to the present only), and a
// network without keys is asked, not a person.
func TestAClaimThatNeverCalledKeepsItsFreshKeyToCome(t *testing.T) {
	t.Parallel()
	f := setup(t, options{idempotent: false})
	p := f.approved(t, "Bonjour")
	drafted := f.delivery(t, p.ID).IdempotencyKey
	now := f.clock.Now()
	if _, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(leaseDuration)
	f.round(t)
	d := f.delivery(t, p.ID)
	if d.Status != storage.DeliveryPublished || f.pub.callCount() != 1 || d.Unsure {
		t.Fatalf("delivery %s (unsure %v) after %d call(s), want published after 1", d.Status, d.Unsure, f.pub.callCount())
	}
	if key := f.pub.calls[0].IdempotencyKey; key == drafted || key != d.IdempotencyKey {
		t.Errorf("sent key %q (drafted %q, stored %q): want a fresh one, stored", key, drafted, d.IdempotencyKey)
	}
	if alerts := f.notifier.alertKinds(); len(alerts) != 0 {
		t.Errorf("alerts %v: nothing was uncertain", alerts)
	}
}
