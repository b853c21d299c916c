package commands

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
	"catweete/storage"
	"catweete/workflows"
)

// updateGolden rewrites testdata/*.golden from what the code answers:
//
//	go test ./commands -run Golden -update
var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// numbersNet is a network account that publishes nothing: the scenario's
// posts are stored as published directly.
type numbersNet struct{ network string }

func (n numbersNet) Network() string { return n.network }
func (n numbersNet) Publish(context.Context, social.Post) (social.Published, error) {
	return social.Published{}, fmt.Errorf("%s: not in this test", n.network)
}
func (n numbersNet) Length(text string) (int, int) { return utf8.RuneCountInString(text), 3000 }
func (n numbersNet) Idempotent() bool              { return true }

// numbersNow is the scenario's clock: Wednesday 25 November 2026, 11:00 in
// Paris.
var numbersNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// numbersFixture is a Router over Mastodon, X, LinkedIn and Facebook
// accounts, at numbersNow.
func numbersFixture(t *testing.T) *fixture {
	t.Helper()
	return setup(t, options{now: func() time.Time { return numbersNow }, more: []workflows.AccountConfig{
		{Handle: "@brand", Publisher: numbersNet{social.NetworkX}},
		{Handle: "urn:li:organization:1", Publisher: numbersNet{social.NetworkLinkedIn}},
		{Handle: "page-1", Publisher: numbersNet{social.NetworkFacebook}},
	}})
}

// measure is one delivery's figures in the scenario.
type measure struct {
	network   string
	figures   storage.Figures
	followers int64 // 0: not known
}

