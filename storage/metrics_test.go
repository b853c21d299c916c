package storage

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// metricsFixture is a database with accounts on a network that gives
// reach (LinkedIn), one that does not (Mastodon) and a third one.
type metricsFixture struct {
	s                  *Store
	linkedin, mastodon Account
	facebook           Account
	posts              int
}

func setupMetrics(t *testing.T) *metricsFixture {
	t.Helper()
	s := setup(t)
	return &metricsFixture{
		s:        s,
		linkedin: newAccount(t, s.queries, "linkedin", "urn:li:organization:1"),
		mastodon: newAccount(t, s.queries, "mastodon", "@catweete@example.social"),
		facebook: newAccount(t, s.queries, "facebook", "page-1"),
	}
}

// published stores a post and its delivery on account, gone out at `at`
// with this remote id, through the same calls as the dispatcher.
func (f *metricsFixture) published(t *testing.T, account Account, at time.Time, remoteID string) Delivery {
	t.Helper()
	f.posts++
	p := newPost(t, f.s.queries, Post{Text: fmt.Sprintf("Post %d", f.posts), Status: "published", CreatedAt: at})
	d := newDelivery(t, f.s.queries, Delivery{PostID: p.ID, AccountID: account.ID, Status: DeliveryPublishing, CreatedAt: at})
	url := ""
	if remoteID != "" {
		url = "https://" + account.Network + ".example/" + remoteID
	}
	if err := f.s.CompleteDelivery(t.Context(), d.ID, d.Attempts, remoteID, url, at); err != nil {
		t.Fatalf("CompleteDelivery: %v", err)
	}
	return delivery(t, f.s, d.ID)
}

// record stores a snapshot in a transaction, as the collector does.
func (f *metricsFixture) record(t *testing.T, deliveryID int64, at time.Time, fig Figures) {
	t.Helper()
	err := f.s.WithTx(t.Context(), func(tx *Tx) error { return tx.RecordMetrics(t.Context(), deliveryID, at, fig) })
	if err != nil {
		t.Fatalf("RecordMetrics(%d, %s): %v", deliveryID, at.Format(time.RFC3339), err)
	}
}

// measured returns the delivery as PublishedBetween sees it.
func (f *metricsFixture) measured(t *testing.T, deliveryID int64) Measured {
	t.Helper()
	ms, err := f.s.PublishedBetween(t.Context(), t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatalf("PublishedBetween: %v", err)
	}
	for _, m := range ms {
		if m.DeliveryID == deliveryID {
			return m
		}
	}
	t.Fatalf("delivery %d not among the published", deliveryID)
	return Measured{}
}

func known(v int64) Count { return Count{Value: v, Known: true} }

