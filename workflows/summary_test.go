package workflows

import (
	"reflect"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

func TestEngagements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    storage.Figures
		want storage.Count
	}{
		{"NothingGivenIsUnknown", storage.Figures{}, storage.Count{}},
		{"ImpressionsAndReachAreNotEngagements", storage.Figures{Impressions: known(900), Reach: known(500)}, storage.Count{}},
		{"AKnownZeroIsKnown", storage.Figures{Likes: known(0)}, known(0)},
		{"OneGivenIsEnough", storage.Figures{Saves: known(3)}, known(3)},
		{"MastodonLikesRepostsReplies", storage.Figures{Likes: known(40), Reposts: known(10), Replies: known(5)}, known(55)},
		{"AllSix", storage.Figures{Likes: known(1), Reposts: known(2), Replies: known(3), Clicks: known(4), Quotes: known(5), Saves: known(6)}, known(21)},
		{"UnknownOnesAreLeftOutNotZeroed", storage.Figures{Likes: known(7), Clicks: storage.Count{Value: 99}}, known(7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Engagements(tt.f); got != tt.want {
				t.Errorf("Engagements(%+v) = %+v, want %+v", tt.f, got, tt.want)
			}
		})
	}
}

func TestChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		current, previous storage.Count
		want              Rate
	}{
		{"Up", known(120), known(100), Rate{0.2, true}},
		{"Down", known(80), known(100), Rate{-0.2, true}},
		{"Same", known(100), known(100), Rate{0, true}},
		{"DownToZero", known(0), known(50), Rate{-1, true}},
		{"SevenFold", known(16000), known(2000), Rate{7, true}},
		{"PreviousZeroIsUnknown", known(10), known(0), Rate{}},
		{"PreviousUnknown", known(10), storage.Count{}, Rate{}},
		{"CurrentUnknown", storage.Count{}, known(10), Rate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Change(tt.current, tt.previous); got != tt.want {
				t.Errorf("Change(%+v, %+v) = %+v, want %+v", tt.current, tt.previous, got, tt.want)
			}
		})
	}
}

