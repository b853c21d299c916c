package workflows

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
)

func TestPreflightOddHour(t *testing.T) {
	t.Parallel()
	// The clock reads Wednesday 25 November 2026, 11:00 in Paris.
	for _, tt := range []struct {
		name      string
		h, mi     int
		day       int
		wantOdd   bool
		noTimeSet bool
	}{
		{"ElevenPMParisIsOdd", 23, 0, 25, true, false},
		{"TenPMParisIsOdd", 22, 0, 25, true, false},
		{"NinePM59IsNot", 21, 59, 25, false, false},
		{"TenAMParisIsNot", 10, 0, 26, false, false},
		{"SevenAMParisIsNot", 7, 0, 26, false, false},
		{"SixAM59ParisIsOdd", 6, 59, 26, true, false},
		{"NoTimeIsNotOdd", 0, 0, 0, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{})
			var at time.Time
			if !tt.noTimeSet {
				at = paris(t, 2026, 11, tt.day, tt.h, tt.mi)
			}
			p := f.draftAt(t, "Bonsoir", at)
			if got := f.card(t, p.ID).Preflight.OddHour; got != tt.wantOdd {
				t.Fatalf("OddHour = %v for %v, want %v", got, at, tt.wantOdd)
			}
			if got := f.notifier.lastCard().Preflight.OddHour; got != tt.wantOdd {
				t.Fatalf("the card shown says OddHour = %v, want %v", got, tt.wantOdd)
			}
		})
	}
	t.Run("ASlotAtNightIsOdd", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{slots: "daily 23:30"})
		p := f.draft(t, "UAUTHOR", "Tard")
		if !f.card(t, p.ID).Preflight.OddHour {
			t.Fatal("the 23:30 slot it would take is not flagged")
		}
	})
}

func TestPreflightNearDuplicate(t *testing.T) {
	t.Parallel()
	const original = "Notre nouveau site est en ligne : venez découvrir la collection d'hiver et nos offres de lancement ! https://exemple.fr/hiver"
	for _, tt := range []struct {
		name  string
		text  string
		age   time.Duration
		match bool
	}{
		{"SameWordsOtherCaseAndPunctuation",
			"NOTRE nouveau site est en ligne, venez decouvrir la Collection d’hiver et nos offres de lancement https://exemple.fr/hiver",
			24 * time.Hour, true},
		{"SameWordsWithoutTheLink",
			"Notre nouveau site est en ligne : venez découvrir la collection d'hiver et nos offres de lancement !",
			24 * time.Hour, true},
		{"SameWordsAnotherLink",
			"Notre nouveau site est en ligne ! Venez découvrir la collection d'hiver et nos offres de lancement : https://boutique.exemple.com/promo?id=42",
			24 * time.Hour, true},
		{"UnrelatedPost", "Demain, atelier gratuit de photographie de rue à Lyon : inscrivez-vous vite.", 24 * time.Hour, false},
		{"TwentyNineDaysOldStillCounts", original, 29 * 24 * time.Hour, true},
		{"ThirtyOneDaysOldIsForgotten", original, 31 * 24 * time.Hour, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{})
			old := f.draft(t, "UAUTHOR", original)
			f.clock.Advance(tt.age)
			p := f.draft(t, "UOTHER", tt.text)
			pf := f.card(t, p.ID).Preflight
			if tt.match && (pf.NearDuplicate != old.ID || pf.Similarity < nearDuplicateScore || pf.Similarity > 1) {
				t.Fatalf("preflight %+v, want near-duplicate of post %d\nold %q\nnew %q", pf, old.ID, shinglesList(original), shinglesList(tt.text))
			}
			if !tt.match && pf.NearDuplicate != 0 {
				t.Fatalf("preflight %+v, want no near-duplicate", pf)
			}
		})
	}
	t.Run("ARejectedPostDoesNotCount", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		old := f.draft(t, "UAUTHOR", original)
		if _, err := f.svc.Reject(t.Context(), old.ID, 1, "UA", "non"); err != nil {
			t.Fatal(err)
		}
		p := f.draft(t, "UAUTHOR", original)
		if pf := f.card(t, p.ID).Preflight; pf.NearDuplicate != 0 {
			t.Fatalf("preflight %+v: a rejected post is not something that went out", pf)
		}
	})
}

// shinglesList shows a text's shingles, for failure messages.
func shinglesList(text string) string {
	var out []string
	for s := range shingles(text) {
		out = append(out, s)
	}
	return strings.Join(out, " | ")
}