func TestRecordMetrics(t *testing.T) {
	t.Parallel()

	t.Run("KeepsEverySnapshotAndCopiesTheNewestOntoTheDelivery", func(t *testing.T) {
		t.Parallel()
		f := setupMetrics(t)
		d := f.published(t, f.linkedin, t0, "urn:li:share:1")
		at1, at2, at3 := t0.Add(15*time.Minute), t0.Add(time.Hour), t0.Add(2*time.Hour)
		f.record(t, d.ID, at1, Figures{Reach: known(10)})
		f.record(t, d.ID, at3, Figures{Reach: known(30)})
		// A collector that was slower records an older snapshot last.
		f.record(t, d.ID, at2, Figures{Reach: known(20)})

		snaps, err := f.s.Snapshots(t.Context(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []Snapshot{
			{DeliveryID: d.ID, At: at1, Figures: Figures{Reach: known(10)}},
			{DeliveryID: d.ID, At: at2, Figures: Figures{Reach: known(20)}},
			{DeliveryID: d.ID, At: at3, Figures: Figures{Reach: known(30)}},
		}
		if !reflect.DeepEqual(snaps, want) {
			t.Errorf("Snapshots =\n%+v\nwant\n%+v", snaps, want)
		}
		m := f.measured(t, d.ID)
		if m.Reach != known(30) || !m.MeasuredAt.Equal(at3) {
			t.Errorf("latest = reach %+v at %s, want 30 at %s (the newest, not the last recorded)", m.Reach, m.MeasuredAt, at3)
		}
	})

	t.Run("SameInstantTwiceKeepsBothSnapshots", func(t *testing.T) {
		t.Parallel()
		f := setupMetrics(t)
		d := f.published(t, f.linkedin, t0, "urn:li:share:1")
		at := t0.Add(time.Hour)
		f.record(t, d.ID, at, Figures{Reach: known(10)})
		f.record(t, d.ID, at, Figures{Reach: known(11)})
		snaps, err := f.s.Snapshots(t.Context(), d.ID)
		if err != nil || len(snaps) != 2 {
			t.Fatalf("Snapshots = %+v, %v; want both", snaps, err)
		}
		if m := f.measured(t, d.ID); m.Reach != known(11) {
			t.Errorf("latest reach %+v, want the one recorded last at the same instant (11)", m.Reach)
		}
	})

	t.Run("KeepsUnknownApartFromZero", func(t *testing.T) {
		t.Parallel()
		f := setupMetrics(t)
		d := f.published(t, f.mastodon, t0, "110000000000000001")
		// Mastodon: no impressions, no reach, no clicks; a zero is a zero.
		fig := Figures{Likes: known(0), Reposts: known(3), Replies: known(0), Quotes: Count{}, Saves: Count{}}
		f.record(t, d.ID, t0.Add(time.Hour), fig)
		snaps, err := f.s.Snapshots(t.Context(), d.ID)
		if err != nil || len(snaps) != 1 {
			t.Fatalf("Snapshots = %+v, %v", snaps, err)
		}
		if snaps[0].Figures != fig {
			t.Errorf("snapshot figures = %+v, want %+v", snaps[0].Figures, fig)
		}
		if m := f.measured(t, d.ID); m.Figures != fig {
			t.Errorf("latest figures = %+v, want %+v", m.Figures, fig)
		}
		var nulls, zeros int
		if err := f.s.sqlDB.QueryRowContext(t.Context(), `SELECT
				(impressions IS NULL) + (reach IS NULL) + (clicks IS NULL) + (quotes IS NULL) + (saves IS NULL),
				(likes = 0) + (replies = 0)
			FROM metric_snapshots WHERE delivery_id = ?`, d.ID).Scan(&nulls, &zeros); err != nil {
			t.Fatal(err)
		}
		if nulls != 5 || zeros != 2 {
			t.Errorf("stored %d NULLs and %d zeros, want 5 and 2", nulls, zeros)
		}
	})

	t.Run("NeverMeasuredIsUnknownNotZero", func(t *testing.T) {
		t.Parallel()
		f := setupMetrics(t)
		d := f.published(t, f.linkedin, t0, "urn:li:share:1")
		m := f.measured(t, d.ID)
		if m.Figures != (Figures{}) || !m.MeasuredAt.IsZero() || m.Followers.Known {
			t.Errorf("never measured = %+v", m)
		}
	})

	t.Run("UnknownDeliveryIsRefused", func(t *testing.T) {
		t.Parallel()
		f := setupMetrics(t)
		err := f.s.WithTx(t.Context(), func(tx *Tx) error {
			return tx.RecordMetrics(t.Context(), 999, t0, Figures{Likes: known(1)})
		})
		if err == nil {
			t.Fatal("RecordMetrics of a delivery that does not exist succeeded")
		}
		if n := count(t, f.s, "metric_snapshots"); n != 0 {
			t.Errorf("%d snapshots left behind", n)
		}
	})
}

func TestDeliveriesToMeasure(t *testing.T) {
	t.Parallel()
	now := t0
	never := time.Duration(-1)
	tests := []struct {
		name     string
		age      time.Duration // since publication
		measured time.Duration // since the last snapshot; never for none
		want     bool
	}{
		{"FirstDayNeverMeasured", 2 * time.Hour, never, true},
		{"FirstDayMeasured10MinAgo", 2 * time.Hour, 10 * time.Minute, false},
		{"FirstDayMeasured14MinAgo", 2 * time.Hour, 14 * time.Minute, false},
		{"FirstDayMeasured15MinAgo", 2 * time.Hour, 15 * time.Minute, true},
		{"FirstDayMeasured16MinAgo", 2 * time.Hour, 16 * time.Minute, true},
		{"JustPublished", time.Minute, never, true},
		{"ThreeDaysMeasured59MinAgo", 3 * 24 * time.Hour, 59 * time.Minute, false},
		{"ThreeDaysMeasured61MinAgo", 3 * 24 * time.Hour, 61 * time.Minute, true},
		{"ThreeDaysMeasured16MinAgo", 3 * 24 * time.Hour, 16 * time.Minute, false},
		{"TenDaysMeasured23HoursAgo", 10 * 24 * time.Hour, 23 * time.Hour, false},
		{"TenDaysMeasured25HoursAgo", 10 * 24 * time.Hour, 25 * time.Hour, true},
		{"TenDaysMeasured2HoursAgo", 10 * 24 * time.Hour, 2 * time.Hour, false},
		{"ThirtyOneDaysNeverMeasured", 31 * 24 * time.Hour, never, false},
		{"ThirtyOneDaysMeasured2DaysAgo", 31 * 24 * time.Hour, 48 * time.Hour, false},
	}
	f := setupMetrics(t)
	want := map[int64]string{}
	names := map[int64]string{}
	for _, tt := range tests {
		d := f.published(t, f.linkedin, now.Add(-tt.age), "urn:li:share:"+tt.name)
		if tt.measured != never {
			f.record(t, d.ID, now.Add(-tt.measured), Figures{Reach: known(1)})
		}
		names[d.ID] = tt.name
		if tt.want {
			want[d.ID] = tt.name
		}
	}
	// Never measured: unpublished, or published without a remote id (a
	// person confirmed it went out).
	unpublished := newDelivery(t, f.s.queries, Delivery{PostID: newPost(t, f.s.queries, Post{}).ID,
		AccountID: f.linkedin.ID, Status: DeliveryScheduled, DueAt: now.Add(-time.Hour), NextAttemptAt: now.Add(-time.Hour)})
	names[unpublished.ID] = "Scheduled"
	noRemote := f.published(t, f.linkedin, now.Add(-2*time.Hour), "")
	names[noRemote.ID] = "PublishedWithoutRemoteID"

	vs, err := f.s.DeliveriesToMeasure(t.Context(), now, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, v := range vs {
		got[v.ID] = names[v.ID]
		if v.Network != "linkedin" || v.RemoteID == "" || v.PostText == "" {
			t.Errorf("view %+v lacks its network, remote id or text", v)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var id int64
			for k, n := range names {
				if n == tt.name {
					id = k
				}
			}
			if _, due := got[id]; due != tt.want {
				t.Errorf("due = %v, want %v (published %v ago, measured %v ago)", due, tt.want, tt.age, tt.measured)
			}
		})
	}
	for _, n := range []string{"Scheduled", "PublishedWithoutRemoteID"} {
		for id, name := range got {
			if name == n {
				t.Errorf("%s delivery %d is due for measuring", n, id)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("due = %v, want %v", got, want)
	}

	t.Run("NeverMeasuredFirstThenLongestWaiting", func(t *testing.T) {
		var order []string
		for _, v := range vs {
			order = append(order, names[v.ID])
		}
		wantOrder := []string{"FirstDayNeverMeasured", "JustPublished", "TenDaysMeasured25HoursAgo",
			"ThreeDaysMeasured61MinAgo", "FirstDayMeasured16MinAgo", "FirstDayMeasured15MinAgo"}
		if !slices.Equal(order, wantOrder) {
			t.Errorf("order = %v, want %v", order, wantOrder)
		}
		limited, err := f.s.DeliveriesToMeasure(t.Context(), now, 2)
		if err != nil || len(limited) != 2 || limited[0].ID != vs[0].ID || limited[1].ID != vs[1].ID {
			t.Errorf("limit 2 = %v, %v; want the first two", viewIDs(limited), err)
		}
	})
}

func TestFollowers(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	ctx := t.Context()
	a := f.linkedin
	if last, err := f.s.LastFollowersAt(ctx, a.ID); err != nil || !last.IsZero() {
		t.Fatalf("LastFollowersAt before any = %v, %v; want zero", last, err)
	}
	for _, r := range []struct {
		at time.Time
		n  int64
	}{{t0.Add(-48 * time.Hour), 100}, {t0.Add(-24 * time.Hour), 120}, {t0, 130}} {
		if err := f.s.RecordFollowers(ctx, a.ID, r.at, r.n); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.s.RecordFollowers(ctx, f.mastodon.ID, t0.Add(-72*time.Hour), 9999); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want int64
		ok   bool
	}{
		{"BeforeTheFirst", t0.Add(-49 * time.Hour), 0, false},
		{"AtTheFirst", t0.Add(-48 * time.Hour), 100, true},
		{"BetweenTakesTheOneBefore", t0.Add(-25 * time.Hour), 100, true},
		{"AtTheSecond", t0.Add(-24 * time.Hour), 120, true},
		{"OneSecondBeforeTheLast", t0.Add(-time.Second), 120, true},
		{"Now", t0, 130, true},
		{"Later", t0.Add(time.Hour), 130, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, ok, err := f.s.Followers(ctx, a.ID, tt.at)
			if err != nil || n != tt.want || ok != tt.ok {
				t.Errorf("Followers(%s) = %d, %v, %v; want %d, %v", tt.at.Format(time.RFC3339), n, ok, err, tt.want, tt.ok)
			}
		})
	}
	t.Run("LastFollowersAt", func(t *testing.T) {
		t.Parallel()
		if last, err := f.s.LastFollowersAt(ctx, a.ID); err != nil || !last.Equal(t0) {
			t.Errorf("LastFollowersAt = %v, %v; want %v", last, err, t0)
		}
	})
	t.Run("OtherAccountNotMixedIn", func(t *testing.T) {
		t.Parallel()
		if n, ok, err := f.s.Followers(ctx, f.facebook.ID, t0); err != nil || ok || n != 0 {
			t.Errorf("Followers(facebook) = %d, %v, %v; want none", n, ok, err)
		}
	})
}

func TestRecordFollowersSameInstantReplaces(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	ctx := t.Context()
	for _, n := range []int64{100, 101} {
		if err := f.s.RecordFollowers(ctx, f.linkedin.ID, t0, n); err != nil {
			t.Fatal(err)
		}
	}
	if n, ok, err := f.s.Followers(ctx, f.linkedin.ID, t0); err != nil || !ok || n != 101 {
		t.Errorf("Followers = %d, %v, %v; want 101", n, ok, err)
	}
	if n := count(t, f.s, "follower_snapshots"); n != 1 {
		t.Errorf("%d follower snapshots, want 1", n)
	}
}

func TestSetFollowersAtPublishOnlyOnce(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	d := f.published(t, f.linkedin, t0, "urn:li:share:1")
	if m := f.measured(t, d.ID); m.Followers.Known {
		t.Fatalf("followers at publish before any = %+v, want unknown", m.Followers)
	}
	for _, n := range []int64{6000, 6500} {
		if err := f.s.SetFollowersAtPublish(t.Context(), d.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	if m := f.measured(t, d.ID); m.Followers != known(6000) {
		t.Errorf("followers at publish = %+v, want the first (6000)", m.Followers)
	}
}

func TestPublishedBetween(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	from, to := t0, t0.Add(24*time.Hour)
	f.published(t, f.linkedin, from.Add(-time.Second), "before")
	atFrom := f.published(t, f.linkedin, from, "at-from")
	lastSecond := f.published(t, f.mastodon, to.Add(-time.Second), "last-second")
	f.published(t, f.linkedin, to, "at-to")
	// A failed delivery never went out.
	newDelivery(t, f.s.queries, Delivery{PostID: newPost(t, f.s.queries, Post{}).ID, AccountID: f.facebook.ID,
		Status: DeliveryFailed, DueAt: from.Add(time.Hour)})
	f.record(t, atFrom.ID, from.Add(time.Hour), Figures{Impressions: known(500), Reach: known(300), Likes: known(7)})
	if err := f.s.SetFollowersAtPublish(t.Context(), atFrom.ID, 6000); err != nil {
		t.Fatal(err)
	}

	ms, err := f.s.PublishedBetween(t.Context(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range ms {
		got = append(got, m.DeliveryID)
	}
	if want := []int64{atFrom.ID, lastSecond.ID}; !slices.Equal(got, want) {
		t.Fatalf("PublishedBetween [from, to) = %v, want %v (from included, to excluded, oldest first)", got, want)
	}
	want := Measured{
		DeliveryID: atFrom.ID, PostID: atFrom.PostID, AccountID: f.linkedin.ID, Network: "linkedin",
		PostText: "Post 2", RemoteURL: "https://linkedin.example/at-from", PublishedAt: from,
		MeasuredAt: from.Add(time.Hour), Followers: known(6000),
		Figures: Figures{Impressions: known(500), Reach: known(300), Likes: known(7)},
	}
	if !reflect.DeepEqual(ms[0], want) {
		t.Errorf("PublishedBetween[0] =\n%+v\nwant\n%+v", ms[0], want)
	}
	if ms[1].Network != "mastodon" || !ms[1].MeasuredAt.IsZero() {
		t.Errorf("PublishedBetween[1] = %+v", ms[1])
	}
}

func TestFirstHourScores(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	base := t0.Add(-10 * 24 * time.Hour)
	// Oldest first; FirstHourScores returns newest first.
	withReach := f.published(t, f.linkedin, base, "reach")
	f.record(t, withReach.ID, base.Add(10*time.Minute), Figures{Reach: known(50), Likes: known(900)})
	f.record(t, withReach.ID, base.Add(50*time.Minute), Figures{Reach: known(80), Likes: known(900)})
	f.record(t, withReach.ID, base.Add(2*time.Hour), Figures{Reach: known(5000)})

	atTheHour := f.published(t, f.linkedin, base.Add(24*time.Hour), "at-the-hour")
	f.record(t, atTheHour.ID, base.Add(25*time.Hour), Figures{Reach: known(70)})
	f.record(t, atTheHour.ID, base.Add(25*time.Hour+time.Second), Figures{Reach: known(7000)})

	// No reach given: likes + reposts + replies + clicks + quotes.
	engaged := f.published(t, f.linkedin, base.Add(48*time.Hour), "engaged")
	f.record(t, engaged.ID, base.Add(48*time.Hour+30*time.Minute),
		Figures{Impressions: known(10_000), Likes: known(3), Reposts: known(2), Replies: known(1), Clicks: known(4), Quotes: known(5)})
	f.record(t, engaged.ID, base.Add(48*time.Hour+61*time.Minute), Figures{Likes: known(100)})

	lateOnly := f.published(t, f.linkedin, base.Add(72*time.Hour), "late-only")
	f.record(t, lateOnly.ID, base.Add(72*time.Hour+90*time.Minute), Figures{Reach: known(400)})

	except := f.published(t, f.linkedin, base.Add(96*time.Hour), "except")
	f.record(t, except.ID, base.Add(96*time.Hour+time.Minute), Figures{Reach: known(1)})

	other := f.published(t, f.mastodon, base.Add(96*time.Hour), "other-account")
	f.record(t, other.ID, base.Add(96*time.Hour+time.Minute), Figures{Likes: known(2)})

	tests := []struct {
		name string
		n    int
		want []int64
	}{
		{"AllNewestFirst", 30, []int64{15, 70, 80}},
		// The limit counts deliveries, and one never measured in its
		// first hour is then left out: fewer scores than asked.
		{"LastTwoOneNeverMeasuredInTime", 2, []int64{15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := f.s.FirstHourScores(t.Context(), f.linkedin.ID, except.ID, tt.n)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("FirstHourScores(n=%d) = %v, %v; want %v", tt.n, got, err, tt.want)
			}
		})
	}

	// DESIGN §6: engagements count saves where given, and the take-off
	// judges the current post with workflows.Engagements (saves included):
	// the history must be scored the same way.
	t.Run("EngagementsCountSavesAsTheCurrentPostIs", func(t *testing.T) {
		t.Parallel()
		g := setupMetrics(t)
		d := g.published(t, g.mastodon, base, "saves")
		g.record(t, d.ID, base.Add(30*time.Minute), Figures{Likes: known(60), Saves: known(40)})
		got, err := g.s.FirstHourScores(t.Context(), g.mastodon.ID, 0, 30)
		if err != nil || !slices.Equal(got, []int64{100}) {
			t.Errorf("FirstHourScores = %v, %v; want [100] (likes 60 + saves 40)", got, err)
		}
	})
}

func TestMarkShouted(t *testing.T) {
	t.Parallel()
	f := setupMetrics(t)
	d := f.published(t, f.linkedin, t0, "urn:li:share:1")
	for i, want := range []bool{true, false, false} {
		first, err := f.s.MarkShouted(t.Context(), d.ID, t0.Add(time.Duration(i)*time.Minute))
		if err != nil || first != want {
			t.Errorf("MarkShouted #%d = %v, %v; want %v", i+1, first, err, want)
		}
	}
	var at int64
	if err := f.s.sqlDB.QueryRowContext(t.Context(), `SELECT shouted_at FROM deliveries WHERE id = ?`, d.ID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if at != t0.Unix() {
		t.Errorf("shouted_at = %d, want the first call's %d", at, t0.Unix())
	}
	if first, err := f.s.MarkShouted(t.Context(), 999, t0); err != nil || first {
		t.Errorf("MarkShouted(unknown delivery) = %v, %v; want false, nil", first, err)
	}
}
