package storage

import (
	"errors"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestPost(t *testing.T) {
	t.Parallel()

	t.Run("RoundTripsEveryFieldWithTimesInUTCToTheSecond", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Skipf("no tzdata: %v", err)
		}
		publishAt := time.Date(2025, time.March, 30, 2, 30, 0, 0, time.UTC) // the night Paris springs forward
		createdAt := time.Date(2025, time.March, 14, 10, 30, 15, 987654321, paris)
		id, err := s.InsertPost(t.Context(), Post{
			Text:          "Alors, ça tweete ? 🐦",
			AuthorID:      "U0AUTHOR",
			Status:        "draft",
			PublishAt:     publishAt.In(paris).Add(123 * time.Millisecond),
			OriginChannel: "C0ORIGIN",
			CreatedAt:     createdAt,
		})
		if err != nil {
			t.Fatalf("InsertPost: %v", err)
		}
		got, err := s.Post(t.Context(), id)
		if err != nil {
			t.Fatalf("Post: %v", err)
		}
		want := Post{
			ID:            id,
			Text:          "Alors, ça tweete ? 🐦",
			AuthorID:      "U0AUTHOR",
			Status:        "draft",
			Version:       1,
			PublishAt:     publishAt,
			OriginChannel: "C0ORIGIN",
			CreatedAt:     time.Date(2025, time.March, 14, 9, 30, 15, 0, time.UTC),
			UpdatedAt:     time.Date(2025, time.March, 14, 9, 30, 15, 0, time.UTC),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Post =\n%+v\nwant\n%+v", got, want)
		}
		for name, tm := range map[string]time.Time{"PublishAt": got.PublishAt, "CreatedAt": got.CreatedAt, "UpdatedAt": got.UpdatedAt} {
			if tm.Location() != time.UTC {
				t.Errorf("%s is in %v, want UTC", name, tm.Location())
			}
		}
	})

	t.Run("ZeroPublishAtStaysZero", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		if !p.PublishAt.IsZero() {
			t.Errorf("PublishAt = %v, want zero", p.PublishAt)
		}
		var isNull bool
		if err := s.sqlDB.QueryRowContext(t.Context(), `SELECT publish_at IS NULL FROM posts WHERE id = ?`, p.ID).Scan(&isNull); err != nil {
			t.Fatal(err)
		}
		if !isNull {
			t.Error("publish_at stored as a value, want NULL")
		}
	})

	t.Run("KeepsAGivenVersion", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Version: 3})
		if p.Version != 3 {
			t.Errorf("Version = %d, want 3", p.Version)
		}
	})

	t.Run("MissingPostIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.Post(t.Context(), 42)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Post(42) = %v, want ErrNotFound", err)
		}
	})

	t.Run("UnknownStatusIsRefused", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		_, err := s.InsertPost(t.Context(), Post{Text: "x", AuthorID: "U1", Status: "lost", CreatedAt: t0})
		if err == nil {
			t.Error("InsertPost with status lost succeeded, want a CHECK error")
		}
	})
}