func TestUTMThroughPublishing(t *testing.T) {
	t.Parallel()
	const text = "Nouveau site https://exemple.fr/a #campagne:hiver"
	bluesky := func() (*fakePublisher, AccountConfig) {
		pub := &fakePublisher{network: social.NetworkBluesky, limit: 300, idempotent: true}
		return pub, AccountConfig{Handle: "brand.bsky.social", Publisher: pub}
	}
	t.Run("EachNetworkGetsItsTags", func(t *testing.T) {
		t.Parallel()
		bpub, bsky := bluesky()
		f := setup(t, options{idempotent: true, more: []AccountConfig{bsky}})
		p := f.approved(t, text)
		f.round(t)
		want := map[*fakePublisher]string{
			f.pub: "Nouveau site https://exemple.fr/a?utm_source=mastodon&utm_medium=social&utm_campaign=hiver",
			bpub:  "Nouveau site https://exemple.fr/a?utm_source=bluesky&utm_medium=social&utm_campaign=hiver",
		}
		for pub, w := range want {
			if got := pub.texts(); len(got) != 1 || got[0] != w {
				t.Errorf("%s received %q, want %q", pub.network, got, w)
			}
		}
		card := f.card(t, p.ID)
		if card.Campaign != "hiver" {
			t.Errorf("campaign %q, want hiver", card.Campaign)
		}
		if card.Post.Text != text {
			t.Errorf("stored text %q, want it as typed", card.Post.Text)
		}
		for _, tg := range card.Targets {
			pub := f.pub
			if tg.Network == social.NetworkBluesky {
				pub = bpub
			}
			if tg.Text != want[pub] || tg.Count != utf8.RuneCountInString(want[pub]) {
				t.Errorf("target %s: text %q count %d, want %q (%d)", tg.Network, tg.Text, tg.Count, want[pub], utf8.RuneCountInString(want[pub]))
			}
		}
	})
	t.Run("WithoutALinkNoCampaign", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true})
		p := f.approved(t, "Sans lien #campagne:hiver")
		f.round(t)
		if got := f.pub.texts(); len(got) != 1 || got[0] != "Sans lien" {
			t.Errorf("published %q, want the marker removed", got)
		}
		if c := f.card(t, p.ID).Campaign; c != "" {
			t.Errorf("campaign %q on a post without a link", c)
		}
	})
	t.Run("DisabledLeavesLinksAloneButRemovesTheMarker", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{idempotent: true, disableUTM: true})
		p := f.approved(t, text)
		f.round(t)
		if got := f.pub.texts(); len(got) != 1 || got[0] != "Nouveau site https://exemple.fr/a" {
			t.Errorf("published %q, want the link untagged and no marker", got)
		}
		card := f.card(t, p.ID)
		if card.Campaign != "" || card.Targets[0].Text != "Nouveau site https://exemple.fr/a" {
			t.Errorf("card campaign %q, target %q", card.Campaign, card.Targets[0].Text)
		}
	})
	t.Run("LengthIsCheckedOnTheTaggedText", func(t *testing.T) {
		t.Parallel()
		f := setup(t, options{})
		link := " https://exemple.fr/a"
		fits := strings.Repeat("a", 500-len(link)) + link
		if _, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: fits}); err == nil {
			t.Fatal("a text that is too long once tagged was accepted")
		}
		g := setup(t, options{disableUTM: true})
		if _, err := g.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: fits}); err != nil {
			t.Fatalf("untagged, it fits: %v", err)
		}
	})
}

func TestDraftLengthCountsTheRealCampaignTag(t *testing.T) {
	t.Parallel()
	// Without a campaign marker, links carry utm_campaign=post-<id>: at
	// draft time the id is not known yet, and post-0 is shorter than
	// post-10. Bluesky counts every character of a link.
	bsky := &fakePublisher{network: social.NetworkBluesky, limit: 300}
	f := setup(t, options{more: []AccountConfig{{Handle: "brand.bsky.social", Publisher: bsky}}})
	for range 9 {
		f.draft(t, "UAUTHOR", "Remplissage")
	}
	link := " https://exemple.fr/a"
	tagged := func(text string, id int64) int {
		return utf8.RuneCountInString(NewTagger(true).Text(text, social.NetworkBluesky, id))
	}
	text := strings.Repeat("a", 300-(tagged("a"+link, 0)-1)) + link
	if n := tagged(text, 0); n != 300 {
		t.Fatalf("setup: %d characters tagged as post-0, want 300", n)
	}
	p, err := f.svc.Draft(t.Context(), DraftRequest{AuthorID: "UAUTHOR", Text: text})
	if err != nil {
		return // refused: fine, it would not fit
	}
	if p.ID < 10 {
		t.Fatalf("setup: post %d, want an id of two digits", p.ID)
	}
	for _, tg := range f.card(t, p.ID).Targets {
		if tg.Count > tg.Limit {
			t.Errorf("draft accepted, but %s receives %d/%d characters: …%q", tg.Network, tg.Count, tg.Limit, tg.Text[len(tg.Text)-70:])
		}
	}
}

func TestConcurrentApprovalsTakeDistinctSlots(t *testing.T) {
	t.Parallel()
	f := setup(t, options{slots: weekdaySlots})
	const n = 8
	var posts []Post
	for range n {
		posts = append(posts, f.draft(t, "UAUTHOR", "Concurrent"))
	}
	errs := make(chan error, n)
	for _, p := range posts {
		go func() {
			_, err := f.svc.Approve(t.Context(), p.ID, 1, "UA")
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]int64{}
	for _, p := range posts {
		due := f.delivery(t, p.ID).DueAt
		if other, dup := seen[due.Unix()]; dup {
			t.Errorf("posts %d and %d both take %v", other, p.ID, due)
		}
		seen[due.Unix()] = p.ID
	}
}
