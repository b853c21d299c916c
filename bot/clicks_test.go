package bot

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"catweete/storage"
	"catweete/workflows"
)

// constantsOf returns the names of the constants of ids.go that start
// with prefix: the action ids, the modal callbacks.
func constantsOf(t *testing.T, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "ids.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			for _, name := range spec.(*ast.ValueSpec).Names {
				if strings.HasPrefix(name.Name, prefix) {
					names = append(names, name.Name)
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("no constant %s… in ids.go: the parse went wrong", prefix)
	}
	return names
}

// staleWorld is where a click lands too late: post n°1 was drawn at
// version 1 and edited since (version 2, pending), post n°2 was rejected
// by U3, and delivery d is published.
type staleWorld struct {
	edited, rejected workflows.Post
	published        storage.Delivery
}

func (f *fixture) staleWorld(t *testing.T) staleWorld {
	t.Helper()
	ctx := t.Context()
	var w staleWorld
	w.edited = f.draft(t, "Ça tweete !")
	edited, err := f.svc.Edit(ctx, w.edited.ID, w.edited.Version, "UAUTHOR", "Ça tweete encore !")
	if err != nil || edited.Version != 2 {
		t.Fatalf("Edit = %+v, %v", edited, err)
	}
	w.rejected = f.draft(t, "Hors sujet")
	if _, err := f.svc.Reject(ctx, w.rejected.ID, w.rejected.Version, "U3", "Hors charte"); err != nil {
		t.Fatal(err)
	}
	w.published = f.endedDelivery(t, storage.DeliveryPublished)
	return w
}

// TestEveryButtonRechecksStateAndVersion: a click on a card drawn before
// an edit, or on a post or delivery that has moved on, is refused to the
// person who clicked, and changes nothing. Every action id of ids.go has
// its rows.
func TestEveryButtonRechecksStateAndVersion(t *testing.T) {
	t.Parallel()
	editedSince := "Le post n°1 a été modifié depuis (version 2) : relisez la carte à jour."
	tooLateRejected := "Trop tard : le post n°2 a déjà été rejeté par <@U3>."
	handledAlready := "Cette publication a déjà été traitée (elle est maintenant : publié)."
	type row struct {
		name, user, action string
		value              func(staleWorld) string
		want               string
	}
	stale := func(w staleWorld) string { return fmt.Sprintf("%d:1", w.edited.ID) }
	rejected := func(w staleWorld) string { return fmt.Sprintf("%d:%d", w.rejected.ID, w.rejected.Version) }
	published := func(w staleWorld) string { return fmt.Sprintf("d%d", w.published.ID) }
	rows := []row{
		{"ApproveAnEditedPost", "U2", ActionApprove, stale, editedSince},
		{"ApproveARejectedPost", "U2", ActionApprove, rejected, tooLateRejected},
		{"RequestChangesOnAnEditedPost", "U2", ActionRequestChanges, stale, editedSince},
		{"RequestChangesOnARejectedPost", "U2", ActionRequestChanges, rejected, tooLateRejected},
		{"RejectAnEditedPost", "U2", ActionReject, stale, editedSince},
		{"RejectARejectedPost", "U2", ActionReject, rejected, tooLateRejected},
		{"EditFromAnOldCard", "UAUTHOR", ActionEdit, stale, editedSince},
		{"EditARejectedPost", "UAUTHOR", ActionEdit, rejected, tooLateRejected},
		{"CancelFromAnOldCard", "UAUTHOR", ActionCancel, stale, editedSince},
		{"CancelARejectedPost", "UAUTHOR", ActionCancel, rejected, tooLateRejected},
		{"PublishNowFromAnOldCard", "U2", ActionPublishNow, stale, editedSince},
		{"PublishNowARejectedPost", "U2", ActionPublishNow, rejected, tooLateRejected},
		{"NextSlotFromAnOldCard", "U2", ActionNextSlot, stale, editedSince},
		{"NextSlotForARejectedPost", "U2", ActionNextSlot, rejected, tooLateRejected},
		{"RetryAPublishedDelivery", "U2", ActionRetryDelivery, published, handledAlready},
		{"ConfirmAPublishedDelivery", "U2", ActionConfirmDelivery, published, handledAlready},
		{"GiveUpAPublishedDelivery", "U2", ActionCancelDelivery, published, handledAlready},
	}
	values := map[string]string{
		"ActionApprove": ActionApprove, "ActionRequestChanges": ActionRequestChanges, "ActionReject": ActionReject,
		"ActionEdit": ActionEdit, "ActionCancel": ActionCancel, "ActionPublishNow": ActionPublishNow, "ActionNextSlot": ActionNextSlot,
		"ActionRetryDelivery": ActionRetryDelivery, "ActionConfirmDelivery": ActionConfirmDelivery, "ActionCancelDelivery": ActionCancelDelivery,
	}
	for _, name := range constantsOf(t, "Action") {
		id, known := values[name]
		if !known {
			t.Errorf("%s is new in ids.go: give it rows here", name)
			continue
		}
		if !slices.ContainsFunc(rows, func(r row) bool { return r.action == id }) {
			t.Errorf("no row clicks %s (%q)", name, id)
		}
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			w := f.staleWorld(t)
			ctx := t.Context()
			before := len(f.slack.snapshot())
			f.interaction(t, f.alertClick(tt.user, tt.action, tt.value(w), 1))
			f.shutdown(t)
			calls := f.slack.snapshot()[before:]
			refusals := only(calls, "chat.postEphemeral")
			if len(refusals) != 1 || refusals[0].field("user") != tt.user || refusals[0].field("text") != tt.want {
				t.Errorf("answers %s; want one ephemeral to %s: %q", describeEphemerals(refusals), tt.user, tt.want)
			}
			for _, c := range calls {
				if c.Method != "chat.postEphemeral" {
					t.Errorf("the refused click led to %s", c.Method)
				}
			}
			for _, want := range []workflows.Post{{ID: w.edited.ID, Status: workflows.StatusPending, Version: 2},
				{ID: w.rejected.ID, Status: workflows.StatusRejected, Version: 1}} {
				if got, err := f.svc.Post(ctx, want.ID); err != nil || got.Status != want.Status || got.Version != want.Version {
					t.Errorf("post %d is %s v%d (%v), want %s v%d as before", want.ID, got.Status, got.Version, err, want.Status, want.Version)
				}
			}
			if approvals, _ := f.store.Approvals(ctx, w.edited.ID, 2); len(approvals) != 0 {
				t.Errorf("%d approvals of the edited post", len(approvals))
			}
			if d, _ := f.store.Delivery(ctx, w.published.ID); d.Status != storage.DeliveryPublished {
				t.Errorf("delivery %d is %s, want still published", d.ID, d.Status)
			}
		})
	}
}

