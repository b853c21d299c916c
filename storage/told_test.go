package storage

import (
	"reflect"
	"testing"
	"time"
)

func TestUntoldDeliveries(t *testing.T) {
	t.Parallel()

	t.Run("AnOutcomeIsUntoldUntilSetTold", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		published := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.CompleteDelivery(t.Context(), published.ID, published.Attempts, "1", "https://example.social/1", t0); err != nil {
			t.Fatal(err)
		}
		failed := f.claimed(t, 1, t0, t0.Add(time.Minute))
		if err := f.s.EndDelivery(t.Context(), failed.ID, failed.Attempts, DeliveryFailed, "HTTP 422", t0); err != nil {
			t.Fatal(err)
		}
		unknown := f.claimed(t, 2, t0, t0.Add(time.Minute))
		if err := f.s.ReleaseDelivery(t.Context(), unknown.ID, DeliveryUnknown, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		untold := func() []int64 {
			t.Helper()
			ds, err := f.s.UntoldDeliveries(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return ids(ds)
		}
		if got, want := untold(), []int64{published.ID, failed.ID, unknown.ID}; !reflect.DeepEqual(got, want) {
			t.Fatalf("UntoldDeliveries = %v, want %v", got, want)
		}
		if err := f.s.SetTold(t.Context(), failed.ID, DeliveryFailed); err != nil {
			t.Fatal(err)
		}
		if got, want := untold(), []int64{published.ID, unknown.ID}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after telling %d: UntoldDeliveries = %v, want %v", failed.ID, got, want)
		}
		if got := delivery(t, f.s, failed.ID).ToldStatus; got != DeliveryFailed {
			t.Errorf("ToldStatus = %q, want failed", got)
		}
	})

	t.Run("InFlightAndCanceledAreNotOutcomesToTell", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		f.claimed(t, 1, t0, t0.Add(time.Minute))
		f.scheduled(t, 0, t0.Add(time.Hour))
		if _, err := f.s.CancelDeliveries(t.Context(), f.post.ID, t0); err != nil {
			t.Fatal(err)
		}
		if ds, err := f.s.UntoldDeliveries(t.Context()); err != nil || len(ds) != 0 {
			t.Errorf("UntoldDeliveries = %v, %v; want none", ids(ds), err)
		}
	})

	t.Run("AnOutcomeThatMovedOnStaysUntold", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.EndDelivery(t.Context(), d.ID, d.Attempts, DeliveryUnknown, "timeout", t0); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ConfirmDelivery(t.Context(), d.ID, "", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// The telling of the unknown outcome comes late: the confirmation
		// is still to be told.
		if err := f.s.SetTold(t.Context(), d.ID, DeliveryUnknown); err != nil {
			t.Fatal(err)
		}
		if ds, _ := f.s.UntoldDeliveries(t.Context()); !reflect.DeepEqual(ids(ds), []int64{d.ID}) {
			t.Errorf("UntoldDeliveries = %v, want [%d]", ids(ds), d.ID)
		}
	})

	t.Run("ARevivedDeliveryHasItsNextOutcomeToTell", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.EndDelivery(t.Context(), d.ID, d.Attempts, DeliveryFailed, "HTTP 503", t0); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetTold(t.Context(), d.ID, DeliveryFailed); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Hour)
		if err := f.s.ReviveDelivery(t.Context(), d.ID, now); err != nil {
			t.Fatal(err)
		}
		again, err := f.s.ClaimDeliveries(t.Context(), now, now.Add(time.Minute), 1)
		if err != nil || len(again) != 1 {
			t.Fatalf("ClaimDeliveries = %v, %v", again, err)
		}
		if err := f.s.EndDelivery(t.Context(), d.ID, again[0].Attempts, DeliveryFailed, "HTTP 503", now); err != nil {
			t.Fatal(err)
		}
		if ds, _ := f.s.UntoldDeliveries(t.Context()); !reflect.DeepEqual(ids(ds), []int64{d.ID}) {
			t.Errorf("UntoldDeliveries = %v, want [%d]: failed again, the new failure is untold", ids(ds), d.ID)
		}
	})
}

func TestMigrationTellsNothingOfWhatEndedBefore(t *testing.T) {
	t.Parallel()
	f := setupDeliveries(t)
	ended := f.claimed(t, 0, t0, t0.Add(time.Minute))
	if err := f.s.CompleteDelivery(t.Context(), ended.ID, ended.Attempts, "1", "u", t0); err != nil {
		t.Fatal(err)
	}
	waiting := f.scheduled(t, 1, t0.Add(time.Hour))
	// The database as it was before told_status, holding these deliveries.
	for _, q := range []string{`ALTER TABLE deliveries DROP COLUMN told_status`, `DELETE FROM schema_migrations WHERE version = 8`} {
		if _, err := f.s.sqlDB.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := f.s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ds, err := f.s.UntoldDeliveries(t.Context()); err != nil || len(ds) != 0 {
		t.Errorf("after the migration, UntoldDeliveries = %v, %v; want none: what had ended was told then", ids(ds), err)
	}
	if got := delivery(t, f.s, ended.ID).ToldStatus; got != DeliveryPublished {
		t.Errorf("ended delivery: ToldStatus = %q, want published", got)
	}
	if got := delivery(t, f.s, waiting.ID).ToldStatus; got != "" {
		t.Errorf("scheduled delivery: ToldStatus = %q, want none", got)
	}
}
