package workflows

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestStatus(t *testing.T) {
	t.Parallel()
	f := setup(t, options{idempotent: true})
	// Wednesday 25 November 2026, 11:00 in Paris.
	published := f.approved(t, "Publié aujourd'hui")
	f.round(t)
	pending := f.draft(t, "UAUTHOR", "En attente")
	later, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: "Demain", PublishAt: f.clock.Now().Add(24 * time.Hour), OriginChannel: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(t.Context(), later.ID, 1, "UA"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(3 * time.Hour)

	r, err := f.svc.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Week) != 1 || len(r.Today) != 1 || r.Week[0].PostID != published.ID || len(r.Week[0].Links) != 1 || r.Week[0].Links[0].URL == "" {
		t.Fatalf("published: week %+v today %+v", r.Week, r.Today)
	}
	if len(r.Pending) != 1 || r.Pending[0].Post.ID != pending.ID || r.Now.Sub(r.Pending[0].Since) != 3*time.Hour {
		t.Fatalf("pending %+v", r.Pending)
	}
	next := r.Next()
	if next == nil || next.PostID != later.ID || len(next.Networks) != 1 || next.Networks[0] != "Mastodon" {
		t.Fatalf("next %+v", next)
	}

	// Monday of the next week: last week's post no longer counts.
	f.clock.Advance(5 * 24 * time.Hour)
	r, err = f.svc.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Week) != 0 {
		t.Fatalf("week %+v: a post of last week counted", r.Week)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, before, after string
		want                []DiffOp
	}{
		{"WordReplaced", "Bonjour le monde", "Bonjour la terre", []DiffOp{{DiffKeep, "Bonjour "}, {DiffRemove, "le"}, {DiffAdd, "la"}, {DiffKeep, " "}, {DiffRemove, "monde"}, {DiffAdd, "terre"}}},
		{"WordAdded", "Nouveau site", "Nouveau site web", []DiffOp{{DiffKeep, "Nouveau site"}, {DiffAdd, " web"}}},
		{"Unchanged", "Pareil", "Pareil", []DiffOp{{DiffKeep, "Pareil"}}},
		{"FromNothing", "", "Tout neuf", []DiffOp{{DiffAdd, "Tout neuf"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Diff(tt.before, tt.after)
			if len(got) != len(tt.want) {
				t.Fatalf("Diff = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Diff = %+v, want %+v", got, tt.want)
				}
			}
			// Keeping and adding gives the new text back; keeping and
			// removing the old one.
			var before, after string
			for _, op := range got {
				if op.Kind != DiffAdd {
					before += op.Text
				}
				if op.Kind != DiffRemove {
					after += op.Text
				}
			}
			if before != tt.before || after != tt.after {
				t.Fatalf("diff does not rebuild the texts: %q %q", before, after)
			}
		})
	}
}

// TestStatusReportReusedUntilSomethingIsWritten: the report is computed
// once and reused while nothing is written through the store; a write, the
// clock passing statusFresh, or another day computes it anew.
func TestStatusReportReusedUntilSomethingIsWritten(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "catweete.db")
	f := setup(t, options{path: path})
	first := f.draft(t, "UAUTHOR", "Premier")
	pendingIDs := func() []int64 {
		t.Helper()
		r, err := f.svc.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range r.Pending {
			ids = append(ids, p.Post.ID)
		}
		return ids
	}
	if got := pendingIDs(); !slices.Equal(got, []int64{first.ID}) {
		t.Fatalf("pending %v, want [%d]", got, first.ID)
	}

	// A change this process did not write (another connection) shows
	// only once the report is stale: the cache is really used.
	other, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(t.Context(), `UPDATE posts SET status = 'canceled' WHERE id = ?`, first.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(statusFresh - time.Second)
	if got := pendingIDs(); !slices.Equal(got, []int64{first.ID}) {
		t.Fatalf("pending %v within %v of the report: want it reused, [%d]", got, statusFresh, first.ID)
	}
	f.clock.Advance(time.Second)
	if got := pendingIDs(); len(got) != 0 {
		t.Fatalf("pending %v after %v: want the report computed anew, none", got, statusFresh)
	}

	// A write through the store shows at once.
	second := f.draft(t, "UAUTHOR", "Deuxième")
	if got := pendingIDs(); !slices.Equal(got, []int64{second.ID}) {
		t.Fatalf("pending %v just after a draft, want [%d]", got, second.ID)
	}
	// And the time since it waits is counted from now, not from when the
	// report was computed.
	f.clock.Advance(10 * time.Second)
	r, err := f.svc.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Now.Equal(f.clock.Now()) || r.Now.Sub(r.Pending[0].Since) != 10*time.Second {
		t.Fatalf("reused report: now %v, pending since %v; want now %v", r.Now, r.Pending[0].Since, f.clock.Now())
	}
}