func describeEphemerals(calls []apiCall) string {
	var parts []string
	for _, c := range calls {
		parts = append(parts, fmt.Sprintf("%s: %q", c.field("user"), c.field("text")))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// TestEveryModalTakesOnlyItsOpenersAnswer: a modal submitted by someone
// else than the person it was opened for (as its private_metadata says) is
// refused in the modal and changes nothing, whatever the modal. Every
// modal callback of ids.go has its row.
func TestEveryModalTakesOnlyItsOpenersAnswer(t *testing.T) {
	t.Parallel()
	type row struct {
		name, callback string
		// submit builds the modal for opener and its values.
		submit func(f *fixture, opener string, p workflows.Post) (string, map[string]map[string]any)
		block  string
	}
	rows := []row{
		{"Draft", CallbackDraft, func(f *fixture, opener string, _ workflows.Post) (string, map[string]map[string]any) {
			return mustJSON(t, viewSubmission(t, "UINTRUDER", f.bot.draftModal(modalMeta{UserID: opener, Channel: "C1"}, ""), draftValues("Pas à moi"))), nil
		}, blockText},
		{"Edit", CallbackEdit, func(f *fixture, opener string, p workflows.Post) (string, map[string]map[string]any) {
			meta := modalMeta{UserID: opener, Channel: "C1", PostID: p.ID, Version: p.Version}
			return mustJSON(t, viewSubmission(t, "UINTRUDER", f.bot.editModal(meta, p.Text), map[string]map[string]any{blockText: {inputText: plainValue("Réécrit par un autre")}})), nil
		}, blockText},
		{"Reject", CallbackReason, func(f *fixture, opener string, p workflows.Post) (string, map[string]map[string]any) {
			meta := modalMeta{UserID: opener, Channel: "C1", PostID: p.ID, Version: p.Version, Decision: decisionReject}
			return mustJSON(t, viewSubmission(t, "UINTRUDER", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}})), nil
		}, blockReason},
		{"RequestChanges", CallbackReason, func(f *fixture, opener string, p workflows.Post) (string, map[string]map[string]any) {
			meta := modalMeta{UserID: opener, Channel: "C1", PostID: p.ID, Version: p.Version, Decision: decisionChange}
			return mustJSON(t, viewSubmission(t, "UINTRUDER", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Une faute")}})), nil
		}, blockReason},
		{"OpenerUnknown", CallbackReason, func(f *fixture, _ string, p workflows.Post) (string, map[string]map[string]any) {
			meta := modalMeta{Channel: "C1", PostID: p.ID, Version: p.Version, Decision: decisionReject}
			return mustJSON(t, viewSubmission(t, "UINTRUDER", f.bot.reasonModal(meta), map[string]map[string]any{blockReason: {inputReason: plainValue("Hors sujet")}})), nil
		}, blockReason},
	}
	// The message shortcut is a callback, not a modal.
	for _, name := range constantsOf(t, "Callback") {
		if name == "CallbackSuggest" {
			continue
		}
		id := map[string]string{"CallbackDraft": CallbackDraft, "CallbackEdit": CallbackEdit, "CallbackReason": CallbackReason}[name]
		if id == "" {
			t.Errorf("%s is new in ids.go: give it a row here", name)
			continue
		}
		if !slices.ContainsFunc(rows, func(r row) bool { return r.callback == id }) {
			t.Errorf("no row submits %s (%q)", name, id)
		}
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			post := f.draft(t, "Ça tweete !")
			opener := "U2"
			if tt.callback == CallbackEdit {
				opener = "UAUTHOR"
			}
			payload, _ := tt.submit(f, opener, post)
			before := len(f.slack.snapshot())
			_, body := f.interaction(t, payload)
			want := fmt.Sprintf(`{"response_action":"errors","errors":{%q:"Cette fenêtre a été ouverte par quelqu'un d'autre."}}`, tt.block)
			if string(body) != want {
				t.Errorf("ack %s, want %s", body, want)
			}
			f.shutdown(t)
			if calls := f.slack.snapshot()[before:]; len(calls) != 0 {
				t.Errorf("the refused submission led to %s", methods(calls))
			}
			got, err := f.svc.Post(t.Context(), post.ID)
			if err != nil || got.Status != workflows.StatusPending || got.Version != post.Version || got.Text != post.Text {
				t.Errorf("post %+v (%v), want it as drafted", got, err)
			}
			if _, err := f.svc.Post(t.Context(), post.ID+1); err == nil {
				t.Error("a draft was made from someone else's modal")
			}
		})
	}
}