// seedPublished stores a post gone out at `at` on each measure's network,
// with its figures (measured a day later) and audience, through the
// storage calls the dispatcher and the collector make.
func seedPublished(t *testing.T, f *fixture, text string, at time.Time, ms ...measure) {
	t.Helper()
	ctx := t.Context()
	accounts := map[string]int64{}
	networks := map[int64]string{}
	for _, a := range f.svc.Accounts() {
		accounts[a.Network], networks[a.ID] = a.ID, a.Network
	}
	postID, err := f.store.InsertPost(ctx, storage.Post{Text: text, AuthorID: "U1", Status: workflows.StatusPublished, CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := f.store.InsertDelivery(ctx, storage.Delivery{PostID: postID, AccountID: accounts[m.network],
			Status: storage.DeliveryScheduled, IdempotencyKey: fmt.Sprintf("k-%d-%s", postID, m.network),
			DueAt: at, NextAttemptAt: at, CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := f.store.ClaimDeliveries(ctx, at, at.Add(time.Minute), 10)
	if err != nil || len(claimed) != len(ms) {
		t.Fatalf("claimed %v, %v", claimed, err)
	}
	for _, d := range claimed {
		network := networks[d.AccountID]
		remote := fmt.Sprintf("%d", postID)
		if err := f.store.CompleteDelivery(ctx, d.ID, d.Attempts, remote,
			fmt.Sprintf("https://%s.example/brand/%s", network, remote), at); err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.network != network {
				continue
			}
			if err := f.store.WithTx(ctx, func(tx *storage.Tx) error {
				return tx.RecordMetrics(ctx, d.ID, at.Add(24*time.Hour), m.figures)
			}); err != nil {
				t.Fatal(err)
			}
			if m.followers > 0 {
				if err := f.store.SetFollowersAtPublish(ctx, d.ID, m.followers); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func k(v int64) storage.Count { return storage.Count{Value: v, Known: true} }

// seedWeek stores the scenario: this week (since Monday 23 November) three
// posts over the four networks, two the days before, and one the week
// before that.
func seedWeek(t *testing.T, f *fixture) {
	t.Helper()
	loc := paris(t)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, loc) }
	seedPublished(t, f, "Mardi d'avant", at(17, 12, 0),
		measure{"mastodon", storage.Figures{Likes: k(8)}, 2000})
	// Before the period that the week (59 hours) is compared with, Friday
	// 13:00 → Monday 00:00; in it for `reach 2026-11-20 2026-11-22`.
	seedPublished(t, f, "Bon week-end à tous", at(20, 10, 0),
		measure{"mastodon", storage.Figures{Likes: k(30)}, 2000},
		measure{"linkedin", storage.Figures{Impressions: k(3000), Reach: k(2000), Likes: k(40), Reposts: k(5), Replies: k(5), Clicks: k(50)}, 6000})
	seedPublished(t, f, "Dimanche <calme>", at(22, 18, 0),
		measure{"x", storage.Figures{Impressions: k(11900), Likes: k(200), Reposts: k(50), Replies: k(30), Clicks: k(20)}, 10000})
	// This week: 16 400 reach or stand-in (▲ 38 % on 11 900), 617
	// engagements (▲ 106 % on 300).
	seedPublished(t, f, "Notre nouveau site est en ligne : https://example.com — venez voir, tout a changé depuis l'an dernier !", at(23, 9, 30),
		measure{"mastodon", storage.Figures{Likes: k(40), Reposts: k(10), Replies: k(5)}, 2000},
		measure{"x", storage.Figures{Impressions: k(8000), Likes: k(100), Reposts: k(20), Replies: k(10), Quotes: k(5), Saves: k(15), Clicks: k(50)}, 10000},
		measure{"linkedin", storage.Figures{Impressions: k(5000), Reach: k(3000), Likes: k(80), Reposts: k(10), Replies: k(10), Clicks: k(100)}, 6000},
		measure{"facebook", storage.Figures{Impressions: k(4000), Reach: k(2500), Likes: k(50), Reposts: k(5), Replies: k(5)}, 0})
	seedPublished(t, f, "Atelier jeudi à 18 h", at(24, 14, 0),
		measure{"mastodon", storage.Figures{Likes: k(10), Reposts: k(2), Replies: k(0)}, 2000},
		measure{"linkedin", storage.Figures{Impressions: k(2000), Reach: k(1500), Likes: k(30), Reposts: k(0), Replies: k(5), Clicks: k(15)}, 6000})
	seedPublished(t, f, "Sondage : chat ou chien ?", at(25, 9, 0),
		measure{"x", storage.Figures{Impressions: k(1400), Likes: k(20), Reposts: k(5), Replies: k(5), Clicks: k(10)}, 10000})
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestNumbersGolden(t *testing.T) {
	t.Parallel()
	f := numbersFixture(t)
	seedWeek(t, f)
	tests := []struct{ file, text string }{
		{"status_fr.golden", "alors ça tweete ?"},
		{"status_en.golden", "how's it going?"},
		{"reach_week_fr.golden", "portée"},
		{"reach_week_en.golden", "reach week"},
		{"reach_today_fr.golden", "portée aujourd'hui"},
		{"reach_today_en.golden", "reach today"},
		{"reach_month_fr.golden", "chiffres mois"},
		{"reach_dates_en.golden", "reach 2026-11-20 2026-11-22"},
		// Nothing on 18–19 November; one post on the two days before.
		{"reach_empty_fr.golden", "portée 18/11 19/11"},
		{"reach_empty_en.golden", "reach 2026-11-18 2026-11-19"},
		// Nothing, and nothing before either.
		{"reach_empty_none_before_fr.golden", "portée 2026-10-01 2026-10-07"},
		{"reach_bad_period_fr.golden", "portée hier <soir>"},
		{"reach_bad_period_en.golden", "reach last week"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, f.handle(t, "U1", tt.text).Text)
		})
	}
}

// TestNumbersGoldenEngagementsOnly: where no network gives reach nor
// impressions, only engagements are shown, and the top post is ranked by
// them.
func TestNumbersGoldenEngagementsOnly(t *testing.T) {
	t.Parallel()
	f := numbersFixture(t)
	loc := paris(t)
	seedPublished(t, f, "Lundi sur Mastodon", time.Date(2026, 11, 23, 9, 0, 0, 0, loc),
		measure{"mastodon", storage.Figures{Likes: k(12), Reposts: k(3), Replies: k(1)}, 2000})
	seedPublished(t, f, "Mardi sur Mastodon", time.Date(2026, 11, 24, 9, 0, 0, 0, loc),
		measure{"mastodon", storage.Figures{Likes: k(1200), Reposts: k(300), Replies: k(40)}, 2000})
	for _, tt := range []struct{ file, text string }{
		{"reach_engagements_only_fr.golden", "portée semaine"},
		{"reach_engagements_only_en.golden", "reach"},
		{"status_engagements_only_fr.golden", "alors ça tweete ?"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, f.handle(t, "U1", tt.text).Text)
		})
	}
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	f := numbersFixture(t)
	loc := paris(t)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, loc) }
	now := numbersNow
	tests := []struct {
		args     string
		from, to time.Time
		label    Key
	}{
		{"", day(11, 23), now, MsgPeriodWeek},
		{"semaine", day(11, 23), now, MsgPeriodWeek},
		{"Semaine", day(11, 23), now, MsgPeriodWeek},
		{"week", day(11, 23), now, MsgPeriodWeek},
		{"aujourd'hui", day(11, 25), now, MsgPeriodToday},
		{"Aujourd’hui", day(11, 25), now, MsgPeriodToday},
		{"aujourdhui", day(11, 25), now, MsgPeriodToday},
		{"jour", day(11, 25), now, MsgPeriodToday},
		{"today", day(11, 25), now, MsgPeriodToday},
		{"day", day(11, 25), now, MsgPeriodToday},
		{"mois", day(11, 1), now, MsgPeriodMonth},
		{"MONTH", day(11, 1), now, MsgPeriodMonth},
		{"2026-11-01 2026-11-15", day(11, 1), day(11, 16), MsgPeriodDates},
		{"1/11 15/11", day(11, 1), day(11, 16), MsgPeriodDates},
		{"01/11/2026 15/11/2026", day(11, 1), day(11, 16), MsgPeriodDates},
		{"1/11/26 15/11/26", day(11, 1), day(11, 16), MsgPeriodDates},
		{"2026-11-01 15/11", day(11, 1), day(11, 16), MsgPeriodDates},
		{"  2026-11-01   2026-11-15  ", day(11, 1), day(11, 16), MsgPeriodDates},
		{"2026-11-15 2026-11-15", day(11, 15), day(11, 16), MsgPeriodDates},
		// Winter time comes back on the 25th: a 49-hour weekend.
		{"2026-10-24 2026-10-25", day(10, 24), day(10, 26), MsgPeriodDates},
		{"31/12/2025 1/1/2026", time.Date(2025, 12, 31, 0, 0, 0, 0, loc), day(1, 2), MsgPeriodDates},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			from, to, label, err := f.router.parsePeriod(tt.args)
			if err != nil || !from.Equal(tt.from) || !to.Equal(tt.to) || label != tt.label {
				t.Errorf("parsePeriod(%q) = %s → %s, %q, %v; want %s → %s, %q", tt.args,
					from.In(loc), to.In(loc), label, err, tt.from.In(loc), tt.to.In(loc), tt.label)
			}
		})
	}
	for _, bad := range []string{
		"hier", "semaine dernière", "last week", "2026-11-01",
		"2026-11-15 2026-11-01", // backwards
		"31/11 1/12",            // no 31 November
		"1/13 2/13", "2026-02-29 2026-03-01", "1/11 15/11 30/11", "du 1/11 au 15/11",
		"11/18/2026 11/19/2026", // month first: not read
		"lundi mardi", "1/x 2/11", "2026-11-01 demain",
	} {
		t.Run("Bad_"+bad, func(t *testing.T) {
			t.Parallel()
			if from, to, label, err := f.router.parsePeriod(bad); err == nil {
				t.Errorf("parsePeriod(%q) = %s → %s, %q; want an error", bad, from, to, label)
			}
		})
	}
}

