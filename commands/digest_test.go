package commands

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

func TestDigestCommandAsksForTheDigest(t *testing.T) {
	t.Parallel()
	r := parseRouter(t)
	for _, tt := range []struct {
		text string
		want Parsed
	}{
		{"digest", Parsed{Name: CmdDigest}},
		{"DIGEST", Parsed{Name: CmdDigest}},
		{"résumé", Parsed{Name: CmdDigest, Lang: French}},
		{"resume", Parsed{Name: CmdDigest, Lang: French}},
		{"<@UBOT> digest", Parsed{Name: CmdDigest}},
	} {
		if got := r.Parse(tt.text); got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
	f := setup(t, options{lang: English})
	reply := f.handle(t, "U1", "résumé")
	if !reply.PostDigest || reply.Text != "" || reply.Lang != French {
		t.Errorf("résumé: %+v, want the digest asked for in French", reply)
	}
	if reply := f.handle(t, "U1", "digest"); !reply.PostDigest || reply.Lang != English {
		t.Errorf("digest: %+v, want the digest in the team's language", reply)
	}
}

func count(v int64) workflows.Count { return workflows.Count{Value: v, Known: true} }

// digestOf is a digest made by hand, at 9:00 in Paris on Tuesday 24
// November 2026.
func digestOf(t *testing.T) workflows.Digest {
	t.Helper()
	loc := paris(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, loc)
	yesterday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	d := workflows.Digest{Now: now, Location: loc}
	d.Yesterday = workflows.Summary{From: yesterday, To: yesterday.AddDate(0, 0, 1)}
	for i := range 7 {
		d.Days = append(d.Days, workflows.DailyFigures{Day: yesterday.AddDate(0, 0, i-6), Networks: map[string]workflows.Figures{}})
	}
	return d
}

func TestDigestPage(t *testing.T) {
	t.Parallel()
	f := setup(t, options{slots: "mon-fri 09:30,12:30"})
	t.Run("NothingPublishedIsSaid", func(t *testing.T) {
		t.Parallel()
		d := digestOf(t)
		d.Yesterday.Previous = workflows.Figures{Posts: 2}
		for _, tt := range []struct {
			lang                       Lang
			title, yesterday, pending  string
			today, freeSlots, fallback string
		}{
			{French, "Le digest de catweete — mar. 24 nov.", "*Hier* (lun. 23 nov.) : rien n'a été publié. (2 post(s) la veille.)",
				"✅ Rien n'attend d'approbation.", "*Aujourd'hui* : rien de programmé.", "Aucun créneau libre aujourd'hui.",
				"Le digest de catweete — mar. 24 nov.\n*Hier* (lun. 23 nov.) : rien n'a été publié. (2 post(s) la veille.)"},
			{English, "catweete digest — Tue 24 Nov", "*Yesterday* (Mon 23 Nov): nothing was published. (2 post(s) the day before.)",
				"✅ Nothing waits for approval.", "*Today*: nothing scheduled.", "No free slot today.",
				"catweete digest — Tue 24 Nov\n*Yesterday* (Mon 23 Nov): nothing was published. (2 post(s) the day before.)"},
		} {
			page := f.router.DigestPage(tt.lang, d)
			got := []string{page.Title, page.Yesterday.Heading, page.Pending.Heading, page.Today.Heading, page.FreeSlots, page.Fallback}
			want := []string{tt.title, tt.yesterday, tt.pending, tt.today, tt.freeSlots, tt.fallback}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %q, want %q", tt.lang, got[i], want[i])
				}
			}
			if page.Chart || page.Attention.Heading != "" || len(page.Yesterday.Items) != 0 {
				t.Errorf("%s: an empty week with a chart, an attention list or posts: %+v", tt.lang, page)
			}
		}
	})
	t.Run("EachDeliverySaysWhatItsNetworkGave", func(t *testing.T) {
		t.Parallel()
		d := digestOf(t)
		d.Yesterday.Total = workflows.Figures{Posts: 1, Deliveries: 3}
		at := d.Yesterday.From.Add(10 * time.Hour)
		d.Posts = []workflows.Measured{
			{DeliveryID: 1, PostID: 8, Network: social.NetworkLinkedIn, PostText: "Bonjour", RemoteURL: "https://linkedin.example/8",
				PublishedAt: at, MeasuredAt: at, Followers: count(20_000),
				Figures: storage.Figures{Reach: count(12_400), Impressions: count(15_000), Likes: count(300), Clicks: count(150)}},
			{DeliveryID: 2, PostID: 8, Network: social.NetworkBluesky, PostText: "Bonjour", RemoteURL: "https://bsky.example/8",
				PublishedAt: at, MeasuredAt: at, Figures: storage.Figures{Likes: count(7), Quotes: count(1)}},
			{DeliveryID: 3, PostID: 8, Network: social.NetworkX, PostText: "Bonjour", PublishedAt: at},
		}
		d.Days[6].Networks[social.NetworkLinkedIn] = workflows.Figures{Posts: 1}
		fr := f.router.DigestPage(French, d)
		want := "n°8 « Bonjour »" +
			"\n• *LinkedIn* : 12,4\u00a0k de portée · 15\u00a0k impressions · 450 engagements · taux d'engagement 3\u202f% · taux de reach 62\u202f% — <https://linkedin.example/8|voir>" +
			"\n• *Bluesky* : 8 engagements — <https://bsky.example/8|voir>" +
			"\n• *X* : pas encore de chiffres"
		if len(fr.Yesterday.Items) != 1 || fr.Yesterday.Items[0].Text != want {
			t.Errorf("post\n%+v\nwant\n%q", fr.Yesterday.Items, want)
		}
		en := f.router.DigestPage(English, d)
		if want := "\n• *LinkedIn*: 12.4k reach · 15k impressions · 450 engagements · engagement rate 3% · reach rate 62% — <https://linkedin.example/8|see>"; !strings.Contains(en.Yesterday.Items[0].Text, want) {
			t.Errorf("English post %q lacks %q", en.Yesterday.Items[0].Text, want)
		}
		if !fr.Chart || fr.ChartFile != "catweete-digest-2026-11-24.png" || fr.ChartTitle != "Portée et engagements, du mar. 17 nov. au lun. 23 nov." {
			t.Errorf("chart %v %q %q", fr.Chart, fr.ChartFile, fr.ChartTitle)
		}
		if en.ChartTitle != "Reach and engagements, Tue 17 Nov to Mon 23 Nov" {
			t.Errorf("English chart title %q", en.ChartTitle)
		}
	})
	t.Run("ListsAreCapped", func(t *testing.T) {
		t.Parallel()
		d := digestOf(t)
		for i := range 8 {
			id := int64(i + 1)
			d.Pending = append(d.Pending, workflows.PendingPost{Post: workflows.Post{ID: id, Version: 3, Text: "Attend", AuthorID: "UA"},
				Since: d.Now.Add(-2 * time.Hour), Required: 2, Approvals: []string{"U9"}})
			d.Attention = append(d.Attention, storage.DeliveryView{Delivery: storage.Delivery{ID: 10 + id, PostID: id,
				Status: []string{storage.DeliveryFailed, storage.DeliveryUnknown}[i%2], LastError: "HTTP 500 <html>"},
				PostText: "Coincé", Network: social.NetworkMastodon})
		}
		for i := range 20 {
			d.Today = append(d.Today, workflows.UpcomingPost{PostID: int64(100 + i), Text: "Plus tard", At: d.Now.Add(time.Duration(i) * 20 * time.Minute),
				Networks: []string{"Mastodon"}})
		}
		page := f.router.DigestPage(French, d)
		if len(page.Pending.Items) != digestListMax || page.Pending.More != "…et 3 autre(s)" || page.Pending.Heading != "*En attente d'approbation* (8) :" {
			t.Errorf("pending: %d items, %q, %q", len(page.Pending.Items), page.Pending.Heading, page.Pending.More)
		}
		if it := page.Pending.Items[0]; it.PostID != 1 || it.Version != 3 ||
			it.Text != "n°1 « Attend » par <@UA> — 1/2 approbation(s), depuis 2 h" {
			t.Errorf("first pending %+v", it)
		}
		if len(page.Attention.Items) != digestListMax || page.Attention.More != "…et 3 autre(s)" {
			t.Errorf("attention: %d items, %q", len(page.Attention.Items), page.Attention.More)
		}
		if it := page.Attention.Items[1]; it.DeliveryID != 12 || !it.Unknown || page.Attention.Items[0].Unknown ||
			it.Text != "n°2 « Coincé » *Mastodon* — incertain : à vérifier (HTTP 500 &lt;html&gt;)" {
			t.Errorf("attention %+v", page.Attention.Items[:2])
		}
		if len(page.Today.Items) != digestTodayMax || page.Today.More != "…et 5 autre(s)" ||
			page.Today.Heading != "*Aujourd'hui* (20, heure de Europe/Paris) :" ||
			page.Today.Items[1].Text != "• 09:20 — n°101 « Plus tard » sur Mastodon" {
			t.Errorf("today: %q %q %q", page.Today.Heading, page.Today.Items[1].Text, page.Today.More)
		}
	})
	t.Run("FreeSlotsOnlyWithSlots", func(t *testing.T) {
		t.Parallel()
		d := digestOf(t)
		d.FreeSlots = []time.Time{d.Now.Add(30 * time.Minute), d.Now.Add(3*time.Hour + 30*time.Minute)}
		if got := f.router.DigestPage(French, d).FreeSlots; got != "🕳️ Créneaux libres aujourd'hui : 09:30, 12:30" {
			t.Errorf("free slots %q", got)
		}
		noSlots := setup(t, options{})
		if got := noSlots.router.DigestPage(French, d).FreeSlots; got != "" {
			t.Errorf("free slots without slots configured: %q", got)
		}
	})
}

