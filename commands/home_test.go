package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"catweete/storage"
	"catweete/workflows"
)

// homeDraft stores a pending post by author.
func (f *fixture) homeDraft(t *testing.T, author, text string, at time.Time) workflows.Post {
	t.Helper()
	p, err := f.svc.Draft(context.Background(), workflows.DraftRequest{AuthorID: author, Text: text, PublishAt: at})
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	return p
}

// itemTexts joins a section's items, one a line, for error messages.
func itemTexts(s HomeSection) string {
	var lines []string
	for _, it := range s.Items {
		lines = append(lines, fmt.Sprintf("[%d:%d decide=%v edit=%v] %s | %s", it.PostID, it.Version, it.Decide, it.Edit, it.Text, it.Context))
	}
	return strings.Join(lines, "\n")
}

func TestHome(t *testing.T) {
	t.Parallel()

	t.Run("AnAuthorSeesWhereEachOfTheirPostsStands", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"U2", "U3"}})
		ctx := context.Background()
		published := f.publish(t, "Notre nouveau site est en ligne & il est beau")
		ds, err := f.store.Deliveries(ctx, published)
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries: %v, %v", ds, err)
		}
		err = f.store.RecordMetrics(ctx, ds[0].ID, time.Now(), storage.Figures{
			Impressions: storage.Count{Value: 12400, Known: true}, Likes: storage.Count{Value: 40, Known: true},
		})
		if err != nil {
			t.Fatalf("RecordMetrics: %v", err)
		}
		sentBack := f.homeDraft(t, "U1", "Un post trop long", time.Time{})
		if msg := f.router.RequestChanges(ctx, "U2", sentBack.ID, sentBack.Version, "Trop <long>"); msg != "" {
			t.Fatalf("RequestChanges: %q", msg)
		}
		pending := f.homeDraft(t, "U1", "En attente", time.Time{})
		f.homeDraft(t, "U2", "Pas à U1", time.Time{})

		h := f.router.Home(ctx, "U1")
		if len(h.Sections) != 4 {
			t.Fatalf("%d sections, want 4", len(h.Sections))
		}
		wantContains(t, h.Intro, "Bonjour <@U1> !")
		wantContains(t, h.Updated, "Mis à jour aujourd'hui", "(Europe/Paris)")

		mine := h.Sections[0]
		if mine.Title != "📝 Vos posts — 30 derniers jours" || len(mine.Items) != 3 || mine.Left != 0 {
			t.Fatalf("mine = %q, %d items:\n%s", mine.Title, len(mine.Items), itemTexts(mine))
		}
		// The most recently changed first.
		first, second, third := mine.Items[0], mine.Items[1], mine.Items[2]
		if first.PostID != pending.ID || second.PostID != sentBack.ID || third.PostID != published {
			t.Fatalf("order:\n%s", itemTexts(mine))
		}
		wantContains(t, first.Text, fmt.Sprintf("*n°%d « En attente »*", pending.ID), "⏳ en attente d'approbation — 0/1 approbation(s), depuis")
		wantContains(t, second.Text, "✏️ Modifications demandées par <@U2> : « Trop &lt;long&gt; » — à vous de le modifier")
		wantContains(t, third.Text, "« Notre nouveau site est en ligne &amp; il est beau »", "✅ publié aujourd'hui",
			"<https://mastodon.example/@brand/1|Mastodon>")
		if !first.Edit || !second.Edit || third.Edit || first.Decide || second.Version != 1 {
			t.Errorf("buttons:\n%s", itemTexts(mine))
		}

		decide := h.Sections[1]
		if want := "Vous n'êtes pas approbateur : les posts sont approuvés par <@U2> et <@U3>."; decide.Text != want || len(decide.Items) != 0 {
			t.Errorf("decide = %q (%d items), want %q", decide.Text, len(decide.Items), want)
		}
		if q := h.Sections[2]; q.Text != "Rien de programmé dans les 7 prochains jours." {
			t.Errorf("queue = %q", q.Text)
		}
		figures := h.Sections[3]
		wantContains(t, figures.Text, "1 post(s) · 12,4\u00a0k impressions (en guise de portée) · 40 engagements · taux d'engagement 0,3\u202f%",
			"• *Mastodon* : 1 post(s)", "🏆 Le plus vu : n°1")
		wantContains(t, figures.Note, "Évolution par rapport aux 7 jours d'avant", "`/catweete portée mois`")
	})

	t.Run("AnApproverGetsButtonsOnWhatWaitsForThem", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{approvers: []string{"U2", "U3"}, required: 2})
		ctx := context.Background()
		tomorrow := time.Now().Add(24 * time.Hour)
		first := f.homeDraft(t, "U1", "Premier\nsur deux lignes", tomorrow)
		already := f.homeDraft(t, "U1", "Déjà approuvé par U2", time.Time{})
		if msg := f.router.Approve(ctx, "U2", already.ID, already.Version); !strings.Contains(msg, "1/2") {
			t.Fatalf("Approve: %q", msg)
		}
		f.homeDraft(t, "U2", "Écrit par U2", time.Time{})

		decide := f.router.Home(ctx, "U2").Sections[1]
		if decide.Title != "✅ Attend votre approbation" || decide.Text != "" || len(decide.Items) != 1 {
			t.Fatalf("decide = %q %q:\n%s", decide.Title, decide.Text, itemTexts(decide))
		}
		it := decide.Items[0]
		if it.PostID != first.ID || it.Version != first.Version || !it.Decide || it.Edit {
			t.Errorf("item = %+v", it)
		}
		wantContains(t, it.Text, fmt.Sprintf("*Post n°%d* par <@U1>\n> Premier\n> sur deux lignes", first.ID))
		wantContains(t, it.Context, "0/2 approbation(s), depuis", "publication demain")

		// U3 may decide on both of U1's, and U2's own post too.
		if got := f.router.Home(ctx, "U3").Sections[1]; len(got.Items) != 3 {
			t.Errorf("U3 decides on:\n%s", itemTexts(got))
		}
	})

	t.Run("AColleagueWithNothingGetsFriendlyEmptyStatesInEnglish", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{lang: English})
		h := f.router.Home(context.Background(), "U9")
		wantContains(t, h.Intro, "Hello <@U9>!")
		for i, want := range []string{
			"You haven't suggested any post in the last 30 days. To start: `/catweete draft Your text`",
			"Nothing waits for your approval. 🎉",
			"Nothing scheduled in the next 7 days.",
			"Nothing was published in the last 7 days.",
		} {
			s := h.Sections[i]
			if !strings.HasPrefix(s.Text, want) || len(s.Items) != 0 || s.Left != 0 || s.Note != "" {
				t.Errorf("section %q = %q (%d items, %d left, note %q), want %q", s.Title, s.Text, len(s.Items), s.Left, s.Note, want)
			}
		}
		if got := h.Sections[0].Title + " | " + h.Sections[3].Title; got != "📝 Your posts — last 30 days | 📈 The last 7 days" {
			t.Errorf("titles = %q", got)
		}
	})

	t.Run("TheQueueShowsTheNextSevenDaysAndCountsTheRest", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		ctx := context.Background()
		for _, at := range []time.Time{time.Now().Add(26 * time.Hour), time.Now().Add(10 * 24 * time.Hour)} {
			p := f.homeDraft(t, "U1", fmt.Sprintf("Pour %s", at.Format("Jan 2")), at)
			if msg := f.router.Approve(ctx, "U2", p.ID, p.Version); msg != "" {
				t.Fatalf("Approve: %q", msg)
			}
		}
		q := f.router.Home(ctx, "U1").Sections[2]
		if strings.Count(q.Text, "\n") != 0 || !strings.HasPrefix(q.Text, "• ") {
			t.Errorf("queue = %q, want one line", q.Text)
		}
		wantContains(t, q.Text, "— n°1 « Pour", "sur Mastodon")
		if q.Note != "Et 1 plus tard : `/catweete file`." {
			t.Errorf("note = %q", q.Note)
		}
	})

	t.Run("LongListsAreCutAndCounted", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		for i := range 25 {
			f.homeDraft(t, "U1", fmt.Sprintf("Post %d", i), time.Time{})
		}
		h := f.router.Home(context.Background(), "U1")
		if mine := h.Sections[0]; len(mine.Items) != homeMine || mine.Left != 10 {
			t.Errorf("mine: %d items, %d left", len(mine.Items), mine.Left)
		}
		h = f.router.Home(context.Background(), "U2")
		if decide := h.Sections[1]; len(decide.Items) != homeDecide || decide.Left != 15 {
			t.Errorf("decide: %d items, %d left", len(decide.Items), decide.Left)
		}
	})

	t.Run("APartThatCannotBeReadSaysSoAndTheOthersStillShow", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		f.store.Close()
		h := f.router.Home(context.Background(), "U1")
		for _, s := range h.Sections {
			if s.Text != "Je n'arrive pas à afficher cette partie pour l'instant : rouvrez l'onglet dans un moment." {
				t.Errorf("section %q = %q", s.Title, s.Text)
			}
		}
		wantContains(t, f.logs.String(), "home tab part not shown")
	})
}
