package storage

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

// deliveryFixture is a post with accounts to deliver it to.
type deliveryFixture struct {
	s        *Store
	post     Post
	accounts []Account
}

// setupDeliveries opens a database holding one approved post and three
// accounts.
func setupDeliveries(t *testing.T) deliveryFixture {
	t.Helper()
	s := setup(t)
	return deliveryFixture{
		s:    s,
		post: newPost(t, s.queries, Post{Text: "Nouveau billet !", Status: "approved"}),
		accounts: []Account{
			newAccount(t, s.queries, "mastodon", "@catweete@example.social"),
			newAccount(t, s.queries, "bluesky", "catweete.bsky.social"),
			newAccount(t, s.queries, "x", "catweete"),
		},
	}
}

// scheduled stores a scheduled delivery of the fixture's post on account i,
// due at due.
func (f deliveryFixture) scheduled(t *testing.T, i int, due time.Time) Delivery {
	t.Helper()
	return newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[i].ID,
		Status: DeliveryScheduled, DueAt: due, NextAttemptAt: due})
}

func delivery(t *testing.T, s *Store, id int64) Delivery {
	t.Helper()
	d, err := s.Delivery(t.Context(), id)
	if err != nil {
		t.Fatalf("Delivery(%d): %v", id, err)
	}
	return d
}

func ids(ds []Delivery) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func viewIDs(vs []DeliveryView) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// isConstraint reports whether err is SQLite refusing a row for this
// constraint.
func isConstraint(err error, code sqlite3.ErrNoExtended) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == code
}

func TestInsertDelivery(t *testing.T) {
	t.Parallel()

	t.Run("RoundTripsEveryField", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		due := t0.Add(90 * time.Minute)
		id, err := f.s.InsertDelivery(t.Context(), Delivery{
			PostID: f.post.ID, AccountID: f.accounts[1].ID, Status: DeliveryScheduled,
			IdempotencyKey: "7f3a", DueAt: due.Add(400 * time.Millisecond), NextAttemptAt: due, CreatedAt: t0,
		})
		if err != nil {
			t.Fatalf("InsertDelivery: %v", err)
		}
		want := Delivery{ID: id, PostID: f.post.ID, AccountID: f.accounts[1].ID, Status: DeliveryScheduled,
			IdempotencyKey: "7f3a", DueAt: due, NextAttemptAt: due, CreatedAt: t0, UpdatedAt: t0}
		if got := delivery(t, f.s, id); !reflect.DeepEqual(got, want) {
			t.Errorf("Delivery =\n%+v\nwant\n%+v", got, want)
		}
	})

	t.Run("MissingDeliveryIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		if _, err := s.Delivery(t.Context(), 42); !errors.Is(err, ErrNotFound) {
			t.Errorf("Delivery(42) = %v, want ErrNotFound", err)
		}
	})

	t.Run("SamePostOnSameAccountTwiceIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID, IdempotencyKey: "k1"})
		_, err := f.s.InsertDelivery(t.Context(), Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID,
			Status: DeliveryWaiting, IdempotencyKey: "k2", CreatedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintUnique) {
			t.Errorf("second delivery of post on account = %v, want a UNIQUE constraint error", err)
		}
	})

	t.Run("SameIdempotencyKeyTwiceIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID, IdempotencyKey: "k1"})
		_, err := f.s.InsertDelivery(t.Context(), Delivery{PostID: f.post.ID, AccountID: f.accounts[1].ID,
			Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintUnique) {
			t.Errorf("second delivery with key k1 = %v, want a UNIQUE constraint error", err)
		}
	})

	t.Run("MissingPostIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		_, err := f.s.InsertDelivery(t.Context(), Delivery{PostID: 4242, AccountID: f.accounts[0].ID,
			Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintForeignKey) {
			t.Errorf("delivery of a missing post = %v, want a FOREIGN KEY constraint error", err)
		}
	})

	t.Run("MissingAccountIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		_, err := f.s.InsertDelivery(t.Context(), Delivery{PostID: f.post.ID, AccountID: 4242,
			Status: DeliveryWaiting, IdempotencyKey: "k1", CreatedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintForeignKey) {
			t.Errorf("delivery to a missing account = %v, want a FOREIGN KEY constraint error", err)
		}
	})

	t.Run("UnknownStatusIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		_, err := f.s.InsertDelivery(t.Context(), Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID,
			Status: "sent", IdempotencyKey: "k1", CreatedAt: t0})
		if !isConstraint(err, sqlite3.ErrConstraintCheck) {
			t.Errorf("delivery with status sent = %v, want a CHECK constraint error", err)
		}
	})
}

func TestDeliveries(t *testing.T) {
	t.Parallel()

	t.Run("ListsAPostsDeliveriesInAccountOrder", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d2 := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[2].ID})
		d0 := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID})
		other := newPost(t, f.s.queries, Post{Text: "autre"})
		newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[1].ID})
		got, err := f.s.Deliveries(t.Context(), f.post.ID)
		if err != nil {
			t.Fatalf("Deliveries: %v", err)
		}
		if !reflect.DeepEqual(got, []Delivery{d0, d2}) {
			t.Errorf("Deliveries = %v, want [%d %d]", ids(got), d0.ID, d2.ID)
		}
	})
}

