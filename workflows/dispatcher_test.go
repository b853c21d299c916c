package workflows

import (
	"context"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

// round runs one dispatcher round and waits for the publish calls it started.
func (f *fixture) round(t *testing.T) time.Duration {
	t.Helper()
	slots := map[int64]chan struct{}{}
	for _, a := range f.svc.accounts {
		slots[a.ID] = make(chan struct{}, perAccount)
	}
	wait, err := f.svc.dispatchOnce(t.Context(), t.Context(), slots)
	if err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	f.svc.inflight.Wait()
	return wait
}

func (f *fixture) approved(t *testing.T, text string) Post {
	t.Helper()
	p := f.draft(t, "UAUTHOR", text)
	if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UA"); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) delivery(t *testing.T, postID int64) storage.Delivery {
	t.Helper()
	ds, err := f.store.Deliveries(t.Context(), postID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v, %v", ds, err)
	}
	return ds[0]
}

func TestDispatcher(t *testing.T) {
	t.Parallel()
	t.Run("PublishesAnApprovedPostOnceAndTellsTheCard", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Bonjour")
		f.round(t)
		f.round(t)
		if n := f.pub.callCount(); n != 1 {
			t.Fatalf("%d publish calls, want 1", n)
		}
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryPublished || d.RemoteURL == "" || d.PublishedAt.IsZero() {
			t.Fatalf("delivery %+v", d)
		}
		if f.pub.calls[0].IdempotencyKey != d.IdempotencyKey || f.pub.calls[0].Text != "Bonjour" {
			t.Fatalf("published %+v", f.pub.calls[0])
		}
		got, _ := f.store.Post(t.Context(), p.ID)
		if got.Status != StatusPublished {
			t.Fatalf("post %s, want published", got.Status)
		}
		var url string
		for _, e := range f.notifier.events {
			if e.Kind == EventPublished {
				url = e.Target.Delivery.RemoteURL
			}
		}
		if url != d.RemoteURL {
			t.Fatalf("announced %q, want %q", url, d.RemoteURL)
		}
	})
	t.Run("WaitsForTheAskedTime", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		at := f.clock.Now().Add(2 * time.Hour)
		p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: "Plus tard", PublishAt: at, OriginChannel: "C"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UA"); err != nil {
			t.Fatal(err)
		}
		wait := f.round(t)
		if f.pub.callCount() != 0 {
			t.Fatal("published before its time")
		}
		if wait <= 0 || wait > idleWake {
			t.Fatalf("sleeps %v", wait)
		}
		f.clock.Advance(2 * time.Hour)
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("not published at its time")
		}
	})
	t.Run("TransientFailureRetriesAfterRetryAfter", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.errs = []error{&social.Error{Network: "mastodon", Class: social.Transient, Status: 429, RetryAfter: 90 * time.Second, Message: "Too many requests"}}
		p := f.approved(t, "Bonjour")
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryScheduled || d.LastError != "Too many requests" {
			t.Fatalf("after 429: %+v", d)
		}
		if got := d.NextAttemptAt.Sub(f.clock.Now()); got != 90*time.Second {
			t.Fatalf("retry in %v, want 90s", got)
		}
		f.clock.Advance(89 * time.Second)
		f.round(t)
		if f.pub.callCount() != 1 {
			t.Fatal("retried before Retry-After")
		}
		f.clock.Advance(time.Second)
		f.round(t)
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublished || d.Attempts != 2 {
			t.Fatalf("after retry: %+v", d)
		}
	})
	t.Run("PermanentFailureFailsAtOnce", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		f.pub.errs = []error{&social.Error{Network: "mastodon", Class: social.Permanent, Status: 422, Message: "Validation failed"}}
		p := f.approved(t, "Bonjour")
		f.round(t)
		d := f.delivery(t, p.ID)
		if d.Status != storage.DeliveryFailed || d.LastError != "Validation failed" {
			t.Fatalf("delivery %+v", d)
		}
		if got, _ := f.store.Post(t.Context(), p.ID); got.Status != StatusFailed {
			t.Fatalf("post %s, want failed", got.Status)
		}
		if !containsKind(f.notifier.kinds(), EventFailed) {
			t.Fatal("failure not announced")
		}
	})
	t.Run("DuplicateIsRecordedAsPublished", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.pub.errs = []error{&social.Error{Network: "x", Class: social.Duplicate, Status: 422,
			Existing: social.Published{ID: "urn:1", URL: "https://example/1"}}}
		p := f.approved(t, "Bonjour")
		f.round(t)
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublished || d.RemoteID != "urn:1" {
			t.Fatalf("delivery %+v", d)
		}
	})
	t.Run("GivesUpAfterMaxAttempts", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		for range maxAttempts {
			f.pub.errs = append(f.pub.errs, &social.Error{Network: "mastodon", Class: social.Transient, Status: 503, Message: "down"})
		}
		p := f.approved(t, "Bonjour")
		for range maxAttempts {
			f.round(t)
			f.clock.Advance(2 * time.Hour)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryFailed || d.Attempts != maxAttempts {
			t.Fatalf("delivery %+v", d)
		}
	})
	t.Run("LostAnswerOnANetworkWithoutIdempotencyIsUnknown", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: false})
		f.pub.errs = []error{&social.Error{Network: "x", Class: social.Transient, Message: "timeout"}}
		p := f.approved(t, "Bonjour")
		f.round(t)
		f.clock.Advance(time.Hour)
		f.round(t)
		if n := f.pub.callCount(); n != 1 {
			t.Fatalf("%d calls: a lost answer must not be sent again blindly", n)
		}
		if d := f.delivery(t, p.ID); d.Status != storage.DeliveryUnknown {
			t.Fatalf("delivery %s, want unknown", d.Status)
		}
		if !containsKind(f.notifier.kinds(), EventUnknown) {
			t.Fatal("unknown outcome not announced")
		}
	})
}

