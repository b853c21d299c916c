package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/storage"
)

func TestDraft(t *testing.T) {
	t.Parallel()
	t.Run("StoresAPendingPostWithWaitingDeliveriesAndShowsTheCard", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "  Bonjour le monde  \r\n")
		if p.Status != StatusPending || p.Version != 1 || p.Text != "Bonjour le monde" {
			t.Fatalf("post = %+v", p)
		}
		if p.CardTS == "" || p.CardChannel != "CAPPROVALS" {
			t.Fatalf("card not recorded: %+v", p)
		}
		ds, err := f.store.Deliveries(t.Context(), p.ID)
		if err != nil || len(ds) != 1 || ds[0].Status != storage.DeliveryWaiting || ds[0].IdempotencyKey == "" {
			t.Fatalf("deliveries = %+v, %v", ds, err)
		}
		log, _ := f.store.AuditLog(t.Context(), p.ID)
		if len(log) != 2 || log[0].Action != ActionCreate || log[1].To != StatusPending {
			t.Fatalf("audit = %+v", log)
		}
	})
	tests := []struct {
		name string
		text string
		want error
	}{
		{"EmptyTextRefused", "   \n ", ErrEmptyText},
		{"TooLongTextRefused", strings.Repeat("é", 501), &TooLongError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{})
			_, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "U1", Text: tt.text})
			var tooLong *TooLongError
			if !errors.Is(err, tt.want) && !(errors.As(tt.want, &tooLong) && errors.As(err, &tooLong)) {
				t.Fatalf("Draft = %v, want %v", err, tt.want)
			}
			if posts, _ := f.store.PostsByStatus(t.Context(), 10, StatusPending); len(posts) != 0 {
				t.Fatalf("a refused draft left %d posts", len(posts))
			}
		})
	}
	t.Run("PastTimeRefused", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		_, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "U1", Text: "x", PublishAt: f.clock.Now().Add(-time.Minute)})
		if !errors.Is(err, ErrPastTime) {
			t.Fatalf("Draft = %v, want ErrPastTime", err)
		}
	})
	t.Run("CardFailureKeepsThePostAndSaysSo", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.notifier.failCards = true
		p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "U1", Text: "x", OriginChannel: "C1"})
		if err == nil || p.ID == 0 {
			t.Fatalf("Draft = %+v, %v; want the post and an error", p, err)
		}
		f.notifier.failCards = false
		if _, err := f.svc.Approve(t.Context(), p.ID, 1, "U2"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.store.Post(t.Context(), p.ID); got.CardTS == "" {
			t.Fatal("the card was not posted at the next change")
		}
	})
}

func TestApprovalPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		approvers []string
		required  int
		clicks    []string // approvers clicking in order, on version 1
		wantErrs  []error  // per click; nil for success
		approved  bool
	}{
		{"AnyoneButTheAuthorWhenNoApproversListed", nil, 1, []string{"USOMEONE"}, []error{nil}, true},
		{"AuthorNeverApprovesTheirOwnPost", nil, 1, []string{"UAUTHOR"}, []error{ErrSelfApproval}, false},
		{"AuthorRefusedEvenWhenListed", []string{"UAUTHOR", "UA"}, 1, []string{"UAUTHOR"}, []error{ErrSelfApproval}, false},
		{"NonApproverRefused", []string{"UA"}, 1, []string{"UB"}, []error{ErrNotApprover}, false},
		{"ListedApproverApproves", []string{"UA"}, 1, []string{"UA"}, []error{nil}, true},
		{"GroupMemberApproves", []string{"SAPPROVERS"}, 1, []string{"UGROUPIE"}, []error{nil}, true},
		{"NonMemberOfTheGroupRefused", []string{"SAPPROVERS"}, 1, []string{"UA"}, []error{ErrNotApprover}, false},
		{"TwoDistinctApprovalsNeeded", []string{"UA", "UB"}, 2, []string{"UA", "UB"}, []error{nil, nil}, true},
		{"OneApprovalOfTwoIsNotEnough", []string{"UA", "UB"}, 2, []string{"UA"}, []error{nil}, false},
		{"SameApproverTwiceCountsOnce", []string{"UA", "UB"}, 2, []string{"UA", "UA"}, []error{nil, ErrAlreadyApproved}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{approvers: tt.approvers, required: tt.required})
			p := f.draft(t, "UAUTHOR", "Nouveau site en ligne")
			for i, user := range tt.clicks {
				_, err := f.svc.Approve(t.Context(), p.ID, 1, user)
				if !errors.Is(err, tt.wantErrs[i]) {
					t.Fatalf("click %d by %s: %v, want %v", i, user, err, tt.wantErrs[i])
				}
			}
			got, _ := f.store.Post(t.Context(), p.ID)
			if (got.Status == StatusApproved) != tt.approved {
				t.Fatalf("status = %s, approved want %v", got.Status, tt.approved)
			}
			ds, _ := f.store.Deliveries(t.Context(), p.ID)
			scheduled := ds[0].Status == storage.DeliveryScheduled
			if scheduled != tt.approved {
				t.Fatalf("delivery = %s, scheduled want %v", ds[0].Status, tt.approved)
			}
		})
	}
}