// TestSummarize sums a fixed set of snapshots over Mastodon (engagements
// only), X (impressions standing in for reach), LinkedIn (reach and
// impressions) and Facebook; every expected figure is worked out by hand in
// the comments.
func TestSummarize(t *testing.T) {
	t.Parallel()
	n := setupNumbers(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	day := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, time.UTC) }
	from, to := day(20, 0, 0, 0), day(25, 0, 0, 0) // five days; the previous five are [15, 20)

	// P1 on the four networks.
	p1, d1 := n.publishedPost(t, "Lancement du nouveau site", day(21, 9, 0, 0),
		social.NetworkMastodon, social.NetworkX, social.NetworkLinkedIn, social.NetworkFacebook)
	n.record(t, d1["mastodon"], day(22, 9, 0, 0), storage.Figures{Likes: known(40), Reposts: known(10), Replies: known(5)}) // 55
	n.followersAtPublish(t, d1["mastodon"], 2000)
	n.record(t, d1["x"], day(22, 9, 0, 0), storage.Figures{Impressions: known(8000), Likes: known(100), Reposts: known(20),
		Replies: known(10), Quotes: known(5), Saves: known(15), Clicks: known(50)}) // 200
	n.followersAtPublish(t, d1["x"], 10000)
	// An early snapshot, then the latest: only the latest counts.
	n.record(t, d1["linkedin"], day(21, 10, 0, 0), storage.Figures{Impressions: known(1000), Reach: known(700), Likes: known(10)})
	n.record(t, d1["linkedin"], day(23, 9, 0, 0), storage.Figures{Impressions: known(5000), Reach: known(3000), Likes: known(80),
		Reposts: known(10), Replies: known(10), Clicks: known(100)}) // 200
	n.followersAtPublish(t, d1["linkedin"], 6000)
	n.record(t, d1["facebook"], day(22, 9, 0, 0), storage.Figures{Impressions: known(4000), Reach: known(2500), Likes: known(50),
		Reposts: known(5), Replies: known(5)}) // 60; followers never known
	// P2 on Mastodon and LinkedIn.
	_, d2 := n.publishedPost(t, "Atelier jeudi à 18 h", day(23, 14, 0, 0), social.NetworkMastodon, social.NetworkLinkedIn)
	n.record(t, d2["mastodon"], day(24, 14, 0, 0), storage.Figures{Likes: known(10), Reposts: known(2), Replies: known(0)}) // 12
	n.followersAtPublish(t, d2["mastodon"], 2000)
	n.record(t, d2["linkedin"], day(24, 14, 0, 0), storage.Figures{Impressions: known(2000), Reach: known(1500), Likes: known(30),
		Reposts: known(0), Replies: known(5), Clicks: known(15)}) // 50
	n.followersAtPublish(t, d2["linkedin"], 6000)
	// P3 on X.
	_, d3 := n.publishedPost(t, "Sondage : chat ou chien ?", day(24, 18, 0, 0), social.NetworkX)
	n.record(t, d3["x"], day(24, 23, 0, 0), storage.Figures{Impressions: known(1000), Likes: known(20), Reposts: known(5),
		Replies: known(5), Quotes: known(0), Saves: known(0), Clicks: known(10)}) // 40
	n.followersAtPublish(t, d3["x"], 10000)
	// P4 on Facebook, never measured: a post, a delivery, no figure.
	n.publishedPost(t, "Jamais mesuré", day(24, 20, 0, 0), social.NetworkFacebook)
	// At `to`: the next period's.
	_, d5 := n.publishedPost(t, "Trop tard", to, social.NetworkMastodon)
	n.record(t, d5["mastodon"], day(25, 5, 0, 0), storage.Figures{Likes: known(1000)})

	// The previous period, [15, 20).
	_, q1 := n.publishedPost(t, "Veille", from.Add(-time.Second), social.NetworkLinkedIn)
	n.record(t, q1["linkedin"], day(20, 9, 0, 0), storage.Figures{Impressions: known(3000), Reach: known(2000), Likes: known(40),
		Reposts: known(5), Replies: known(5), Clicks: known(50)}) // 100
	n.followersAtPublish(t, q1["linkedin"], 6000)
	_, q2 := n.publishedPost(t, "Début de la période d'avant", day(15, 0, 0, 0), social.NetworkMastodon)
	n.record(t, q2["mastodon"], day(16, 0, 0, 0), storage.Figures{Likes: known(30)}) // 30
	_, q3 := n.publishedPost(t, "Avant la période d'avant", day(15, 0, 0, 0).Add(-time.Second), social.NetworkX)
	n.record(t, q3["x"], day(16, 0, 0, 0), storage.Figures{Impressions: known(99999)})

	got, err := n.svc.Summarize(t.Context(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{
		From: from, To: to,
		Networks: []NetworkFigures{
			{Network: "mastodon", Figures: Figures{Posts: 2, Deliveries: 2, Source: ReachNone,
				Engagements: known(55 + 12)}},
			{Network: "x", Figures: Figures{Posts: 2, Deliveries: 2,
				Impressions: known(8000 + 1000), Reach: known(8000 + 1000), Source: ReachFromImpressions,
				Engagements:    known(200 + 40),
				EngagementRate: Rate{240.0 / 9000, true}}}, // impressions never stand in for a share of the audience
			{Network: "linkedin", Figures: Figures{Posts: 2, Deliveries: 2,
				Impressions: known(5000 + 2000), Reach: known(3000 + 1500), Source: ReachGiven,
				Engagements:    known(200 + 50),
				EngagementRate: Rate{250.0 / 7000, true},
				ReachRate:      Rate{4500.0 / 12000, true}}},
			{Network: "facebook", Figures: Figures{Posts: 2, Deliveries: 2,
				Impressions: known(4000), Reach: known(2500), Source: ReachGiven,
				Engagements:    known(60),
				EngagementRate: Rate{60.0 / 4000, true}}}, // no followers known: no reach rate
		},
		Total: Figures{Posts: 4, Deliveries: 8,
			Impressions: known(8000 + 5000 + 4000 + 2000 + 1000),
			// LinkedIn and Facebook reach, X impressions standing in.
			Reach:       known(8000 + 3000 + 2500 + 1500 + 1000),
			Source:      ReachMixed,
			Engagements: known(55 + 200 + 200 + 60 + 12 + 50 + 40),
			// Over the deliveries with impressions only (not Mastodon's).
			EngagementRate: Rate{(200.0 + 200 + 60 + 50 + 40) / (8000 + 5000 + 4000 + 2000 + 1000), true},
			// Over those with reach and followers: LinkedIn only (not
			// Mastodon: no reach; not X: impressions are not people; not
			// Facebook: no followers).
			ReachRate: Rate{(3000.0 + 1500) / (6000 + 6000), true},
		},
		Previous: Figures{Posts: 2, Deliveries: 2,
			Impressions: known(3000), Reach: known(2000), Source: ReachGiven,
			Engagements:    known(100 + 30),
			EngagementRate: Rate{100.0 / 3000, true},
			ReachRate:      Rate{2000.0 / 6000, true}},
		Top: &TopPost{PostID: p1, Text: "Lancement du nouveau site",
			URL:   d1["mastodon"].RemoteURL, // its first delivery's link
			Score: 8000 + 3000 + 2500, ByReach: true},
	}
	for i := range max(len(got.Networks), len(want.Networks)) {
		if i >= len(got.Networks) || i >= len(want.Networks) {
			break
		}
		if !reflect.DeepEqual(got.Networks[i], want.Networks[i]) {
			t.Errorf("Networks[%d] =\n%+v\nwant\n%+v", i, got.Networks[i], want.Networks[i])
		}
	}
	if len(got.Networks) != len(want.Networks) {
		t.Errorf("%d networks, want %d: %+v", len(got.Networks), len(want.Networks), got.Networks)
	}
	if !reflect.DeepEqual(got.Total, want.Total) {
		t.Errorf("Total =\n%+v\nwant\n%+v", got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Previous, want.Previous) {
		t.Errorf("Previous =\n%+v\nwant\n%+v", got.Previous, want.Previous)
	}
	if !reflect.DeepEqual(got.Top, want.Top) {
		t.Errorf("Top = %+v, want %+v", got.Top, want.Top)
	}
	if !got.From.Equal(from) || !got.To.Equal(to) {
		t.Errorf("period = %v → %v, want %v → %v", got.From, got.To, from, to)
	}

	t.Run("ChangeAgainstThePreviousPeriod", func(t *testing.T) {
		if c := Change(got.Total.Reach, got.Previous.Reach); c != (Rate{7, true}) { // 16000 vs 2000
			t.Errorf("reach change = %+v, want ▲ 700 %%", c)
		}
		if c := Change(got.Total.Engagements, got.Previous.Engagements); c != (Rate{(617.0 - 130) / 130, true}) {
			t.Errorf("engagements change = %+v, want %v", c, (617.0-130)/130)
		}
	})
}

func TestSummarizeTopPost(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	from, to := at.Add(-time.Hour), at.Add(48*time.Hour)

	t.Run("ByEngagementsWhenNoNetworkGivesReach", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		_, a := n.publishedPost(t, "A", at, social.NetworkMastodon)
		n.record(t, a["mastodon"], at.Add(time.Hour), storage.Figures{Likes: known(10), Replies: known(2)}) // 12
		b, bd := n.publishedPost(t, "B", at.Add(time.Hour), social.NetworkMastodon)
		n.record(t, bd["mastodon"], at.Add(2*time.Hour), storage.Figures{Likes: known(20), Reposts: known(10)}) // 30
		n.publishedPost(t, "C, jamais mesuré", at.Add(2*time.Hour), social.NetworkMastodon)
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := &TopPost{PostID: b, Text: "B", URL: bd["mastodon"].RemoteURL, Score: 30, ByReach: false}
		if !reflect.DeepEqual(sum.Top, want) {
			t.Errorf("Top = %+v, want %+v", sum.Top, want)
		}
		if sum.Total.Source != ReachNone || sum.Total.Reach.Known || sum.Total.ReachRate.Known || sum.Total.EngagementRate.Known {
			t.Errorf("Total = %+v: no reach nor rate may be invented", sum.Total)
		}
	})

	t.Run("ByReachAddedAcrossNetworksEvenAgainstMoreEngagements", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		_, a := n.publishedPost(t, "Très aimé sur Mastodon", at, social.NetworkMastodon, social.NetworkLinkedIn)
		n.record(t, a["mastodon"], at.Add(time.Hour), storage.Figures{Likes: known(5000)})
		n.record(t, a["linkedin"], at.Add(time.Hour), storage.Figures{Reach: known(100)})
		b, bd := n.publishedPost(t, "Vu partout", at.Add(time.Hour), social.NetworkX, social.NetworkFacebook)
		n.record(t, bd["x"], at.Add(2*time.Hour), storage.Figures{Impressions: known(300), Likes: known(1)})
		n.record(t, bd["facebook"], at.Add(2*time.Hour), storage.Figures{Impressions: known(900), Reach: known(200)})
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Top == nil || sum.Top.PostID != b || sum.Top.Score != 300+200 || !sum.Top.ByReach {
			t.Errorf("Top = %+v, want post %d by reach 500 (X's 300 impressions standing in + Facebook's 200)", sum.Top, b)
		}
	})

	t.Run("FirstPublishedWinsATie", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		a, ad := n.publishedPost(t, "Premier", at, social.NetworkLinkedIn)
		n.record(t, ad["linkedin"], at.Add(time.Hour), storage.Figures{Reach: known(100)})
		_, bd := n.publishedPost(t, "Second", at.Add(time.Hour), social.NetworkLinkedIn)
		n.record(t, bd["linkedin"], at.Add(2*time.Hour), storage.Figures{Reach: known(100)})
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Top == nil || sum.Top.PostID != a {
			t.Errorf("Top = %+v, want the first published (%d)", sum.Top, a)
		}
	})

	t.Run("NoneWhenNothingScored", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		_, a := n.publishedPost(t, "Zéro", at, social.NetworkMastodon)
		n.record(t, a["mastodon"], at.Add(time.Hour), storage.Figures{Likes: known(0)})
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Top != nil {
			t.Errorf("Top = %+v, want none", sum.Top)
		}
		if sum.Total.Posts != 1 || sum.Total.Engagements != known(0) {
			t.Errorf("Total = %+v, want 1 post with 0 engagements (known)", sum.Total)
		}
	})

	t.Run("NothingPublished", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Top != nil || sum.Networks != nil || sum.Total != (Figures{}) || sum.Previous != (Figures{}) {
			t.Errorf("empty summary = %+v", sum)
		}
	})

	t.Run("AnAccountNoLongerConfiguredStillCounts", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, to)
		gone, err := n.store.UpsertAccount(t.Context(), storage.Account{Network: social.NetworkBluesky, Handle: "brand.bsky.social", CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		n.acct[social.NetworkBluesky] = Account{Account: gone}
		_, bd := n.publishedPost(t, "Sur Bluesky", at, social.NetworkBluesky)
		n.record(t, bd["bluesky"], at.Add(time.Hour), storage.Figures{Likes: known(4)})
		_, md := n.publishedPost(t, "Sur Mastodon", at, social.NetworkMastodon)
		n.record(t, md["mastodon"], at.Add(time.Hour), storage.Figures{Likes: known(6)})
		sum, err := n.svc.Summarize(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, nf := range sum.Networks {
			order = append(order, nf.Network)
		}
		if !reflect.DeepEqual(order, []string{"mastodon", "bluesky"}) || sum.Total.Engagements != known(10) {
			t.Errorf("networks %v, total %+v; want the configured first, then bluesky, 10 engagements", order, sum.Total)
		}
	})
}

