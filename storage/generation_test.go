package storage

import (
	"errors"
	"testing"
	"time"
)

func TestGenerationMovesAfterEachCommittedWrite(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := t.Context()
	step := func(name string, moves bool, do func() error) {
		t.Helper()
		before := s.Generation()
		if err := do(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if after := s.Generation(); (after != before) != moves {
			t.Errorf("%s: generation %d → %d; moved = %v, want %v", name, before, after, after != before, moves)
		}
	}
	var post Post
	step("InsertPost", true, func() (err error) {
		post = newPost(t, s.queries, Post{})
		return nil
	})
	step("Post (a read)", false, func() error { _, err := s.Post(ctx, post.ID); return err })
	step("PostsByStatus (a read)", false, func() error { _, err := s.PostsByStatus(ctx, 10, "pending"); return err })
	step("UpsertAccount (INSERT … RETURNING)", true, func() error {
		_, err := s.UpsertAccount(ctx, Account{Network: "mastodon", Handle: "@cat", DisplayName: "Mastodon", CreatedAt: t0})
		return err
	})
	step("ClaimDeliveries (UPDATE … RETURNING)", true, func() error {
		_, err := s.ClaimDeliveries(ctx, t0, t0.Add(time.Minute), 10)
		return err
	})

	// Inside a transaction, nothing moves until the commit.
	inside := s.Generation()
	step("WithTx", true, func() error {
		return s.WithTx(ctx, func(tx *Tx) error {
			if err := tx.TransitionPost(ctx, post.ID, "pending", post.Version, "approved", t0); err != nil {
				return err
			}
			if got := s.Generation(); got != inside {
				t.Errorf("generation moved to %d inside the transaction, before its commit", got)
			}
			return nil
		})
	})
	errRolledBack := errors.New("rolled back")
	step("WithTx rolled back", false, func() error {
		err := s.WithTx(ctx, func(tx *Tx) error {
			if err := tx.TransitionPost(ctx, post.ID, "approved", post.Version, "canceled", t0); err != nil {
				return err
			}
			return errRolledBack
		})
		if !errors.Is(err, errRolledBack) {
			return err
		}
		return nil
	})
}