func TestApprovalsBindToTheVersion(t *testing.T) {
	t.Parallel()
	f := setup(t, options{approvers: []string{"UA", "UB"}, required: 2})
	p := f.draft(t, "UAUTHOR", "Version un")
	if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UA"); err != nil {
		t.Fatal(err)
	}
	edited, err := f.svc.Edit(t.Context(), p.ID, 1, "UAUTHOR", "Version deux")
	if err != nil {
		t.Fatal(err)
	}
	if edited.Version != 2 || edited.Status != StatusPending {
		t.Fatalf("after edit: %+v", edited)
	}
	// A click on the card drawn before the edit is stale.
	var moved *MovedOnError
	if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UB"); !errors.As(err, &moved) || moved.Action != ActionEdit {
		t.Fatalf("stale approval = %v, want MovedOnError by an edit", err)
	}
	res, err := f.svc.Approve(t.Context(), p.ID, 2, "UB")
	if err != nil || res.Approved || res.Count != 1 {
		t.Fatalf("first approval of v2 = %+v, %v; UA's approval of v1 must not count", res, err)
	}
	res, err = f.svc.Approve(t.Context(), p.ID, 2, "UA")
	if err != nil || !res.Approved {
		t.Fatalf("second approval of v2 = %+v, %v", res, err)
	}
	if kinds := f.notifier.kinds(); !containsKind(kinds, EventEdited) {
		t.Fatalf("events %v: no edit announced", kinds)
	}
	var diff []DiffOp
	for _, e := range f.notifier.events {
		if e.Kind == EventEdited {
			diff = e.Diff
		}
	}
	if len(diff) != 3 || diff[1].Kind != DiffRemove || diff[1].Text != "un" || diff[2].Text != "deux" {
		t.Fatalf("diff = %+v", diff)
	}
}

func containsKind(ks []EventKind, k EventKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func TestConcurrentApprovers(t *testing.T) {
	t.Parallel()
	f := setup(t, options{approvers: []string{"UA", "UB", "UC", "UD"}})
	for round := range 5 {
		p := f.draft(t, "UAUTHOR", "Post "+string(rune('A'+round)))
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, u := range []string{"UA", "UB", "UC", "UD"} {
			wg.Go(func() { _, errs[i] = f.svc.Approve(context.Background(), p.ID, 1, u) })
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			var moved *MovedOnError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &moved):
				if moved.ActorID == "" || moved.Status != StatusApproved {
					t.Fatalf("loser told %+v: must name who was first", moved)
				}
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d winners, want 1 (%v)", round, wins, errs)
		}
		log, _ := f.store.AuditLog(t.Context(), p.ID)
		approvedRows := 0
		for _, e := range log {
			if e.To == StatusApproved {
				approvedRows++
			}
		}
		if approvedRows != 1 {
			t.Fatalf("%d audit rows to approved, want 1", approvedRows)
		}
	}
}