func TestScheduleDeliveries(t *testing.T) {
	t.Parallel()

	t.Run("MovesOnlyThePostsWaitingDeliveries", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		w0 := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting})
		w1 := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[1].ID, Status: DeliveryWaiting})
		done := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[2].ID, Status: DeliveryCanceled})
		other := newPost(t, f.s.queries, Post{Text: "autre"})
		otherWaiting := newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting})

		due, at := t0.Add(3*time.Hour), t0.Add(time.Minute)
		n, err := f.s.ScheduleDeliveries(t.Context(), f.post.ID, due, at)
		if err != nil {
			t.Fatalf("ScheduleDeliveries: %v", err)
		}
		if n != 2 {
			t.Errorf("ScheduleDeliveries moved %d, want 2", n)
		}
		for _, w := range []Delivery{w0, w1} {
			got := delivery(t, f.s, w.ID)
			if got.Status != DeliveryScheduled || !got.DueAt.Equal(due) || !got.NextAttemptAt.Equal(due) || !got.UpdatedAt.Equal(at) {
				t.Errorf("delivery %d after schedule: %+v", w.ID, got)
			}
		}
		for _, d := range []Delivery{done, otherWaiting} {
			if got := delivery(t, f.s, d.ID); !reflect.DeepEqual(got, d) {
				t.Errorf("delivery %d changed: %+v, want %+v", d.ID, got, d)
			}
		}

		// Once scheduled, scheduling again moves nothing.
		n, err = f.s.ScheduleDeliveries(t.Context(), f.post.ID, due.Add(time.Hour), at)
		if err != nil || n != 0 {
			t.Errorf("second ScheduleDeliveries = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestCancelDeliveries(t *testing.T) {
	t.Parallel()

	t.Run("CancelsOnlyThoseNotStarted", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		other := newPost(t, f.s.queries, Post{Text: "autre"})
		waiting := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting})
		scheduled := f.scheduled(t, 1, t0)
		publishing := f.scheduled(t, 2, t0.Add(-time.Hour))
		if _, err := f.s.ClaimDeliveries(t.Context(), t0.Add(-time.Hour), t0, 1); err != nil {
			t.Fatal(err)
		}
		publishing = delivery(t, f.s, publishing.ID)
		if publishing.Status != DeliveryPublishing {
			t.Fatalf("fixture: delivery %d is %s, want publishing", publishing.ID, publishing.Status)
		}
		otherWaiting := newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting})

		at := t0.Add(time.Minute)
		n, err := f.s.CancelDeliveries(t.Context(), f.post.ID, at)
		if err != nil {
			t.Fatalf("CancelDeliveries: %v", err)
		}
		if n != 2 {
			t.Errorf("CancelDeliveries canceled %d, want 2", n)
		}
		for _, d := range []Delivery{waiting, scheduled} {
			if got := delivery(t, f.s, d.ID); got.Status != DeliveryCanceled || !got.UpdatedAt.Equal(at) {
				t.Errorf("delivery %d: status %s updated %v, want canceled at %v", d.ID, got.Status, got.UpdatedAt, at)
			}
		}
		for _, d := range []Delivery{publishing, otherWaiting} {
			if got := delivery(t, f.s, d.ID); !reflect.DeepEqual(got, d) {
				t.Errorf("delivery %d changed: %+v, want %+v", d.ID, got, d)
			}
		}
	})
}

