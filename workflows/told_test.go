package workflows

import (
	"context"
	"slices"
	"testing"
	"time"

	"catweete/storage"
)

// TestAnOutcomeRecordedButNotToldIsToldAtTheNextStart: catweete killed
// between recording a delivery's outcome and telling it left the post short
// of its final state, its card as it was, no link in the thread and no
// alert. The next start tells it all, once.
func TestAnOutcomeRecordedButNotToldIsToldAtTheNextStart(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		record    func(f *fixture, d storage.Delivery, now time.Time) error
		status    string
		kind      EventKind
		alert     bool
		postAfter string
	}{
		{"Published", func(f *fixture, d storage.Delivery, now time.Time) error {
			return f.store.CompleteDelivery(context.Background(), d.ID, d.Attempts, "42", "https://masto.example/@brand/42", now)
		}, storage.DeliveryPublished, EventPublished, false, StatusPublished},
		{"Failed", func(f *fixture, d storage.Delivery, now time.Time) error {
			return f.store.EndDelivery(context.Background(), d.ID, d.Attempts, storage.DeliveryFailed, "Validation failed", now)
		}, storage.DeliveryFailed, EventFailed, true, StatusFailed},
		{"Unknown", func(f *fixture, d storage.Delivery, now time.Time) error {
			return f.store.EndDelivery(context.Background(), d.ID, d.Attempts, storage.DeliveryUnknown, "the server did not answer in time", now)
		}, storage.DeliveryUnknown, EventUnknown, true, StatusPublishing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{idempotent: true})
			p := f.approved(t, "Bonjour")
			// The killed run claimed the delivery, marked the post
			// publishing, called the network and recorded the outcome; then
			// it died.
			now := f.clock.Now()
			claimed, err := f.store.ClaimDeliveries(t.Context(), now, now.Add(leaseDuration), 10)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			f.svc.startPosts(t.Context(), claimed)
			if err := tt.record(f, claimed[0], now); err != nil {
				t.Fatal(err)
			}
			events, alerts := len(f.notifier.kinds()), len(f.notifier.alertKinds())

			runDispatcherUntil(t, f, func() bool { return f.delivery(t, p.ID).ToldStatus == tt.status })

			if got, _ := f.store.Post(t.Context(), p.ID); got.Status != tt.postAfter {
				t.Errorf("post is %s, want %s", got.Status, tt.postAfter)
			}
			if kinds := f.notifier.kinds()[events:]; !slices.Equal(kinds, []EventKind{tt.kind}) {
				t.Errorf("announced %v, want [%v]", kinds, tt.kind)
			}
			wantAlerts := 0
			if tt.alert {
				wantAlerts = 1
			}
			if got := len(f.notifier.alertKinds()) - alerts; got != wantAlerts {
				t.Errorf("%d alert(s), want %d", got, wantAlerts)
			}
			card := f.notifier.lastCard()
			if card.Post.Status != tt.postAfter || card.Targets[0].Delivery.Status != tt.status {
				t.Errorf("the card shows a %s post with a %s delivery, want %s and %s",
					card.Post.Status, card.Targets[0].Delivery.Status, tt.postAfter, tt.status)
			}
			if tt.postAfter != StatusPublishing {
				log, _ := f.store.AuditLog(t.Context(), p.ID)
				if last := log[len(log)-1]; last.Action != ActionFinish || last.From != StatusPublishing || last.To != tt.postAfter {
					t.Errorf("the audit log ends with %+v, want the post finished", last)
				}
			}

			// Told once: the start after tells nothing more.
			events, alerts = len(f.notifier.kinds()), len(f.notifier.alertKinds())
			if err := f.svc.tellUntold(t.Context()); err != nil {
				t.Fatal(err)
			}
			if len(f.notifier.kinds()) != events || len(f.notifier.alertKinds()) != alerts {
				t.Errorf("told again at the next start: %v, alerts %v", f.notifier.kinds()[events:], f.notifier.alertKinds()[alerts:])
			}
		})
	}
}

func TestAnOutcomeToldAtOnceIsNotToldAgain(t *testing.T) {
	t.Parallel()
	f := setup(t, options{idempotent: true})
	p := f.approved(t, "Bonjour")
	f.round(t)
	if d := f.delivery(t, p.ID); d.Status != storage.DeliveryPublished || d.ToldStatus != storage.DeliveryPublished {
		t.Fatalf("delivery %s, told %q: want published, told", d.Status, d.ToldStatus)
	}
	events := len(f.notifier.kinds())
	if err := f.svc.tellUntold(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := f.notifier.kinds()[events:]; len(got) != 0 {
		t.Errorf("told again: %v", got)
	}
}

// runDispatcherUntil runs the dispatcher, as a start does, until done, and
// stops it.
func runDispatcherUntil(t *testing.T, f *fixture, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		f.svc.RunDispatcher(ctx) //nolint:errcheck // returns nil when ctx ends
	}()
	defer func() {
		cancel()
		<-stopped
	}()
	for deadline := time.Now().Add(10 * time.Second); !done(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher did not get there within 10 s")
		}
	}
}
