package storage

import (
	"reflect"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()

	t.Run("ListsAPostsEntriesInTheOrderWritten", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		other := newPost(t, s.queries, Post{Text: "autre"})
		entries := []AuditEntry{
			{PostID: p.ID, ActorID: "U0AUTHOR", Action: "submit", From: "draft", To: "pending", Version: 1, At: t0},
			{PostID: other.ID, ActorID: "U0AUTHOR", Action: "submit", From: "draft", To: "pending", Version: 1, At: t0},
			{PostID: p.ID, ActorID: "U0APPROVER", Action: "request_changes", From: "pending", To: "changes_requested", Version: 1, Reason: "trop long", At: t0.Add(time.Minute)},
			// Written last with an earlier clock: order is the order written.
			{PostID: p.ID, ActorID: "U0AUTHOR", Action: "edit", From: "changes_requested", To: "pending", Version: 2, At: t0.Add(-time.Minute)},
		}
		for _, e := range entries {
			if err := s.InsertAudit(t.Context(), e); err != nil {
				t.Fatalf("InsertAudit: %v", err)
			}
		}
		got, err := s.AuditLog(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("AuditLog: %v", err)
		}
		want := []AuditEntry{entries[0], entries[2], entries[3]}
		if len(got) != len(want) {
			t.Fatalf("AuditLog has %d entries, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			if i > 0 && got[i].ID <= got[i-1].ID {
				t.Errorf("entry %d has id %d after id %d", i, got[i].ID, got[i-1].ID)
			}
			want[i].ID = got[i].ID
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AuditLog =\n%+v\nwant\n%+v", got, want)
		}
	})

	t.Run("PostWithoutHistoryHasAnEmptyLog", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		p := newPost(t, s.queries, Post{})
		got, err := s.AuditLog(t.Context(), p.ID)
		if err != nil || len(got) != 0 {
			t.Errorf("AuditLog = %+v, %v; want none", got, err)
		}
	})

	t.Run("EntryForAMissingPostIsRefused", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		err := s.InsertAudit(t.Context(), AuditEntry{PostID: 4242, ActorID: "U1", Action: "submit", From: "draft", To: "pending", Version: 1, At: t0})
		if !isConstraint(err, sqlite3.ErrConstraintForeignKey) {
			t.Errorf("InsertAudit of post 4242 = %v, want a FOREIGN KEY constraint error", err)
		}
	})
}