func TestClaimDeliveries(t *testing.T) {
	t.Parallel()

	t.Run("ClaimsOnlyDueOnesEarliestFirst", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		posts := []Post{f.post, newPost(t, f.s.queries, Post{Text: "2"}), newPost(t, f.s.queries, Post{Text: "3"})}
		at := func(p, a int, status string, next time.Time) Delivery {
			return newDelivery(t, f.s.queries, Delivery{PostID: posts[p].ID, AccountID: f.accounts[a].ID,
				Status: status, DueAt: next, NextAttemptAt: next})
		}
		tenMinutesAgo := at(0, 0, DeliveryScheduled, t0.Add(-10*time.Minute))
		justNow := at(0, 1, DeliveryScheduled, t0)
		anHourAgo := at(0, 2, DeliveryScheduled, t0.Add(-time.Hour))
		alsoTenMinutesAgo := at(1, 0, DeliveryScheduled, t0.Add(-10*time.Minute))
		inASecond := at(1, 1, DeliveryScheduled, t0.Add(time.Second))
		waiting := at(1, 2, DeliveryWaiting, t0.Add(-time.Hour))
		canceled := at(2, 0, DeliveryCanceled, t0.Add(-time.Hour))

		lease := t0.Add(5 * time.Minute)
		got, err := f.s.ClaimDeliveries(t.Context(), t0, lease, 10)
		if err != nil {
			t.Fatalf("ClaimDeliveries: %v", err)
		}
		want := []int64{anHourAgo.ID, tenMinutesAgo.ID, alsoTenMinutesAgo.ID, justNow.ID}
		if !reflect.DeepEqual(ids(got), want) {
			t.Fatalf("claimed %v, want %v", ids(got), want)
		}
		for _, d := range got {
			if d.Status != DeliveryPublishing || d.Attempts != 1 || !d.LeaseUntil.Equal(lease) || !d.UpdatedAt.Equal(t0) {
				t.Errorf("claimed delivery %+v: want publishing, 1 attempt, lease %v, updated %v", d, lease, t0)
			}
			if stored := delivery(t, f.s, d.ID); !reflect.DeepEqual(stored, d) {
				t.Errorf("stored delivery %+v differs from the claimed one %+v", stored, d)
			}
		}
		for _, d := range []Delivery{inASecond, waiting, canceled} {
			if got := delivery(t, f.s, d.ID); !reflect.DeepEqual(got, d) {
				t.Errorf("unclaimable delivery %d changed: %+v", d.ID, got)
			}
		}
		// Claimed ones are not claimed again.
		again, err := f.s.ClaimDeliveries(t.Context(), t0, lease, 10)
		if err != nil || len(again) != 0 {
			t.Errorf("second ClaimDeliveries = %v, %v; want nothing", ids(again), err)
		}
	})

	t.Run("RespectsTheLimit", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		a := newAccount(t, s.queries, "mastodon", "@catweete@example.social")
		var want []int64
		for i := range 5 {
			p := newPost(t, s.queries, Post{})
			// Later posts are due earlier.
			d := newDelivery(t, s.queries, Delivery{PostID: p.ID, AccountID: a.ID, Status: DeliveryScheduled,
				NextAttemptAt: t0.Add(-time.Duration(i) * time.Minute)})
			want = append([]int64{d.ID}, want...)
		}
		var got []int64
		for _, n := range []int{2, 2, 1, 0} {
			ds, err := s.ClaimDeliveries(t.Context(), t0, t0.Add(time.Minute), 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != n {
				t.Fatalf("ClaimDeliveries(limit 2) returned %d, want %d", len(ds), n)
			}
			got = append(got, ids(ds)...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("claimed in order %v, want %v", got, want)
		}
	})

	t.Run("NothingDueGivesNothing", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		f.scheduled(t, 0, t0.Add(time.Hour))
		got, err := f.s.ClaimDeliveries(t.Context(), t0, t0.Add(time.Minute), 10)
		if err != nil || len(got) != 0 {
			t.Errorf("ClaimDeliveries = %v, %v; want nothing", ids(got), err)
		}
	})

	t.Run("CountsEveryAttempt", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.scheduled(t, 0, t0)
		for attempt := 1; attempt <= 3; attempt++ {
			now := t0.Add(time.Duration(attempt) * time.Minute)
			ds, err := f.s.ClaimDeliveries(t.Context(), now, now.Add(time.Minute), 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 || ds[0].Attempts != attempt {
				t.Fatalf("claim %d: %+v, want one delivery at attempt %d", attempt, ds, attempt)
			}
			if err := f.s.RetryDelivery(t.Context(), d.ID, ds[0].Attempts, now, "HTTP 503", now); err != nil {
				t.Fatal(err)
			}
		}
	})

	// Eight dispatchers loop on 200 due deliveries. The first variant shares
	// one Store, as the program does; the second gives each its own Store
	// on the same file, as separate processes would.
	for _, ownStore := range []bool{false, true} {
		name := "ConcurrentClaimersOnOnePoolNeverShareADelivery"
		if ownStore {
			name = "ConcurrentClaimersEachWithItsOwnStoreNeverShareADelivery"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "catweete.db")
			shared := openFile(t, path)
			ctx := t.Context()
			const total, claimers = 200, 8
			var accounts []Account
			for i := range 4 {
				accounts = append(accounts, newAccount(t, shared.queries, "mastodon", fmt.Sprintf("@a%d@example.social", i)))
			}
			err := shared.WithTx(ctx, func(tx *Tx) error {
				for i := range total / len(accounts) {
					postID, err := tx.InsertPost(ctx, Post{Text: "p", AuthorID: "U1", Status: "approved", CreatedAt: t0})
					if err != nil {
						return err
					}
					for j, a := range accounts {
						_, err := tx.InsertDelivery(ctx, Delivery{PostID: postID, AccountID: a.ID, Status: DeliveryScheduled,
							IdempotencyKey: fmt.Sprintf("k-%d-%d", i, j), NextAttemptAt: t0.Add(-time.Duration(i%7) * time.Second), CreatedAt: t0})
						if err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			start := make(chan struct{})
			claimed := make([][]Delivery, claimers)
			errs := make([]error, claimers)
			var wg sync.WaitGroup
			for i := range claimers {
				s := shared
				if ownStore {
					s = openFile(t, path)
				}
				wg.Go(func() {
					<-start
					for {
						ds, err := s.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 7)
						if err != nil {
							errs[i] = err
							return
						}
						if len(ds) == 0 {
							return
						}
						claimed[i] = append(claimed[i], ds...)
					}
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("claimer %d: %v", i, err)
				}
			}
			seen := map[int64]int{}
			for i, ds := range claimed {
				for _, d := range ds {
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %d and by %d", d.ID, prev, i)
					}
					seen[d.ID] = i
					if d.Attempts != 1 || d.Status != DeliveryPublishing {
						t.Errorf("claimed delivery %d: status %s, attempts %d", d.ID, d.Status, d.Attempts)
					}
				}
			}
			if len(seen) != total {
				t.Errorf("%d deliveries claimed, want %d", len(seen), total)
			}
			left, err := shared.DeliveriesInState(ctx, total, DeliveryScheduled)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 0 {
				t.Errorf("%d deliveries still scheduled", len(left))
			}
		})
	}
}

// claimed stores a delivery and claims it at now with a lease until
// leaseUntil.
func (f deliveryFixture) claimed(t *testing.T, i int, now, leaseUntil time.Time) Delivery {
	t.Helper()
	d := f.scheduled(t, i, now)
	ds, err := f.s.ClaimDeliveries(t.Context(), now, leaseUntil, 1)
	if err != nil {
		t.Fatalf("ClaimDeliveries: %v", err)
	}
	if len(ds) != 1 || ds[0].ID != d.ID {
		t.Fatalf("fixture: claimed %v, want [%d]", ids(ds), d.ID)
	}
	return ds[0]
}