func TestLeaseRecovery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		idempotent bool
		called     bool // the process died during the call, not before it
		want       string
		calls      int
	}{
		{"IdempotentNetworkIsTriedAgainWithTheSameKey", true, true, storage.DeliveryPublished, 1},
		{"OtherNetworkAsksAPerson", false, true, storage.DeliveryUnknown, 0},
		{"NeverCalledIsSentOnAnyNetwork", false, false, storage.DeliveryPublished, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{idempotent: tt.idempotent})
			p := f.approved(t, "Bonjour")
			// A publisher claimed it (and maybe started its call), then
			// the process died.
			now := f.clock.Now()
			claimed, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			if tt.called {
				if err := f.store.RenewLease(t.Context(), claimed[0].ID, claimed[0].Attempts, now.Add(leaseDuration), ""); err != nil {
					t.Fatal(err)
				}
			}
			f.round(t)
			if f.pub.callCount() != 0 {
				t.Fatal("a delivery under a live lease was published")
			}
			f.clock.Advance(leaseDuration)
			f.round(t)
			if n := f.pub.callCount(); n != tt.calls {
				t.Fatalf("%d calls, want %d", n, tt.calls)
			}
			d := f.delivery(t, p.ID)
			if d.Status != tt.want {
				t.Fatalf("delivery %s, want %s", d.Status, tt.want)
			}
			if tt.calls == 1 && f.pub.calls[0].IdempotencyKey != d.IdempotencyKey {
				t.Fatal("retried with another key")
			}
		})
	}
}

func TestRunDispatcherStopsWithinItsGrace(t *testing.T) {
	t.Parallel()
	f := setup(t, options{idempotent: true})
	f.pub.block = make(chan struct{})
	f.pub.started = make(chan struct{}, 1)
	f.approved(t, "Bloqué")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { f.svc.RunDispatcher(ctx); close(done) }()
	<-f.pub.started
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatal("RunDispatcher did not return")
	}
	if took := time.Since(start); took > shutdownGrace+2*time.Second {
		t.Fatalf("stopped in %v", took)
	}
	// The canceled call is recorded, not lost: the delivery is scheduled
	// again with its key.
	ds, _ := f.store.DeliveriesInState(t.Context(), 10, storage.DeliveryScheduled)
	if len(ds) != 1 {
		t.Fatalf("%d scheduled deliveries after the stop, want 1", len(ds))
	}
}

func TestIdempotencyKeyIsFreshAtTheFirstAttemptThenKept(t *testing.T) {
	t.Parallel()
	f := setup(t, options{idempotent: true})
	f.pub.errs = []error{&social.Error{Network: "mastodon", Class: social.Transient, Status: 503, Message: "down"}}
	p := f.approved(t, "Bonjour")
	drafted := f.delivery(t, p.ID).IdempotencyKey
	// Days pass between the draft and its time (Bluesky takes record keys
	// close to the present only).
	f.clock.Advance(72 * time.Hour)
	f.round(t)
	first := f.delivery(t, p.ID).IdempotencyKey
	if first == drafted || f.pub.calls[0].IdempotencyKey != first {
		t.Fatalf("first attempt sent %q, stored %q, drafted %q: want a fresh key, stored before the call", f.pub.calls[0].IdempotencyKey, first, drafted)
	}
	if first <= drafted {
		t.Fatalf("fresh key %q does not sort after the draft's %q", first, drafted)
	}
	f.clock.Advance(time.Hour)
	f.round(t)
	if n := f.pub.callCount(); n != 2 || f.pub.calls[1].IdempotencyKey != first {
		t.Fatalf("retry sent %+v: a delivery that may have reached the network keeps its key", f.pub.calls)
	}
}