func TestTransitionPost(t *testing.T) {
	t.Parallel()

	t.Run("MovesTheStatusAndStampsUpdatedAt", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "pending"})
		later := t0.Add(time.Hour)
		if err := s.TransitionPost(t.Context(), p.ID, "pending", 1, "approved", later); err != nil {
			t.Fatalf("TransitionPost: %v", err)
		}
		got, err := s.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != "approved" || got.Version != 1 || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(t0) {
			t.Errorf("after transition: status %s, version %d, created %v, updated %v; want approved, 1, %v, %v",
				got.Status, got.Version, got.CreatedAt, got.UpdatedAt, t0, later)
		}
	})

	t.Run("WrongStatusIsConflict", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "rejected"})
		err := s.TransitionPost(t.Context(), p.ID, "pending", 1, "approved", t0)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("TransitionPost = %v, want ErrConflict", err)
		}
		if got, _ := s.Post(t.Context(), p.ID); got.Status != "rejected" {
			t.Errorf("status = %s, want rejected", got.Status)
		}
	})

	t.Run("WrongVersionIsConflict", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "pending", Version: 2})
		err := s.TransitionPost(t.Context(), p.ID, "pending", 1, "approved", t0)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("TransitionPost = %v, want ErrConflict", err)
		}
		if got, _ := s.Post(t.Context(), p.ID); got.Status != "pending" {
			t.Errorf("status = %s, want pending", got.Status)
		}
	})

	t.Run("MissingPostIsConflict", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		err := s.TransitionPost(t.Context(), 42, "pending", 1, "approved", t0)
		if !errors.Is(err, ErrConflict) {
			t.Errorf("TransitionPost = %v, want ErrConflict", err)
		}
	})

	// Twenty approvers click at once. The first variant shares one Store,
	// as the program does; the second gives each its own Store (its own
	// connection pool) on the same file, as separate processes would.
	for _, ownStore := range []bool{false, true} {
		name := "OneOfTwentyRacersOnOnePoolWins"
		if ownStore {
			name = "OneOfTwentyRacersEachWithItsOwnStoreWins"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "catweete.db")
			shared := openFile(t, path)
			p := newPost(t, shared.queries, Post{Status: "pending"})
			const racers = 20
			stores := make([]*Store, racers)
			for i := range stores {
				stores[i] = shared
				if ownStore {
					stores[i] = openFile(t, path)
				}
			}
			start := make(chan struct{})
			errs := make([]error, racers)
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Go(func() {
					<-start
					errs[i] = s.WithTx(t.Context(), func(tx *Tx) error {
						if err := tx.TransitionPost(t.Context(), p.ID, "pending", 1, "approved", t0); err != nil {
							return err
						}
						return tx.InsertAudit(t.Context(), AuditEntry{PostID: p.ID, ActorID: "U" + string(rune('A'+i)),
							Action: "approve", From: "pending", To: "approved", Version: 1, At: t0})
					})
				})
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, err := range errs {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, ErrConflict):
				default:
					t.Errorf("racer %d: %v, want nil or ErrConflict", i, err)
				}
			}
			if wins != 1 {
				t.Errorf("%d racers won, want exactly 1", wins)
			}
			log, err := shared.AuditLog(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != 1 {
				t.Errorf("%d audit entries, want 1", len(log))
			}
			if got, _ := shared.Post(t.Context(), p.ID); got.Status != "approved" {
				t.Errorf("status = %s, want approved", got.Status)
			}
		})
	}
}

func TestReviseText(t *testing.T) {
	t.Parallel()

	t.Run("BumpsTheVersionAndSetsTextAndStatus", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "changes_requested", Text: "v1"})
		later := t0.Add(time.Minute)
		v, err := s.ReviseText(t.Context(), p.ID, "changes_requested", 1, "v2", "pending", later)
		if err != nil {
			t.Fatalf("ReviseText: %v", err)
		}
		if v != 2 {
			t.Errorf("ReviseText returned version %d, want 2", v)
		}
		got, err := s.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != "v2" || got.Status != "pending" || got.Version != 2 || !got.UpdatedAt.Equal(later) {
			t.Errorf("after revise: %+v", got)
		}
	})

	t.Run("StaleVersionIsConflictAndLeavesTheTextAlone", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "pending", Text: "v1"})
		if _, err := s.ReviseText(t.Context(), p.ID, "pending", 1, "v2", "pending", t0); err != nil {
			t.Fatal(err)
		}
		_, err := s.ReviseText(t.Context(), p.ID, "pending", 1, "v2 bis", "pending", t0)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("second ReviseText at version 1 = %v, want ErrConflict", err)
		}
		if got, _ := s.Post(t.Context(), p.ID); got.Text != "v2" || got.Version != 2 {
			t.Errorf("text %q version %d, want v2 and 2", got.Text, got.Version)
		}
	})

	t.Run("WrongStatusIsConflict", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "published"})
		_, err := s.ReviseText(t.Context(), p.ID, "pending", 1, "late edit", "pending", t0)
		if !errors.Is(err, ErrConflict) {
			t.Errorf("ReviseText = %v, want ErrConflict", err)
		}
	})

	t.Run("ApprovalsOfTheOldVersionNoLongerCount", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{Status: "pending"})
		if _, err := s.InsertApproval(t.Context(), Approval{PostID: p.ID, Version: p.Version, UserID: "U0APPROVER", ApprovedAt: t0}); err != nil {
			t.Fatal(err)
		}
		v, err := s.ReviseText(t.Context(), p.ID, "pending", p.Version, "edited", "pending", t0)
		if err != nil {
			t.Fatal(err)
		}
		as, err := s.Approvals(t.Context(), p.ID, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 0 {
			t.Errorf("%d approvals of version %d, want 0", len(as), v)
		}
	})
}