func TestCompleteDelivery(t *testing.T) {
	t.Parallel()

	t.Run("RecordsThePublication", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		at := t0.Add(20 * time.Second)
		if err := f.s.CompleteDelivery(t.Context(), d.ID, d.Attempts, "1099", "https://example.social/@catweete/1099", at); err != nil {
			t.Fatalf("CompleteDelivery: %v", err)
		}
		got := delivery(t, f.s, d.ID)
		want := d
		want.Status, want.RemoteID, want.RemoteURL = DeliveryPublished, "1099", "https://example.social/@catweete/1099"
		want.PublishedAt, want.UpdatedAt, want.LeaseUntil = at, at, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after complete:\n%+v\nwant\n%+v", got, want)
		}
	})

	t.Run("ClearsTheErrorOfAnEarlierAttempt", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.RetryDelivery(t.Context(), d.ID, d.Attempts, t0, "HTTP 503", t0); err != nil {
			t.Fatal(err)
		}
		again, err := f.s.ClaimDeliveries(t.Context(), t0, t0.Add(time.Minute), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0].ID != d.ID {
			t.Fatalf("re-claim = %v, want [%d]", ids(again), d.ID)
		}
		if err := f.s.CompleteDelivery(t.Context(), d.ID, again[0].Attempts, "1", "u", t0); err != nil {
			t.Fatal(err)
		}
		if got := delivery(t, f.s, d.ID); got.LastError != "" || got.Attempts != 2 {
			t.Errorf("last error %q attempts %d, want none and 2", got.LastError, got.Attempts)
		}
	})

	t.Run("OnlyAClaimedDeliveryCanComplete", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		scheduled := f.scheduled(t, 0, t0.Add(time.Hour))
		done := f.claimed(t, 1, t0, t0.Add(time.Minute))
		if err := f.s.CompleteDelivery(t.Context(), done.ID, done.Attempts, "1", "u", t0); err != nil {
			t.Fatal(err)
		}
		// Each is refused for its status, with the attempt number it holds.
		for _, c := range []struct {
			id      int64
			attempt int
		}{{scheduled.ID, scheduled.Attempts}, {done.ID, done.Attempts}, {4242, 1}} {
			id := c.id
			if err := f.s.CompleteDelivery(t.Context(), id, c.attempt, "2", "v", t0); !errors.Is(err, ErrConflict) {
				t.Errorf("CompleteDelivery(%d) = %v, want ErrConflict", id, err)
			}
		}
		if got := delivery(t, f.s, done.ID); got.RemoteID != "1" {
			t.Errorf("remote id = %q, want the first one", got.RemoteID)
		}
	})
}

func TestRetryDelivery(t *testing.T) {
	t.Parallel()

	t.Run("PutsItBackInTheScheduleWithTheError", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		next, at := t0.Add(2*time.Minute), t0.Add(10*time.Second)
		if err := f.s.RetryDelivery(t.Context(), d.ID, d.Attempts, next, "HTTP 429", at); err != nil {
			t.Fatalf("RetryDelivery: %v", err)
		}
		got := delivery(t, f.s, d.ID)
		if got.Status != DeliveryScheduled || !got.NextAttemptAt.Equal(next) || !got.LeaseUntil.IsZero() ||
			got.LastError != "HTTP 429" || !got.UpdatedAt.Equal(at) || got.Attempts != 1 || !got.DueAt.Equal(d.DueAt) {
			t.Errorf("after retry: %+v", got)
		}
		if ds, _ := f.s.ClaimDeliveries(t.Context(), next.Add(-time.Second), next, 10); len(ds) != 0 {
			t.Errorf("claimed %v before its next attempt", ids(ds))
		}
		if ds, _ := f.s.ClaimDeliveries(t.Context(), next, next.Add(time.Minute), 10); len(ds) != 1 {
			t.Errorf("claimed %v at its next attempt, want [%d]", ids(ds), d.ID)
		}
	})

	t.Run("OnlyAClaimedDeliveryCanRetry", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		scheduled := f.scheduled(t, 0, t0.Add(time.Hour))
		for _, c := range []struct {
			id      int64
			attempt int
		}{{scheduled.ID, scheduled.Attempts}, {4242, 1}} {
			id := c.id
			if err := f.s.RetryDelivery(t.Context(), id, c.attempt, t0, "x", t0); !errors.Is(err, ErrConflict) {
				t.Errorf("RetryDelivery(%d) = %v, want ErrConflict", id, err)
			}
		}
		if got := delivery(t, f.s, scheduled.ID); !reflect.DeepEqual(got, scheduled) {
			t.Errorf("delivery changed: %+v", got)
		}
	})
}