func TestShortDay(t *testing.T) {
	t.Parallel()
	cat := NewCatalog()
	loc := paris(t)
	day := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC) // Tuesday 24 in Paris
	if got := cat.ShortDay(French, day, loc); got != "mar. 24" {
		t.Errorf("fr %q", got)
	}
	if got := cat.ShortDay(English, day, loc); got != "Tue 24" {
		t.Errorf("en %q", got)
	}
}

// The digest, asked of a real Service, is what the bot lays out.
func TestRouterDigest(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, paris(t))
	f := setup(t, options{now: func() time.Time { return now }})
	if _, err := f.svc.Draft(context.Background(), workflows.DraftRequest{AuthorID: "UA", Text: "Attend", OriginChannel: "C1"}); err != nil {
		t.Fatal(err)
	}
	d, err := f.router.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	page := f.router.DigestPage(French, d)
	if page.Title != "Le digest de catweete — mar. 24 nov." || len(page.Pending.Items) != 1 || page.Chart {
		t.Errorf("page %+v", page)
	}
	if want := fmt.Sprintf("n°%d « Attend » par <@UA>", page.Pending.Items[0].PostID); !strings.HasPrefix(page.Pending.Items[0].Text, want) {
		t.Errorf("pending %q", page.Pending.Items[0].Text)
	}
}
