package commands

import (
	"context"
	"strings"
	"testing"

	"catweete/workflows"
)

func TestInteractions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	draft := func(t *testing.T, f *fixture, text string) workflows.Post {
		t.Helper()
		p, err := f.svc.Draft(ctx, workflows.DraftRequest{AuthorID: "U1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("SecondApproverIsToldWhoWasFirst", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		if got := f.router.Approve(ctx, "U2", p.ID, p.Version); got != "" {
			t.Errorf("first approval = %q, want nothing (the card says it)", got)
		}
		want := "Trop tard : le post n°1 a déjà été approuvé par <@U2>."
		if got := f.router.Approve(ctx, "U3", p.ID, p.Version); got != want {
			t.Errorf("second approval = %q, want %q", got, want)
		}
	})
	t.Run("TheAuthorCannotApprove", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		want := "Vous êtes l'auteur de ce post : un autre approbateur doit le valider."
		if got := f.router.Approve(ctx, "U1", p.ID, p.Version); got != want {
			t.Errorf("self approval = %q, want %q", got, want)
		}
	})
	t.Run("ApprovalsAreCountedThenNotTwice", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{required: 2})
		p := draft(t, f, "Bonjour")
		if got, want := f.router.Approve(ctx, "U2", p.ID, p.Version), "Votre approbation du post n°1 est comptée (1/2)."; got != want {
			t.Errorf("first approval = %q, want %q", got, want)
		}
		if got, want := f.router.Approve(ctx, "U2", p.ID, p.Version), "Vous avez déjà approuvé cette version du post n°1."; got != want {
			t.Errorf("same approver again = %q, want %q", got, want)
		}
	})
	t.Run("AnApprovalOfAnOldVersionIsToldOfTheEdit", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		if got := f.router.Edit(ctx, "U1", p.ID, p.Version, "Bonjour à tous"); got != "" {
			t.Fatalf("Edit = %q", got)
		}
		want := "Le post n°1 a été modifié depuis (version 2) : relisez la carte à jour."
		if got := f.router.Approve(ctx, "U2", p.ID, p.Version); got != want {
			t.Errorf("approval of version 1 = %q, want %q", got, want)
		}
	})
	t.Run("DecisionsNeedAReason", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		for name, got := range map[string]string{
			"RequestChanges": f.router.RequestChanges(ctx, "U2", p.ID, p.Version, "  "),
			"Reject":         f.router.Reject(ctx, "U2", p.ID, p.Version, ""),
		} {
			if want := "Merci d'indiquer une raison."; got != want {
				t.Errorf("%s without reason = %q, want %q", name, got, want)
			}
		}
		if got := f.router.Reject(ctx, "U2", p.ID, p.Version, "Hors sujet"); got != "" {
			t.Errorf("Reject = %q", got)
		}
		if got := f.router.CheckDecision(ctx, "U3", p.ID, p.Version, true); !strings.Contains(got, "rejeté par <@U2>") {
			t.Errorf("CheckDecision after a rejection = %q", got)
		}
	})
	t.Run("OnlyTheAuthorEdits", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		want := "Seul l'auteur du post peut le modifier."
		if got := f.router.Edit(ctx, "U2", p.ID, p.Version, "Autre"); got != want {
			t.Errorf("Edit by another = %q, want %q", got, want)
		}
		if _, got := f.router.CheckEditor(ctx, "U2", p.ID); got != want {
			t.Errorf("CheckEditor by another = %q, want %q", got, want)
		}
		if post, got := f.router.CheckEditor(ctx, "U1", p.ID); got != "" || post.ID != p.ID {
			t.Errorf("CheckEditor by the author = %+v, %q", post, got)
		}
		if got, want := f.router.Edit(ctx, "U1", p.ID, p.Version, "Bonjour"), "Le texte n'a pas changé."; got != want {
			t.Errorf("Edit unchanged = %q, want %q", got, want)
		}
	})
	t.Run("ChecksSayWhatIsWrongWithTheText", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		long := strings.Repeat("é", 501)
		for name, tt := range map[string]struct{ got, want string }{
			"CheckDraftEmpty":   {f.router.CheckDraft(" \n", nil), "Le texte est vide : il faut quelque chose à publier."},
			"CheckDraftLong":    {f.router.CheckDraft(long, nil), "Trop long pour Mastodon : 501/500 caractères."},
			"CheckDraftFine":    {f.router.CheckDraft("Salut", nil), ""},
			"CheckDraftAccount": {f.router.CheckDraft("Salut", []int64{99}), "Aucun compte configuré pour publier."},
			"CheckEditEmpty":    {f.router.CheckEdit(ctx, "U1", p.ID, "  "), "Le texte est vide : il faut quelque chose à publier."},
			"CheckEditLong":     {f.router.CheckEdit(ctx, "U1", p.ID, long), "Trop long pour Mastodon : 501/500 caractères."},
			"CheckEditFine":     {f.router.CheckEdit(ctx, "U1", p.ID, "Salut"), ""},
		} {
			if tt.got != tt.want {
				t.Errorf("%s = %q, want %q", name, tt.got, tt.want)
			}
		}
	})
	t.Run("CancelFromTheCard", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		p := draft(t, f, "Bonjour")
		if got, want := f.router.CancelPost(ctx, "U2", p.ID), "Post n°1 annulé."; got != want {
			t.Errorf("CancelPost = %q, want %q", got, want)
		}
		if got, want := f.router.CancelPost(ctx, "U2", 42), "Je ne trouve pas le post n°42."; got != want {
			t.Errorf("CancelPost of a missing post = %q, want %q", got, want)
		}
	})
	t.Run("TheModalDrafts", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		got := f.router.Draft(ctx, English, workflows.DraftRequest{AuthorID: "U1", Text: "From the modal"})
		if want := "Draft #1 sent for approval (<#" + approvalChannel + ">)."; got != want {
			t.Errorf("Draft = %q, want %q", got, want)
		}
		card, err := f.router.Card(ctx, 1)
		if err != nil || card.Post.Text != "From the modal" {
			t.Errorf("Card = %+v, %v", card, err)
		}
		if accounts := f.router.Accounts(); len(accounts) != 1 || accounts[0].DisplayName != "Mastodon" {
			t.Errorf("Accounts = %+v", accounts)
		}
	})
}