func TestReachBadPeriodAnswersUsage(t *testing.T) {
	t.Parallel()
	f := numbersFixture(t)
	for _, tt := range []struct{ text, want string }{
		{"portée hier", "Je ne comprends pas la période « hier ». Essayez `/catweete portée semaine`, `mois`, `aujourd'hui`, ou deux dates : `2026-11-01 2026-11-15`."},
		{"reach <b>x</b> y", "I don't understand the period “&lt;b&gt;x&lt;/b&gt; y”. Try `/catweete reach week`, `month`, `today`, or two dates: `2026-11-01 2026-11-15`."},
	} {
		if got := f.handle(t, "U1", tt.text).Text; got != tt.want {
			t.Errorf("%q →\n%s\nwant\n%s", tt.text, got, tt.want)
		}
	}
}

func TestCompact(t *testing.T) {
	t.Parallel()
	c := parseRouter(t).cat
	const nnbsp, nbsp = "\u202f", "\u00a0"
	tests := []struct {
		n      int64
		fr, en string
	}{
		{0, "0", "0"},
		{950, "950", "950"},
		{1234, "1" + nnbsp + "234", "1,234"},
		{9999, "9" + nnbsp + "999", "9,999"},
		{10_000, "10" + nbsp + "k", "10k"},
		{12_400, "12,4" + nbsp + "k", "12.4k"},
		{16_400, "16,4" + nbsp + "k", "16.4k"},
		{99_950, "100" + nbsp + "k", "100k"},
		{123_456, "123" + nbsp + "k", "123k"},
		{999_499, "999" + nbsp + "k", "999k"},
		// Rounded, it is a million: "1 M", not "1000 k".
		{999_999, "1" + nbsp + "M", "1M"},
		{1_000_000, "1" + nbsp + "M", "1M"},
		// Half up, as people round: 1.25 M is 1.3 M.
		{1_250_000, "1,3" + nbsp + "M", "1.3M"},
		{1_240_000, "1,2" + nbsp + "M", "1.2M"},
		{12_345_678, "12,3" + nbsp + "M", "12.3M"},
		{-12_400, "-12,4" + nbsp + "k", "-12.4k"},
	}
	for _, tt := range tests {
		if got := c.Compact(French, tt.n); got != tt.fr {
			t.Errorf("Compact(French, %d) = %q, want %q", tt.n, got, tt.fr)
		}
		if got := c.Compact(English, tt.n); got != tt.en {
			t.Errorf("Compact(English, %d) = %q, want %q", tt.n, got, tt.en)
		}
	}
}

