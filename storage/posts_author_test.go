package storage

import (
	"slices"
	"testing"
	"time"
)

func TestPostsByAuthor(t *testing.T) {
	t.Parallel()

	insert := func(t *testing.T, s *Store, author string, created time.Time) int64 {
		t.Helper()
		id, err := s.InsertPost(t.Context(), Post{Text: "x", AuthorID: author, Status: "draft", CreatedAt: created})
		if err != nil {
			t.Fatalf("InsertPost: %v", err)
		}
		return id
	}
	ids := func(posts []Post) []int64 {
		var out []int64
		for _, p := range posts {
			out = append(out, p.ID)
		}
		return out
	}

	t.Run("OnlyTheAuthorsMostRecentlyChangedFirst", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		old := insert(t, s, "UALICE", t0)
		mid := insert(t, s, "UALICE", t0.Add(time.Hour))
		insert(t, s, "UBOB", t0.Add(2*time.Hour))
		recent := insert(t, s, "UALICE", t0.Add(3*time.Hour))
		// The oldest post moves on last: it comes first.
		if err := s.TransitionPost(t.Context(), old, "draft", 1, "pending", t0.Add(4*time.Hour)); err != nil {
			t.Fatalf("TransitionPost: %v", err)
		}
		got, err := s.PostsByAuthor(t.Context(), "UALICE", 10)
		if err != nil {
			t.Fatalf("PostsByAuthor: %v", err)
		}
		if want := []int64{old, recent, mid}; !slices.Equal(ids(got), want) {
			t.Errorf("PostsByAuthor = %v, want %v", ids(got), want)
		}
		if got[0].Status != "pending" || got[0].UpdatedAt != t0.Add(4*time.Hour) {
			t.Errorf("first post = %+v, want it pending, updated at %v", got[0], t0.Add(4*time.Hour))
		}
	})

	t.Run("SameInstantNewestIDFirstAndLimited", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		var all []int64
		for range 5 {
			all = append(all, insert(t, s, "UALICE", t0))
		}
		got, err := s.PostsByAuthor(t.Context(), "UALICE", 3)
		if err != nil {
			t.Fatalf("PostsByAuthor: %v", err)
		}
		if want := []int64{all[4], all[3], all[2]}; !slices.Equal(ids(got), want) {
			t.Errorf("PostsByAuthor = %v, want %v", ids(got), want)
		}
	})

	t.Run("NobodyOrNoRoomIsEmpty", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		insert(t, s, "UALICE", t0)
		for _, tc := range []struct {
			author string
			limit  int
		}{{"", 10}, {"UALICE", 0}, {"UCAROL", 10}} {
			got, err := s.PostsByAuthor(t.Context(), tc.author, tc.limit)
			if err != nil || len(got) != 0 {
				t.Errorf("PostsByAuthor(%q, %d) = %v, %v; want nothing", tc.author, tc.limit, ids(got), err)
			}
		}
	})
}