func TestDecisions(t *testing.T) {
	t.Parallel()
	t.Run("ReasonRequired", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "x")
		if _, err := f.svc.Reject(t.Context(), p.ID, 1, "UA", "  "); !errors.Is(err, ErrReasonRequired) {
			t.Fatalf("Reject = %v", err)
		}
	})
	t.Run("RejectCancelsDeliveriesAndRecordsTheReason", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "x")
		got, err := f.svc.Reject(t.Context(), p.ID, 1, "UA", "Hors charte")
		if err != nil || got.Status != StatusRejected {
			t.Fatalf("Reject = %+v, %v", got, err)
		}
		ds, _ := f.store.Deliveries(t.Context(), p.ID)
		if ds[0].Status != storage.DeliveryCanceled {
			t.Fatalf("delivery %s", ds[0].Status)
		}
		card := f.notifier.lastCard()
		if card.Decision == nil || card.Decision.Reason != "Hors charte" || card.Decision.ActorID != "UA" {
			t.Fatalf("card decision %+v", card.Decision)
		}
		// The same modal submitted twice.
		var moved *MovedOnError
		if _, err := f.svc.Reject(t.Context(), p.ID, 1, "UA", "Hors charte"); !errors.As(err, &moved) {
			t.Fatalf("second Reject = %v, want MovedOnError", err)
		}
	})
	t.Run("ChangesRequestedThenEditedGoesBackToPending", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "Texte avec une faute")
		if _, err := f.svc.RequestChanges(t.Context(), p.ID, 1, "UA", "Une faute"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(t.Context(), p.ID, 1, "UB"); err == nil {
			t.Fatal("approved a post waiting for changes")
		}
		if _, err := f.svc.Edit(t.Context(), p.ID, 1, "UOTHER", "x"); !errors.Is(err, ErrNotAuthor) {
			t.Fatalf("Edit by someone else = %v", err)
		}
		if _, err := f.svc.Edit(t.Context(), p.ID, 1, "UAUTHOR", "Texte avec une faute"); !errors.Is(err, ErrUnchanged) {
			t.Fatalf("unchanged Edit = %v", err)
		}
		got, err := f.svc.Edit(t.Context(), p.ID, 1, "UAUTHOR", "Texte corrigé")
		if err != nil || got.Status != StatusPending || got.Version != 2 {
			t.Fatalf("Edit = %+v, %v", got, err)
		}
	})
	t.Run("AuthorCannotRejectTheirOwnPost", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := f.draft(t, "UAUTHOR", "x")
		if _, err := f.svc.Reject(t.Context(), p.ID, 1, "UAUTHOR", "r"); !errors.Is(err, ErrSelfApproval) {
			t.Fatalf("Reject = %v", err)
		}
	})
	t.Run("CancelByAuthorOrApproverOnly", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"UA"}})
		p := f.draft(t, "UAUTHOR", "x")
		if _, err := f.svc.Cancel(t.Context(), p.ID, "UNOBODY"); !errors.Is(err, ErrNotApprover) {
			t.Fatalf("Cancel by a stranger = %v", err)
		}
		if _, err := f.svc.Cancel(t.Context(), p.ID, "UAUTHOR"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(t.Context(), 999, "UAUTHOR"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Cancel of a missing post = %v", err)
		}
	})
}

func TestStatePersistsAcrossARestart(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/catweete.db"
	f := setup(t, options{path: path})
	p := f.draft(t, "UAUTHOR", "Avant le redémarrage")
	f.store.Close()
	g := setup(t, options{path: path})
	res, err := g.svc.Approve(t.Context(), p.ID, 1, "UA")
	if err != nil || !res.Approved {
		t.Fatalf("approval after restart = %+v, %v", res, err)
	}
}