func TestEndDelivery(t *testing.T) {
	t.Parallel()

	t.Run("EndsAsFailedOrUnknownWithTheReason", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		failed := f.claimed(t, 0, t0, t0.Add(time.Minute))
		unknown := f.claimed(t, 1, t0, t0.Add(time.Minute))
		at := t0.Add(time.Second)
		if err := f.s.EndDelivery(t.Context(), failed.ID, failed.Attempts, DeliveryFailed, "HTTP 401", at); err != nil {
			t.Fatalf("EndDelivery failed: %v", err)
		}
		if err := f.s.EndDelivery(t.Context(), unknown.ID, unknown.Attempts, DeliveryUnknown, "crash", at); err != nil {
			t.Fatalf("EndDelivery unknown: %v", err)
		}
		for _, c := range []struct {
			id             int64
			status, reason string
		}{{failed.ID, DeliveryFailed, "HTTP 401"}, {unknown.ID, DeliveryUnknown, "crash"}} {
			got := delivery(t, f.s, c.id)
			if got.Status != c.status || got.LastError != c.reason || !got.LeaseUntil.IsZero() || !got.UpdatedAt.Equal(at) {
				t.Errorf("delivery %d: %+v, want %s with %q", c.id, got, c.status, c.reason)
			}
		}
		// A final state is not claimed again.
		if ds, _ := f.s.ClaimDeliveries(t.Context(), t0.Add(time.Hour), t0.Add(2*time.Hour), 10); len(ds) != 0 {
			t.Errorf("claimed ended deliveries %v", ids(ds))
		}
	})

	t.Run("OnlyAClaimedDeliveryCanEnd", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		scheduled := f.scheduled(t, 0, t0.Add(time.Hour))
		ended := f.claimed(t, 1, t0, t0.Add(time.Minute))
		if err := f.s.EndDelivery(t.Context(), ended.ID, ended.Attempts, DeliveryFailed, "HTTP 422", t0); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id      int64
			attempt int
		}{{scheduled.ID, scheduled.Attempts}, {ended.ID, ended.Attempts}, {4242, 1}} {
			id := c.id
			if err := f.s.EndDelivery(t.Context(), id, c.attempt, DeliveryFailed, "x", t0); !errors.Is(err, ErrConflict) {
				t.Errorf("EndDelivery(%d) = %v, want ErrConflict", id, err)
			}
		}
	})

	t.Run("UnknownStatusIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		err := f.s.EndDelivery(t.Context(), d.ID, d.Attempts, "lost", "x", t0)
		if !isConstraint(err, sqlite3.ErrConstraintCheck) {
			t.Errorf("EndDelivery as lost = %v, want a CHECK constraint error", err)
		}
		if got := delivery(t, f.s, d.ID); got.Status != DeliveryPublishing {
			t.Errorf("status = %s, want publishing", got.Status)
		}
	})
}

func TestExpiredLeases(t *testing.T) {
	t.Parallel()

	t.Run("ListsClaimsWhoseLeaseRanOut", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		other := newPost(t, f.s.queries, Post{Text: "autre"})
		expired := f.claimed(t, 0, t0, t0.Add(time.Minute))
		expiresNow := f.claimed(t, 1, t0, t0.Add(2*time.Minute))
		live := f.claimed(t, 2, t0, t0.Add(3*time.Minute))
		finished := newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[0].ID, Status: DeliveryScheduled, NextAttemptAt: t0})
		claimedFinished, err := f.s.ClaimDeliveries(t.Context(), t0, t0.Add(time.Minute), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimedFinished) != 1 || claimedFinished[0].ID != finished.ID {
			t.Fatalf("fixture: claimed %v, want [%d]", ids(claimedFinished), finished.ID)
		}
		if err := f.s.CompleteDelivery(t.Context(), finished.ID, claimedFinished[0].Attempts, "1", "u", t0); err != nil {
			t.Fatal(err)
		}

		got, err := f.s.ExpiredLeases(t.Context(), t0.Add(2*time.Minute))
		if err != nil {
			t.Fatalf("ExpiredLeases: %v", err)
		}
		if want := []int64{expired.ID, expiresNow.ID}; !reflect.DeepEqual(ids(got), want) {
			t.Errorf("ExpiredLeases = %v, want %v (not the live %d nor the finished %d)", ids(got), want, live.ID, finished.ID)
		}
		if got, _ := f.s.ExpiredLeases(t.Context(), t0); len(got) != 0 {
			t.Errorf("ExpiredLeases before any lease ran out = %v", ids(got))
		}
	})
}

