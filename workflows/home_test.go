package workflows

import (
	"slices"
	"testing"
	"time"
)

func TestPostsBy(t *testing.T) {
	t.Parallel()

	t.Run("EachPostSaysWhereItStandsWhenAndWhere", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, required: 2})
		ctx := t.Context()
		published := f.draft(t, "UALICE", "Publié")
		for _, u := range []string{"UA", "UB"} {
			if _, err := f.svc.Approve(ctx, published.ID, 1, u); err != nil {
				t.Fatal(err)
			}
		}
		f.round(t)
		publishedAt := f.clock.Now()
		f.clock.Advance(time.Minute)

		pending := f.draft(t, "UALICE", "En attente")
		if _, err := f.svc.Approve(ctx, pending.ID, 1, "UA"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		changes := f.draft(t, "UALICE", "À revoir")
		if _, err := f.svc.RequestChanges(ctx, changes.ID, 1, "UB", "Trop long"); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		tomorrow := f.clock.Now().Add(24 * time.Hour)
		scheduled, err := f.svc.Draft(ctx, DraftRequest{AuthorID: "UALICE", Text: "Demain", PublishAt: tomorrow, OriginChannel: "C"})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"UA", "UB"} {
			if _, err := f.svc.Approve(ctx, scheduled.ID, 1, u); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(time.Minute)
		f.draft(t, "UBOB", "Pas à Alice")

		got, err := f.svc.PostsBy(ctx, "UALICE")
		if err != nil {
			t.Fatalf("PostsBy: %v", err)
		}
		var ids []int64
		for _, p := range got {
			ids = append(ids, p.Post.ID)
		}
		if want := []int64{scheduled.ID, changes.ID, pending.ID, published.ID}; !slices.Equal(ids, want) {
			t.Fatalf("PostsBy = %v, want %v (most recently changed first)", ids, want)
		}
		byID := func(id int64) AuthoredPost { return got[slices.Index(ids, id)] }

		if p := byID(published.ID); p.Post.Status != StatusPublished || len(p.Links) != 1 || p.Links[0].URL == "" ||
			p.Links[0].Network != "Mastodon" || !p.At.Equal(publishedAt) {
			t.Errorf("published post = %+v; want its link and time %v", p, publishedAt)
		}
		if p := byID(pending.ID); !slices.Equal(p.Approvals, []string{"UA"}) || p.Required != 2 || !p.At.IsZero() {
			t.Errorf("pending post = %+v; want UA's approval of 2, no time", p)
		}
		if p := byID(changes.ID); p.Decision == nil || p.Decision.ActorID != "UB" || p.Decision.Reason != "Trop long" ||
			p.Decision.Action != ActionRequestChanges {
			t.Errorf("post sent back = %+v, decision %+v", p, p.Decision)
		}
		if p := byID(scheduled.ID); p.Post.Status != StatusApproved || !p.At.Equal(tomorrow) || len(p.Links) != 0 {
			t.Errorf("scheduled post = %+v; want it approved for %v", p, tomorrow)
		}
	})

	t.Run("OldFinishedPostsDropOutOldOpenOnesStay", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		ctx := t.Context()
		old := f.draft(t, "UALICE", "Vieux rejet")
		if _, err := f.svc.Reject(ctx, old.ID, 1, "UB", "Non"); err != nil {
			t.Fatal(err)
		}
		forgotten := f.draft(t, "UALICE", "Toujours en attente")
		f.clock.Advance(HomeWindow + time.Hour)
		recent := f.draft(t, "UALICE", "Récent")
		if _, err := f.svc.Reject(ctx, recent.ID, 1, "UB", "Pas maintenant"); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.PostsBy(ctx, "UALICE")
		if err != nil {
			t.Fatalf("PostsBy: %v", err)
		}
		if len(got) != 2 || got[0].Post.ID != recent.ID || got[1].Post.ID != forgotten.ID {
			t.Fatalf("PostsBy = %+v; want the recent rejection and the old pending post", got)
		}
		if d := got[0].Decision; d == nil || d.Action != ActionReject || d.Reason != "Pas maintenant" {
			t.Errorf("rejection = %+v", d)
		}
	})

	t.Run("NobodysPostsIsEmpty", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.draft(t, "UBOB", "Pas à Alice")
		got, err := f.svc.PostsBy(t.Context(), "UALICE")
		if err != nil || len(got) != 0 {
			t.Fatalf("PostsBy = %+v, %v; want nothing", got, err)
		}
	})
}

func TestAwaitingDecisionBy(t *testing.T) {
	t.Parallel()

	t.Run("NotTheirOwnNorWhatTheyAlreadyApproved", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"UA", "UB", "SAPPROVERS"}, required: 2})
		ctx := t.Context()
		mine := f.draft(t, "UA", "Le mien")
		approved := f.draft(t, "UAUTHOR", "Déjà approuvé par UA")
		if _, err := f.svc.Approve(ctx, approved.ID, 1, "UA"); err != nil {
			t.Fatal(err)
		}
		waiting := f.draft(t, "UAUTHOR", "Attend UA")

		got, approver, err := f.svc.AwaitingDecisionBy(ctx, "UA")
		if err != nil || !approver {
			t.Fatalf("AwaitingDecisionBy(UA) = %v, %v", approver, err)
		}
		if len(got) != 1 || got[0].Post.ID != waiting.ID {
			t.Errorf("UA waits on %+v; want only post %d", got, waiting.ID)
		}
		// UB may decide on all three; a member of the group too.
		for _, u := range []string{"UB", "UGROUPIE"} {
			got, approver, err = f.svc.AwaitingDecisionBy(ctx, u)
			if err != nil || !approver || len(got) != 3 || got[0].Post.ID != mine.ID {
				t.Errorf("AwaitingDecisionBy(%s) = %d posts, %v, %v; want 3, oldest first", u, len(got), approver, err)
			}
		}
	})

	t.Run("SomeoneWhoMayNotApproveWaitsOnNothing", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"UA"}})
		f.draft(t, "UAUTHOR", "En attente")
		got, approver, err := f.svc.AwaitingDecisionBy(t.Context(), "UCOLLEAGUE")
		if err != nil || approver || len(got) != 0 {
			t.Fatalf("AwaitingDecisionBy = %+v, %v, %v; want nothing, not an approver", got, approver, err)
		}
	})
}