func TestBounds(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	paris := f.svc.Location()
	if paris.String() != "Europe/Paris" {
		t.Fatalf("default zone %s", paris)
	}
	local := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		name               string
		now                time.Time
		today, week, month time.Time // the starts, in UTC
	}{
		{"Wednesday", local(2026, 11, 25, 11, 0),
			utc(2026, 11, 24, 23), utc(2026, 11, 22, 23), utc(2026, 10, 31, 23)},
		{"MondayJustAfterMidnight", local(2026, 11, 23, 0, 30),
			utc(2026, 11, 22, 23), utc(2026, 11, 22, 23), utc(2026, 10, 31, 23)},
		{"SundayLastMinute", local(2026, 11, 29, 23, 59),
			utc(2026, 11, 28, 23), utc(2026, 11, 22, 23), utc(2026, 10, 31, 23)},
		{"TheFirstOnATuesday", local(2026, 12, 1, 8, 0),
			utc(2026, 11, 30, 23), utc(2026, 11, 29, 23), utc(2026, 11, 30, 23)},
		{"TheFirstOnAMonday", local(2026, 6, 1, 9, 0),
			utc(2026, 5, 31, 22), utc(2026, 5, 31, 22), utc(2026, 5, 31, 22)},
		{"NewYearsDayOnAFriday", local(2027, 1, 1, 10, 0),
			utc(2026, 12, 31, 23), utc(2026, 12, 27, 23), utc(2026, 12, 31, 23)},
		// Summer time starts on Sunday 29 March 2026, 02:00 → 03:00.
		{"SpringSundayAfterTheChange", local(2026, 3, 29, 12, 0),
			utc(2026, 3, 28, 23), utc(2026, 3, 22, 23), utc(2026, 2, 28, 23)},
		{"SpringMondayAfter", local(2026, 3, 30, 10, 0),
			utc(2026, 3, 29, 22), utc(2026, 3, 29, 22), utc(2026, 2, 28, 23)},
		{"SpringTuesdayAfter", local(2026, 3, 31, 10, 0),
			utc(2026, 3, 30, 22), utc(2026, 3, 29, 22), utc(2026, 2, 28, 23)},
		{"SpringFirstOfApril", local(2026, 4, 1, 10, 0),
			utc(2026, 3, 31, 22), utc(2026, 3, 29, 22), utc(2026, 3, 31, 22)},
		// Winter time comes back on Sunday 25 October 2026, 03:00 → 02:00.
		{"AutumnSundayAfterTheChange", local(2026, 10, 25, 12, 0),
			utc(2026, 10, 24, 22), utc(2026, 10, 18, 22), utc(2026, 9, 30, 22)},
		{"AutumnMondayAfter", local(2026, 10, 26, 9, 0),
			utc(2026, 10, 25, 23), utc(2026, 10, 25, 23), utc(2026, 9, 30, 22)},
		{"AutumnWednesdayAfter", local(2026, 10, 28, 9, 0),
			utc(2026, 10, 27, 23), utc(2026, 10, 25, 23), utc(2026, 9, 30, 22)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.set(tt.now)
			for _, p := range []struct {
				period Period
				want   time.Time
			}{{PeriodToday, tt.today}, {PeriodWeek, tt.week}, {PeriodMonth, tt.month}} {
				from, to := f.svc.Bounds(p.period)
				if !from.Equal(p.want) || !to.Equal(tt.now) {
					t.Errorf("Bounds(%d) at %s = %s → %s, want %s → now", p.period, tt.now,
						from.In(paris), to.In(paris), p.want.In(paris))
				}
				if from.In(paris).Hour() != 0 || from.In(paris).Minute() != 0 {
					t.Errorf("Bounds(%d) starts at %s, not at midnight in Paris", p.period, from.In(paris))
				}
			}
		})
	}
}