func TestReleaseDelivery(t *testing.T) {
	t.Parallel()

	t.Run("BackToScheduledItIsClaimedAgain", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		now := t0.Add(5 * time.Minute)
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryScheduled, now); err != nil {
			t.Fatalf("ReleaseDelivery: %v", err)
		}
		got := delivery(t, f.s, d.ID)
		if got.Status != DeliveryScheduled || !got.LeaseUntil.IsZero() || !got.NextAttemptAt.Equal(now) || !got.UpdatedAt.Equal(now) {
			t.Errorf("after release: %+v", got)
		}
		ds, err := f.s.ClaimDeliveries(t.Context(), now, now.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].ID != d.ID || ds[0].Attempts != 2 {
			t.Errorf("re-claim = %+v, want delivery %d at attempt 2", ds, d.ID)
		}
	})

	t.Run("ToUnknownItWaitsForAPerson", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		now := t0.Add(time.Minute)
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryUnknown, now); err != nil {
			t.Fatalf("ReleaseDelivery: %v", err)
		}
		if got := delivery(t, f.s, d.ID); got.Status != DeliveryUnknown || !got.LeaseUntil.IsZero() {
			t.Errorf("after release: %+v", got)
		}
		if ds, _ := f.s.ClaimDeliveries(t.Context(), now.Add(time.Hour), now.Add(2*time.Hour), 10); len(ds) != 0 {
			t.Errorf("claimed an unknown delivery: %v", ids(ds))
		}
		if ds, _ := f.s.ExpiredLeases(t.Context(), now.Add(time.Hour)); len(ds) != 0 {
			t.Errorf("unknown delivery still listed as an expired lease: %v", ids(ds))
		}
	})

	t.Run("LateCompletionAfterAReleaseIsConflict", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		now := t0.Add(2 * time.Minute)
		expired, err := f.s.ExpiredLeases(t.Context(), now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(expired), []int64{d.ID}) {
			t.Fatalf("ExpiredLeases = %v, want [%d]", ids(expired), d.ID)
		}
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryUnknown, now); err != nil {
			t.Fatal(err)
		}
		if err := f.s.CompleteDelivery(t.Context(), d.ID, d.Attempts, "1", "u", now.Add(time.Second)); !errors.Is(err, ErrConflict) {
			t.Errorf("late CompleteDelivery = %v, want ErrConflict", err)
		}
		if err := f.s.RetryDelivery(t.Context(), d.ID, d.Attempts, now, "late", now); !errors.Is(err, ErrConflict) {
			t.Errorf("late RetryDelivery = %v, want ErrConflict", err)
		}
		if got := delivery(t, f.s, d.ID); got.Status != DeliveryUnknown || got.RemoteID != "" {
			t.Errorf("after late completion: %+v, want unknown with no remote id", got)
		}
	})

	t.Run("ReleaseAfterACompletionIsConflict", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		// The publisher finishes after its lease ran out but before any
		// recovery: its result stands.
		if err := f.s.CompleteDelivery(t.Context(), d.ID, d.Attempts, "1", "u", t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryScheduled, t0.Add(2*time.Minute)); !errors.Is(err, ErrConflict) {
			t.Errorf("ReleaseDelivery = %v, want ErrConflict", err)
		}
		if got := delivery(t, f.s, d.ID); got.Status != DeliveryPublished {
			t.Errorf("status = %s, want published", got.Status)
		}
	})

	t.Run("LiveLeaseIsConflict", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		d := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if err := f.s.ReleaseDelivery(t.Context(), d.ID, DeliveryScheduled, t0.Add(59*time.Second)); !errors.Is(err, ErrConflict) {
			t.Errorf("ReleaseDelivery before the lease ran out = %v, want ErrConflict", err)
		}
		if got := delivery(t, f.s, d.ID); got.Status != DeliveryPublishing {
			t.Errorf("status = %s, want publishing", got.Status)
		}
	})

	t.Run("LateResultOfAnEarlierClaimIsConflictOnceClaimedAgain", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		ctx := t.Context()
		// Publisher A claims (attempt 1), hangs past its lease; recovery
		// releases the delivery and publisher B claims it (attempt 2).
		a := f.claimed(t, 0, t0, t0.Add(time.Minute))
		if a.Attempts != 1 {
			t.Fatalf("A's claim is attempt %d, want 1", a.Attempts)
		}
		now := t0.Add(2 * time.Minute)
		if err := f.s.ReleaseDelivery(ctx, a.ID, DeliveryScheduled, now); err != nil {
			t.Fatalf("ReleaseDelivery: %v", err)
		}
		claimedByB, err := f.s.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimedByB) != 1 || claimedByB[0].ID != a.ID || claimedByB[0].Attempts != 2 {
			t.Fatalf("B's claim = %+v, want delivery %d at attempt 2", claimedByB, a.ID)
		}
		b := claimedByB[0]
		if got := delivery(t, f.s, b.ID); !reflect.DeepEqual(got, b) {
			t.Fatalf("stored delivery %+v differs from B's claim %+v", got, b)
		}

		// A wakes up: whatever it reports, B's claim stands. Both are in
		// publishing, so only the attempt number tells them apart.
		late := now.Add(10 * time.Second)
		if err := f.s.CompleteDelivery(ctx, a.ID, a.Attempts, "from-A", "https://example/A", late); !errors.Is(err, ErrConflict) {
			t.Errorf("A's late CompleteDelivery = %v, want ErrConflict", err)
		}
		if err := f.s.RetryDelivery(ctx, a.ID, a.Attempts, late.Add(time.Hour), "A timed out", late); !errors.Is(err, ErrConflict) {
			t.Errorf("A's late RetryDelivery = %v, want ErrConflict", err)
		}
		for _, status := range []string{DeliveryFailed, DeliveryUnknown} {
			if err := f.s.EndDelivery(ctx, a.ID, a.Attempts, status, "A gave up", late); !errors.Is(err, ErrConflict) {
				t.Errorf("A's late EndDelivery as %s = %v, want ErrConflict", status, err)
			}
		}
		if got := delivery(t, f.s, b.ID); !reflect.DeepEqual(got, b) {
			t.Errorf("after A's late results:\n%+v\nwant B's claim untouched\n%+v", got, b)
		}

		// Nor is any attempt number but B's accepted.
		for _, wrong := range []int{0, b.Attempts + 1, -1} {
			if err := f.s.CompleteDelivery(ctx, b.ID, wrong, "x", "u", late); !errors.Is(err, ErrConflict) {
				t.Errorf("CompleteDelivery at attempt %d = %v, want ErrConflict", wrong, err)
			}
			if err := f.s.RetryDelivery(ctx, b.ID, wrong, late, "x", late); !errors.Is(err, ErrConflict) {
				t.Errorf("RetryDelivery at attempt %d = %v, want ErrConflict", wrong, err)
			}
			if err := f.s.EndDelivery(ctx, b.ID, wrong, DeliveryFailed, "x", late); !errors.Is(err, ErrConflict) {
				t.Errorf("EndDelivery at attempt %d = %v, want ErrConflict", wrong, err)
			}
		}
		if got := delivery(t, f.s, b.ID); !reflect.DeepEqual(got, b) {
			t.Errorf("after wrong attempt numbers:\n%+v\nwant B's claim untouched\n%+v", got, b)
		}

		// B's own result goes through.
		done := late.Add(time.Second)
		if err := f.s.CompleteDelivery(ctx, b.ID, b.Attempts, "from-B", "https://example/B", done); err != nil {
			t.Fatalf("B's CompleteDelivery: %v", err)
		}
		want := b
		want.Status, want.RemoteID, want.RemoteURL = DeliveryPublished, "from-B", "https://example/B"
		want.PublishedAt, want.UpdatedAt, want.LeaseUntil, want.LastError = done, done, time.Time{}, ""
		if got := delivery(t, f.s, b.ID); !reflect.DeepEqual(got, want) {
			t.Errorf("after B's completion:\n%+v\nwant\n%+v", got, want)
		}
		// And A, later still, cannot undo it.
		if err := f.s.CompleteDelivery(ctx, a.ID, a.Attempts, "from-A", "https://example/A", done.Add(time.Second)); !errors.Is(err, ErrConflict) {
			t.Errorf("A's CompleteDelivery after B's = %v, want ErrConflict", err)
		}
		if got := delivery(t, f.s, b.ID); got.RemoteID != "from-B" {
			t.Errorf("remote id = %q, want B's", got.RemoteID)
		}
	})

	// Whatever B does with its claim, A's late result of each kind is
	// refused first.
	for _, outcome := range []string{"Retry", "End"} {
		t.Run("LateResultOfAnEarlierClaimIsConflictThen"+outcome+"OfTheNewOneGoesThrough", func(t *testing.T) {
			t.Parallel()
			f := setupDeliveries(t)
			ctx := t.Context()
			a := f.claimed(t, 0, t0, t0.Add(time.Minute))
			now := t0.Add(2 * time.Minute)
			if err := f.s.ReleaseDelivery(ctx, a.ID, DeliveryScheduled, now); err != nil {
				t.Fatal(err)
			}
			ds, err := f.s.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
			if err != nil || len(ds) != 1 || ds[0].Attempts != a.Attempts+1 {
				t.Fatalf("B's claim = %+v, %v; want one delivery at attempt %d", ds, err, a.Attempts+1)
			}
			b := ds[0]
			if err := f.s.CompleteDelivery(ctx, a.ID, a.Attempts, "from-A", "u", now); !errors.Is(err, ErrConflict) {
				t.Errorf("A's late CompleteDelivery = %v, want ErrConflict", err)
			}
			if err := f.s.RetryDelivery(ctx, a.ID, a.Attempts, now, "A", now); !errors.Is(err, ErrConflict) {
				t.Errorf("A's late RetryDelivery = %v, want ErrConflict", err)
			}
			if err := f.s.EndDelivery(ctx, a.ID, a.Attempts, DeliveryUnknown, "A", now); !errors.Is(err, ErrConflict) {
				t.Errorf("A's late EndDelivery = %v, want ErrConflict", err)
			}
			at := now.Add(time.Second)
			switch outcome {
			case "Retry":
				if err := f.s.RetryDelivery(ctx, b.ID, b.Attempts, at.Add(time.Hour), "HTTP 503", at); err != nil {
					t.Fatalf("B's RetryDelivery: %v", err)
				}
				if got := delivery(t, f.s, b.ID); got.Status != DeliveryScheduled || got.LastError != "HTTP 503" ||
					!got.NextAttemptAt.Equal(at.Add(time.Hour)) || got.Attempts != 2 {
					t.Errorf("after B's retry: %+v", got)
				}
			case "End":
				if err := f.s.EndDelivery(ctx, b.ID, b.Attempts, DeliveryFailed, "HTTP 401", at); err != nil {
					t.Fatalf("B's EndDelivery: %v", err)
				}
				if got := delivery(t, f.s, b.ID); got.Status != DeliveryFailed || got.LastError != "HTTP 401" || got.Attempts != 2 {
					t.Errorf("after B's end: %+v", got)
				}
			}
		})
	}
}

