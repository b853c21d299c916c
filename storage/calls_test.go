package storage

import (
	"testing"
	"time"
)

func TestCallsAndDoubts(t *testing.T) {
	t.Parallel()

	t.Run("RenewLeaseRecordsThatTheCallStarts", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if d.CalledAttempt == d.Attempts {
			t.Fatalf("claimed: CalledAttempt %d = Attempts: a claim is not a call", d.CalledAttempt)
		}
		if err := f.s.RenewLease(t.Context(), d.ID, d.Attempts, t0.Add(2*time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); got.CalledAttempt != d.Attempts {
			t.Errorf("after RenewLease: CalledAttempt %d, want %d", got.CalledAttempt, d.Attempts)
		}
	})

	t.Run("ReleasedBeforeItsCallItIsAsItWas", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryScheduled, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); got.Unsure || got.LastError != "" {
			t.Errorf("after release: unsure %v, last error %q; want neither: nothing reached the network", got.Unsure, got.LastError)
		}
	})

	t.Run("ReleasedMidCallTheNetworkMayHoldIt", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.RenewLease(t.Context(), d.ID, d.Attempts, t0.Add(time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryScheduled, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); !got.Unsure || got.LastError == "" {
			t.Errorf("after release: unsure %v, last error %q; want both", got.Unsure, got.LastError)
		}
	})

	t.Run("AnUnansweredCallIsRememberedThroughLaterRefusals", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.RetryUnansweredDelivery(t.Context(), d.ID, d.Attempts, t0, "timeout", t0); err != nil {
			t.Fatal(err)
		}
		again, err := f.s.ClaimDeliveries(t.Context(), t0, t0.Add(time.Minute), 1)
		if err != nil || len(again) != 1 || !again[0].Unsure {
			t.Fatalf("re-claim = %+v, %v; want it unsure", again, err)
		}
		if err := f.s.RetryDelivery(t.Context(), d.ID, again[0].Attempts, t0, "HTTP 503", t0); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); !got.Unsure {
			t.Error("a refusal after an unanswered call made the delivery sure again")
		}
	})

	t.Run("ARefusalAloneLeavesItSure", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.RetryDelivery(t.Context(), d.ID, d.Attempts, t0, "HTTP 429", t0); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); got.Unsure {
			t.Error("a 429 made the delivery unsure")
		}
	})

	t.Run("ARevivedDeliveryHasNotCalledYet", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.RenewLease(t.Context(), d.ID, d.Attempts, t0.Add(time.Minute), ""); err != nil {
			t.Fatal(err)
		}
		if err := f.s.EndDelivery(t.Context(), d.ID, d.Attempts, DeliveryUnknown, "timeout", t0); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReviveDelivery(t.Context(), d.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		again, err := f.s.ClaimDeliveries(t.Context(), t0.Add(time.Hour), t0.Add(2*time.Hour), 1)
		if err != nil || len(again) != 1 {
			t.Fatalf("re-claim = %v, %v", again, err)
		}
		if again[0].CalledAttempt == again[0].Attempts {
			t.Errorf("revived and claimed: CalledAttempt %d = Attempts, as if its call had started", again[0].CalledAttempt)
		}
	})
}

func TestMigrationKeepsWhatMayHaveBeenSent(t *testing.T) {
	t.Parallel()
	f := setupDeliveries(t)
	inFlight := f.claimed(t, 0, t0, t0.Add(time.Minute))
	retried := f.claimed(t, 1, t0, t0.Add(time.Minute))
	if err := f.s.RetryDelivery(t.Context(), retried.ID, retried.Attempts, t0.Add(time.Hour), "timeout", t0); err != nil {
		t.Fatal(err)
	}
	waiting := f.scheduled(t, 2, t0.Add(time.Hour))
	// The database as it was before these columns, holding these
	// deliveries.
	for _, q := range []string{`ALTER TABLE deliveries DROP COLUMN called_attempt`, `ALTER TABLE deliveries DROP COLUMN unsure`,
		`DELETE FROM schema_migrations WHERE version = 9`} {
		if _, err := f.s.sqlDB.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := f.s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := delivery(t, f.s, inFlight.ID); got.CalledAttempt != got.Attempts {
		t.Errorf("in flight: CalledAttempt %d, Attempts %d: want its call taken as started", got.CalledAttempt, got.Attempts)
	}
	if got := delivery(t, f.s, retried.ID); !got.Unsure {
		t.Error("scheduled again after an error: want unsure, the error may have been no answer")
	}
	if got := delivery(t, f.s, waiting.ID); got.Unsure || got.CalledAttempt != 0 {
		t.Errorf("never tried: unsure %v, CalledAttempt %d; want neither", got.Unsure, got.CalledAttempt)
	}
}