func TestPercent(t *testing.T) {
	t.Parallel()
	c := parseRouter(t).cat
	const nnbsp = "\u202f"
	tests := []struct {
		share  float64
		fr, en string
	}{
		{0.032, "3,2" + nnbsp + "%", "3.2%"},
		{0, "0" + nnbsp + "%", "0%"},
		{0.005, "0,5" + nnbsp + "%", "0.5%"},
		{0.05, "5" + nnbsp + "%", "5%"},
		{0.0999, "10" + nnbsp + "%", "10%"},
		{0.1, "10" + nnbsp + "%", "10%"},
		{0.18, "18" + nnbsp + "%", "18%"},
		{0.434375, "43" + nnbsp + "%", "43%"},
		{1.5, "150" + nnbsp + "%", "150%"},
		{-0.032, "-3,2" + nnbsp + "%", "-3.2%"},
	}
	for _, tt := range tests {
		if got := c.Percent(French, tt.share); got != tt.fr {
			t.Errorf("Percent(French, %v) = %q, want %q", tt.share, got, tt.fr)
		}
		if got := c.Percent(English, tt.share); got != tt.en {
			t.Errorf("Percent(English, %v) = %q, want %q", tt.share, got, tt.en)
		}
	}
}

func TestTrend(t *testing.T) {
	t.Parallel()
	c := parseRouter(t).cat
	const nnbsp = "\u202f"
	tests := []struct {
		change workflows.Rate
		fr, en string
	}{
		{workflows.Rate{}, "", ""},
		{workflows.Rate{Value: 0.18, Known: true}, "▲ 18" + nnbsp + "%", "▲ 18%"},
		{workflows.Rate{Value: -0.05, Known: true}, "▼ 5" + nnbsp + "%", "▼ 5%"},
		{workflows.Rate{Value: 0, Known: true}, "=", "="},
		{workflows.Rate{Value: 0.004, Known: true}, "=", "="},
		{workflows.Rate{Value: -0.004, Known: true}, "=", "="},
		{workflows.Rate{Value: 0.005, Known: true}, "▲ 1" + nnbsp + "%", "▲ 1%"},
		{workflows.Rate{Value: 0.125, Known: true}, "▲ 13" + nnbsp + "%", "▲ 13%"},
		{workflows.Rate{Value: 7, Known: true}, "▲ 700" + nnbsp + "%", "▲ 700%"},
		{workflows.Rate{Value: -1, Known: true}, "▼ 100" + nnbsp + "%", "▼ 100%"},
		{workflows.Change(k(16400), k(13900)), "▲ 18" + nnbsp + "%", "▲ 18%"},
		{workflows.Change(k(10), k(0)), "", ""},
	}
	for _, tt := range tests {
		if got := c.Trend(French, tt.change); got != tt.fr {
			t.Errorf("Trend(French, %+v) = %q, want %q", tt.change, got, tt.fr)
		}
		if got := c.Trend(English, tt.change); got != tt.en {
			t.Errorf("Trend(English, %+v) = %q, want %q", tt.change, got, tt.en)
		}
	}
}