func TestNextAttempt(t *testing.T) {
	t.Parallel()

	t.Run("NothingScheduledGivesFalse", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting, NextAttemptAt: t0})
		next, ok, err := f.s.NextAttempt(t.Context())
		if err != nil || ok || !next.IsZero() {
			t.Errorf("NextAttempt = %v, %v, %v; want zero, false, nil", next, ok, err)
		}
	})

	t.Run("GivesTheEarliestScheduledAttempt", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		f.scheduled(t, 0, t0.Add(time.Hour))
		f.scheduled(t, 1, t0.Add(30*time.Minute))
		f.scheduled(t, 2, t0.Add(2*time.Hour))
		next, ok, err := f.s.NextAttempt(t.Context())
		if err != nil || !ok || !next.Equal(t0.Add(30*time.Minute)) || next.Location() != time.UTC {
			t.Errorf("NextAttempt = %v, %v, %v; want %v, true, nil", next, ok, err, t0.Add(30*time.Minute))
		}
		// Once the earliest is claimed, the next one comes up.
		if _, err := f.s.ClaimDeliveries(t.Context(), t0.Add(30*time.Minute), t0.Add(31*time.Minute), 10); err != nil {
			t.Fatal(err)
		}
		next, ok, err = f.s.NextAttempt(t.Context())
		if err != nil || !ok || !next.Equal(t0.Add(time.Hour)) {
			t.Errorf("NextAttempt after a claim = %v, %v, %v; want %v, true, nil", next, ok, err, t0.Add(time.Hour))
		}
	})
}