func TestSummarizePreviousPeriodAcrossTheClockChange(t *testing.T) {
	t.Parallel()
	// Tuesday 31 March 2026, 10:00 in Paris: the week began on Monday at
	// midnight, summer time, 34 hours ago. The period before is the 34
	// hours just before it, across the change: from Saturday 12:00 UTC.
	now := time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC)
	n := setupNumbers(t, now)
	from, to := n.svc.Bounds(PeriodWeek)
	if want := time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC); !from.Equal(want) {
		t.Fatalf("week from %s, want %s", from, want)
	}
	prevFrom := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
	_, in := n.publishedPost(t, "Juste dedans", prevFrom, social.NetworkMastodon)
	n.record(t, in["mastodon"], prevFrom.Add(time.Hour), storage.Figures{Likes: known(3)})
	_, out := n.publishedPost(t, "Juste avant", prevFrom.Add(-time.Second), social.NetworkMastodon)
	n.record(t, out["mastodon"], prevFrom.Add(time.Hour), storage.Figures{Likes: known(100)})
	sum, err := n.svc.Summarize(t.Context(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Previous.Posts != 1 || sum.Previous.Engagements != known(3) {
		t.Errorf("Previous = %+v, want the one post of [%s, %s)", sum.Previous, prevFrom, from)
	}
}

func TestDays(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	local := func(m time.Month, d, h, min, s int) time.Time { return time.Date(2026, m, d, h, min, s, 0, paris) }

	t.Run("BucketsByTheLocalDay", func(t *testing.T) {
		t.Parallel()
		// Wednesday 25 November, 11:00 in Paris: the seven days are
		// 18 to 24 November.
		n := setupNumbers(t, local(11, 25, 11, 0, 0))
		post := func(text string, at time.Time, network string, f storage.Figures) {
			_, d := n.publishedPost(t, text, at, network)
			n.record(t, d[network], at.Add(time.Hour), f)
		}
		post("Avant", local(11, 17, 23, 30, 0), "linkedin", storage.Figures{Reach: known(1)})
		// 23:00 UTC on the 17th: the 18th in Paris.
		post("Minuit pile", local(11, 18, 0, 0, 0), "linkedin", storage.Figures{Reach: known(10)})
		post("Tard le 20", local(11, 20, 23, 30, 0), "linkedin", storage.Figures{Reach: known(20)})
		post("Tard le 20 aussi", local(11, 20, 22, 0, 0), "x", storage.Figures{Impressions: known(200), Likes: known(2)})
		// 23:30 UTC on the 20th: the 21st in Paris.
		post("Tôt le 21", local(11, 21, 0, 30, 0), "linkedin", storage.Figures{Reach: known(40)})
		post("Dernière seconde", local(11, 24, 23, 59, 59), "mastodon", storage.Figures{Likes: known(5)})
		post("Aujourd'hui", local(11, 25, 8, 0, 0), "linkedin", storage.Figures{Reach: known(1000)})

		days, err := n.svc.Days(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		type cell struct {
			network string
			reach   storage.Count
			eng     storage.Count
		}
		want := map[int][]cell{
			0: {{"linkedin", known(10), storage.Count{}}},
			2: {{"linkedin", known(20), storage.Count{}}, {"x", known(200), known(2)}},
			3: {{"linkedin", known(40), storage.Count{}}},
			6: {{"mastodon", storage.Count{}, known(5)}},
		}
		if len(days) != 7 {
			t.Fatalf("%d days, want 7", len(days))
		}
		for i, d := range days {
			if wantDay := local(11, 18+i, 0, 0, 0); !d.Day.Equal(wantDay) {
				t.Errorf("days[%d].Day = %s, want %s", i, d.Day, wantDay)
			}
			if len(d.Networks) != len(want[i]) {
				t.Errorf("days[%d] (%s) networks = %+v, want %+v", i, d.Day.Format("Mon 2"), d.Networks, want[i])
				continue
			}
			for _, c := range want[i] {
				got := d.Networks[c.network]
				if got.Posts != 1 || got.Reach != c.reach || got.Engagements != c.eng {
					t.Errorf("days[%d][%s] = %+v, want 1 post, reach %+v, engagements %+v", i, c.network, got, c.reach, c.eng)
				}
			}
		}
	})

	t.Run("AcrossTheSpringClockChange", func(t *testing.T) {
		t.Parallel()
		// Wednesday 1 April 2026: the days are 25 to 31 March, the 29th
		// being 23 hours long.
		n := setupNumbers(t, time.Date(2026, 4, 1, 10, 0, 0, 0, paris))
		at := func(d, h, min int) time.Time { return time.Date(2026, 3, d, h, min, 0, 0, paris) }
		for _, p := range []struct {
			at    time.Time
			reach int64
		}{{at(29, 0, 30), 1}, {at(29, 23, 30), 2}, {at(30, 0, 30), 4}, {at(28, 23, 59), 8}} {
			_, d := n.publishedPost(t, "Post", p.at, "linkedin")
			n.record(t, d["linkedin"], p.at.Add(time.Minute), storage.Figures{Reach: known(p.reach)})
		}
		days, err := n.svc.Days(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		var reach []int64
		for i, d := range days {
			if want := at(25+i, 0, 0); !d.Day.Equal(want) {
				t.Errorf("days[%d].Day = %s, want %s", i, d.Day, want)
			}
			reach = append(reach, d.Networks["linkedin"].Reach.Value)
		}
		// 28th: 8; 29th: 1 + 2; 30th: 4.
		if want := []int64{0, 0, 0, 8, 3, 4, 0}; !reflect.DeepEqual(reach, want) {
			t.Errorf("reach per day = %v, want %v", reach, want)
		}
	})
}
