package storage

import (
	"context"
	"maps"
	"path/filepath"
	"testing"
	"time"
)

func TestDeliveryCounts(t *testing.T) {
	t.Parallel()

	t.Run("EveryStateAtZeroWhenEmpty", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		got, err := s.DeliveryCounts(t.Context())
		if err != nil {
			t.Fatalf("DeliveryCounts: %v", err)
		}
		want := map[string]int{}
		for _, state := range DeliveryStates() {
			want[state] = 0
		}
		if !maps.Equal(got, want) {
			t.Errorf("DeliveryCounts = %v, want %v", got, want)
		}
	})

	t.Run("GroupedByState", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		ctx := t.Context()
		accounts := []Account{
			newAccount(t, s.queries, "mastodon", "@catweete@example.social"),
			newAccount(t, s.queries, "bluesky", "catweete.bsky.social"),
			newAccount(t, s.queries, "x", "catweete"),
		}
		// Three posts on three accounts: nine deliveries, in four states.
		states := [][]string{
			{DeliveryPublished, DeliveryPublished, DeliveryFailed},
			{DeliveryScheduled, DeliveryScheduled, DeliveryScheduled},
			{DeliveryWaiting, DeliveryPublished, DeliveryUnknown},
		}
		for _, row := range states {
			p := newPost(t, s.queries, Post{Status: "approved"})
			for i, state := range row {
				newDelivery(t, s.queries, Delivery{PostID: p.ID, AccountID: accounts[i].ID, Status: state,
					DueAt: t0, NextAttemptAt: t0})
			}
		}
		got, err := s.DeliveryCounts(ctx)
		if err != nil {
			t.Fatalf("DeliveryCounts: %v", err)
		}
		want := map[string]int{
			DeliveryWaiting: 1, DeliveryScheduled: 3, DeliveryPublishing: 0, DeliveryPublished: 3,
			DeliveryFailed: 1, DeliveryUnknown: 1, DeliveryCanceled: 0,
		}
		if !maps.Equal(got, want) {
			t.Errorf("DeliveryCounts = %v, want %v", got, want)
		}

		// A claim moves what is due to publishing: the counts follow the
		// table, with nothing to keep in step.
		if _, err := s.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 2); err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		got, err = s.DeliveryCounts(ctx)
		if err != nil {
			t.Fatalf("DeliveryCounts: %v", err)
		}
		want[DeliveryScheduled], want[DeliveryPublishing] = 1, 2
		if !maps.Equal(got, want) {
			t.Errorf("after a claim of two, DeliveryCounts = %v, want %v", got, want)
		}
	})
}

func TestDueDeliveries(t *testing.T) {
	t.Parallel()
	f := setupDeliveries(t)
	ctx := t.Context()
	f.scheduled(t, 0, t0.Add(-time.Minute))
	f.scheduled(t, 1, t0)
	f.scheduled(t, 2, t0.Add(time.Second))

	for _, tc := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"NoneBeforeTheFirst", t0.Add(-2 * time.Minute), 0},
		{"DueAtItsSecond", t0, 2},
		{"AllOnceTheLastIsDue", t0.Add(time.Hour), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.s.DueDeliveries(ctx, tc.now)
			if err != nil {
				t.Fatalf("DueDeliveries: %v", err)
			}
			if got != tc.want {
				t.Errorf("DueDeliveries(%s) = %d, want %d", tc.now.Format(time.TimeOnly), got, tc.want)
			}
		})
	}

	t.Run("ClaimedOnesAreNotDue", func(t *testing.T) {
		if _, err := f.s.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 1); err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		got, err := f.s.DueDeliveries(ctx, t0)
		if err != nil {
			t.Fatalf("DueDeliveries: %v", err)
		}
		if got != 1 {
			t.Errorf("after a claim of one of two due, DueDeliveries = %d, want 1", got)
		}
	})
}

// BenchmarkScrapeCounts100k is what one scrape of GET /metrics asks the
// database, over the dispatcher benchmarks' queue (101,000 deliveries):
//
//	go test -run '^$' -bench ScrapeCounts100k -count 3 ./storage
func BenchmarkScrapeCounts100k(b *testing.B) {
	template := seedBenchTemplate(b, benchFuture, benchDue, 3)
	s := openBenchCopy(b, template, filepath.Join(b.TempDir(), "scrape.db"))
	defer s.Close()
	ctx := context.Background()
	for b.Loop() {
		counts, err := s.DeliveryCounts(ctx)
		if err != nil || counts[DeliveryScheduled] != benchFuture+benchDue {
			b.Fatalf("DeliveryCounts: %v, %v", counts, err)
		}
		if due, err := s.DueDeliveries(ctx, benchNow); err != nil || due != benchDue {
			b.Fatalf("DueDeliveries: %d, %v", due, err)
		}
	}
}