func TestPublishedSince(t *testing.T) {
	t.Parallel()

	t.Run("ListsPublishedOnesMostRecentFirstWithTheirPostAndAccount", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		other := newPost(t, f.s.queries, Post{Text: "Deuxième billet"})
		publish := func(postID int64, account int, at time.Time) Delivery {
			d := newDelivery(t, f.s.queries, Delivery{PostID: postID, AccountID: f.accounts[account].ID,
				Status: DeliveryScheduled, NextAttemptAt: t0.Add(-24 * time.Hour)})
			ds, err := f.s.ClaimDeliveries(t.Context(), t0.Add(-24*time.Hour), t0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 1 || ds[0].ID != d.ID {
				t.Fatalf("fixture: claimed %v, want [%d]", ids(ds), d.ID)
			}
			if err := f.s.CompleteDelivery(t.Context(), d.ID, ds[0].Attempts, fmt.Sprint(d.ID), "https://example/"+fmt.Sprint(d.ID), at); err != nil {
				t.Fatal(err)
			}
			return delivery(t, f.s, d.ID)
		}
		tooOld := publish(f.post.ID, 0, t0.Add(-time.Second))
		atSince := publish(f.post.ID, 1, t0)
		latest := publish(other.ID, 2, t0.Add(2*time.Hour))
		middle := publish(other.ID, 0, t0.Add(time.Hour))
		failed := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[2].ID, Status: DeliveryFailed})

		got, err := f.s.PublishedSince(t.Context(), t0, 10)
		if err != nil {
			t.Fatalf("PublishedSince: %v", err)
		}
		want := []DeliveryView{
			{Delivery: latest, PostText: "Deuxième billet", Network: "x", Handle: "catweete"},
			{Delivery: middle, PostText: "Deuxième billet", Network: "mastodon", Handle: "@catweete@example.social"},
			{Delivery: atSince, PostText: "Nouveau billet !", Network: "bluesky", Handle: "catweete.bsky.social"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PublishedSince =\n%+v\nwant\n%+v\n(not the older %d nor the failed %d)", got, want, tooOld.ID, failed.ID)
		}

		got, err = f.s.PublishedSince(t.Context(), t0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(viewIDs(got), []int64{latest.ID, middle.ID}) {
			t.Errorf("PublishedSince(limit 2) = %v, want [%d %d]", viewIDs(got), latest.ID, middle.ID)
		}
	})
}

func TestDeliveriesInState(t *testing.T) {
	t.Parallel()

	t.Run("FiltersOnTheStatesEarliestAttemptFirstWithTheirPostAndAccount", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		other := newPost(t, f.s.queries, Post{Text: "Deuxième billet"})
		// Ordered by next attempt, else due time, else creation time.
		byNextAttempt := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID,
			Status: DeliveryScheduled, DueAt: t0.Add(-time.Hour), NextAttemptAt: t0.Add(3 * time.Hour)})
		byDue := newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[1].ID,
			Status: DeliveryUnknown, DueAt: t0.Add(2 * time.Hour)})
		byCreation := newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[2].ID,
			Status: DeliveryFailed, CreatedAt: t0.Add(time.Hour)})
		newDelivery(t, f.s.queries, Delivery{PostID: other.ID, AccountID: f.accounts[0].ID, Status: DeliveryWaiting, CreatedAt: t0.Add(-time.Hour)})
		newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[2].ID, Status: DeliveryCanceled, CreatedAt: t0.Add(-time.Hour)})

		got, err := f.s.DeliveriesInState(t.Context(), 10, DeliveryScheduled, DeliveryFailed, DeliveryUnknown)
		if err != nil {
			t.Fatalf("DeliveriesInState: %v", err)
		}
		want := []DeliveryView{
			{Delivery: byCreation, PostText: "Deuxième billet", Network: "x", Handle: "catweete"},
			{Delivery: byDue, PostText: "Nouveau billet !", Network: "bluesky", Handle: "catweete.bsky.social"},
			{Delivery: byNextAttempt, PostText: "Nouveau billet !", Network: "mastodon", Handle: "@catweete@example.social"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DeliveriesInState =\n%+v\nwant\n%+v", got, want)
		}

		got, err = f.s.DeliveriesInState(t.Context(), 1, DeliveryScheduled, DeliveryFailed, DeliveryUnknown)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(viewIDs(got), []int64{byCreation.ID}) {
			t.Errorf("DeliveriesInState(limit 1) = %v, want [%d]", viewIDs(got), byCreation.ID)
		}

		got, err = f.s.DeliveriesInState(t.Context(), 10, DeliveryUnknown)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(viewIDs(got), []int64{byDue.ID}) {
			t.Errorf("DeliveriesInState(unknown) = %v, want [%d]", viewIDs(got), byDue.ID)
		}
	})

	t.Run("NoStateGivesNothing", func(t *testing.T) {
		t.Parallel()
		f := setupDeliveries(t)
		newDelivery(t, f.s.queries, Delivery{PostID: f.post.ID, AccountID: f.accounts[0].ID})
		got, err := f.s.DeliveriesInState(t.Context(), 10)
		if err != nil || len(got) != 0 {
			t.Errorf("DeliveriesInState() = %v, %v; want nothing", viewIDs(got), err)
		}
	})
}