func TestPostsByStatus(t *testing.T) {
	t.Parallel()

	t.Run("FiltersOnTheStatusesAndListsOldestFirst", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		// Inserted out of age order; two share a creation time and are
		// then in id order.
		c := newPost(t, s.queries, Post{Text: "c", Status: "pending", CreatedAt: t0.Add(2 * time.Hour)})
		a := newPost(t, s.queries, Post{Text: "a", Status: "approved", CreatedAt: t0})
		newPost(t, s.queries, Post{Text: "draft", Status: "draft", CreatedAt: t0.Add(-time.Hour)})
		b1 := newPost(t, s.queries, Post{Text: "b1", Status: "pending", CreatedAt: t0.Add(time.Hour)})
		b2 := newPost(t, s.queries, Post{Text: "b2", Status: "approved", CreatedAt: t0.Add(time.Hour)})
		newPost(t, s.queries, Post{Text: "gone", Status: "rejected", CreatedAt: t0.Add(-2 * time.Hour)})

		got, err := s.PostsByStatus(t.Context(), 10, "pending", "approved")
		if err != nil {
			t.Fatalf("PostsByStatus: %v", err)
		}
		want := []Post{a, b1, b2, c}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PostsByStatus =\n%v\nwant\n%v", texts(got), texts(want))
		}

		got, err = s.PostsByStatus(t.Context(), 10, "pending")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, []Post{b1, c}) {
			t.Errorf("PostsByStatus(pending) = %v, want [b1 c]", texts(got))
		}
	})

	t.Run("RespectsTheLimit", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		for i := range 5 {
			newPost(t, s.queries, Post{Text: string(rune('a' + i)), Status: "pending", CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		}
		got, err := s.PostsByStatus(t.Context(), 2, "pending")
		if err != nil {
			t.Fatal(err)
		}
		if ts := texts(got); !reflect.DeepEqual(ts, []string{"a", "b"}) {
			t.Errorf("PostsByStatus(limit 2) = %v, want [a b]", ts)
		}
	})

	t.Run("NoStatusOrNoMatchGivesNoPosts", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		newPost(t, s.queries, Post{Status: "pending"})
		for _, statuses := range [][]string{nil, {"failed"}} {
			got, err := s.PostsByStatus(t.Context(), 10, statuses...)
			if err != nil {
				t.Fatalf("PostsByStatus(%v): %v", statuses, err)
			}
			if len(got) != 0 {
				t.Errorf("PostsByStatus(%v) = %v, want none", statuses, texts(got))
			}
		}
	})
}

func texts(ps []Post) []string {
	ts := make([]string, len(ps))
	for i, p := range ps {
		ts[i] = p.Text
	}
	return ts
}

func TestSetPostCard(t *testing.T) {
	t.Parallel()

	t.Run("RecordsWhereTheCardIs", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		if err := s.SetPostCard(t.Context(), p.ID, "C0APPROVALS", "1710408600.000100"); err != nil {
			t.Fatalf("SetPostCard: %v", err)
		}
		got, err := s.Post(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CardChannel != "C0APPROVALS" || got.CardTS != "1710408600.000100" {
			t.Errorf("card = %q %q, want C0APPROVALS 1710408600.000100", got.CardChannel, got.CardTS)
		}
		if got.Status != p.Status || got.Version != p.Version || !got.UpdatedAt.Equal(p.UpdatedAt) {
			t.Errorf("SetPostCard changed more than the card: %+v", got)
		}
		// Setting the same card again is not a conflict.
		if err := s.SetPostCard(t.Context(), p.ID, "C0APPROVALS", "1710408600.000100"); err != nil {
			t.Errorf("SetPostCard again: %v", err)
		}
	})

	t.Run("MissingPostIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		err := s.SetPostCard(t.Context(), 42, "C0APPROVALS", "1.2")
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("SetPostCard(42) = %v, want ErrNotFound", err)
		}
	})
}
