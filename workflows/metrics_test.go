package workflows

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		values []int64
		want   float64
	}{
		{nil, 0},
		{[]int64{5}, 5},
		{[]int64{1, 3}, 2},
		{[]int64{3, 1, 2}, 2},
		{[]int64{100, 90, 110, 400}, 105},
		{[]int64{7, 7, 7}, 7},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.values)
		if got := Median(tt.values); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.values, got, tt.want)
		}
		if !slices.Equal(in, tt.values) {
			t.Errorf("Median sorted its argument: %v", tt.values)
		}
	}
}

// errUnavailable is a network that answers, but badly.
var errUnavailable = &social.Error{Network: social.NetworkX, Class: social.Transient, Status: 503, Message: "Service Unavailable"}

func TestCollectMetrics(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

	t.Run("MeasuresTheDueOnesOnly", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		_, fresh := n.publishedPost(t, "Il y a deux heures", now.Add(-2*time.Hour), "linkedin", "mastodon")
		_, recent := n.publishedPost(t, "Mesuré il y a 5 min", now.Add(-2*time.Hour), "linkedin")
		n.record(t, recent["linkedin"], now.Add(-5*time.Minute), storage.Figures{Reach: known(1)})
		_, old := n.publishedPost(t, "Il y a trois jours", now.Add(-72*time.Hour), "facebook")
		n.record(t, old["facebook"], now.Add(-2*time.Hour), storage.Figures{Reach: known(1)})
		_, stale := n.publishedPost(t, "Il y a 31 jours", now.Add(-31*24*time.Hour), "facebook")

		li := social.Metrics{Impressions: sknown(500), Reach: sknown(320), Likes: sknown(12), Reposts: sknown(0), Replies: sknown(1), Clicks: sknown(9)}
		n.linkedin.set(fresh["linkedin"].RemoteID, li)
		fb := social.Metrics{Impressions: sknown(900), Reach: sknown(700), Likes: sknown(30)} // reposts, replies… not given
		n.facebook.set(old["facebook"].RemoteID, fb)

		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatalf("CollectMetrics: %v", err)
		}
		if got := n.linkedin.askedFor(); !slices.Equal(got, []string{fresh["linkedin"].RemoteID}) {
			t.Errorf("LinkedIn asked for %v, want only %s", got, fresh["linkedin"].RemoteID)
		}
		if got := n.facebook.askedFor(); !slices.Equal(got, []string{old["facebook"].RemoteID}) {
			t.Errorf("Facebook asked for %v, want only %s (not the 31-day-old %s)", got, old["facebook"].RemoteID, stale["facebook"].RemoteID)
		}
		snaps := n.snapshots(t, fresh["linkedin"])
		want := storage.Figures{Impressions: known(500), Reach: known(320), Likes: known(12), Reposts: known(0), Replies: known(1), Clicks: known(9)}
		if len(snaps) != 1 || snaps[0].Figures != want || !snaps[0].At.Equal(now) {
			t.Errorf("LinkedIn snapshots = %+v, want one of %+v at %s", snaps, want, now)
		}
		snaps = n.snapshots(t, old["facebook"])
		if len(snaps) != 2 || snaps[1].Figures != (storage.Figures{Impressions: known(900), Reach: known(700), Likes: known(30)}) {
			t.Errorf("Facebook snapshots = %+v: unknown figures must stay unknown", snaps)
		}
		// Mastodon's fake cannot measure: its delivery is left alone.
		if snaps := n.snapshots(t, fresh["mastodon"]); len(snaps) != 0 {
			t.Errorf("Mastodon snapshots = %+v, want none", snaps)
		}

		// Fifteen minutes on, the first-day delivery is due again; the
		// three-day-old one is not (hourly).
		n.clock.Advance(15 * time.Minute)
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := n.linkedin.askedFor(); !slices.Equal(got, []string{recent["linkedin"].RemoteID, fresh["linkedin"].RemoteID}) {
			t.Errorf("15 min on, LinkedIn asked for %v, want the longest waiting first", got)
		}
		if got := n.facebook.askedFor(); len(got) != 0 {
			t.Errorf("15 min on, Facebook asked for %v, want nothing", got)
		}
	})

	t.Run("AFailingNetworkDoesNotStopTheOthersAndIsAskedAgain", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		_, d := n.publishedPost(t, "Partout", now.Add(-time.Hour), "x", "linkedin")
		n.x.fail(errUnavailable)
		n.linkedin.set(d["linkedin"].RemoteID, social.Metrics{Reach: sknown(10)})
		n.x.set(d["x"].RemoteID, social.Metrics{Impressions: sknown(40)})

		err := n.svc.CollectMetrics(t.Context())
		var netErr *social.Error
		if !errors.As(err, &netErr) || netErr.Status != 503 {
			t.Errorf("CollectMetrics = %v, want X's error", err)
		}
		if len(n.snapshots(t, d["linkedin"])) != 1 {
			t.Error("LinkedIn not measured while X failed")
		}
		if len(n.snapshots(t, d["x"])) != 0 {
			t.Error("a snapshot stored for a failed call")
		}
		n.x.askedFor()
		n.linkedin.askedFor()

		// The next round: X is asked again (it is still due), LinkedIn
		// not (measured a minute ago).
		n.clock.Advance(time.Minute)
		n.x.fail(nil)
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatalf("second round: %v", err)
		}
		if got := n.x.askedFor(); !slices.Equal(got, []string{d["x"].RemoteID}) {
			t.Errorf("second round asked X for %v", got)
		}
		if got := n.linkedin.askedFor(); len(got) != 0 {
			t.Errorf("second round asked LinkedIn for %v", got)
		}
		if s := n.snapshots(t, d["x"]); len(s) != 1 || s[0].Impressions != known(40) {
			t.Errorf("X snapshots after it came back = %+v", s)
		}
	})

	t.Run("ASlowNetworkDoesNotHoldTheOthers", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		_, d := n.publishedPost(t, "Partout", now.Add(-time.Hour), "x", "linkedin", "facebook")
		n.x.release = make(chan struct{})
		done := make(chan error, 1)
		go func() { done <- n.svc.CollectMetrics(t.Context()) }()
		// X is held until LinkedIn and Facebook are stored: were the
		// networks asked one after the other, this would never happen.
		deadline := time.Now().Add(5 * time.Second)
		for len(n.snapshots(t, d["linkedin"])) == 0 || len(n.snapshots(t, d["facebook"])) == 0 {
			if time.Now().After(deadline) {
				close(n.x.release)
				<-done
				t.Fatal("LinkedIn and Facebook waited for X")
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(n.x.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(n.snapshots(t, d["x"])) != 1 {
			t.Error("X not measured once released")
		}
	})

	// DESIGN §6 and metrics.go's doc: "one that fails … does not hold the
	// others". A network whose every call fails keeps its never-measured
	// deliveries at the head of the queue (ordered by metrics_at, NULL
	// first): with a batch of 500 and 500 such deliveries, the others are
	// never measured again.
	t.Run("AFailingNetworkWithAFullBatchDoesNotStarveTheOthers", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		n.x.fail(errUnavailable)
		for i := range measureBatch {
			n.publishedPost(t, fmt.Sprintf("X n°%d", i), now.Add(-20*24*time.Hour).Add(time.Duration(i)*time.Minute), "x")
		}
		_, d := n.publishedPost(t, "Sur LinkedIn", now.Add(-time.Hour), "linkedin")
		for range 3 {
			n.svc.CollectMetrics(t.Context()) //nolint:errcheck // X fails, by design
			n.clock.Advance(15 * time.Minute)
		}
		if len(n.snapshots(t, d["linkedin"])) == 0 {
			t.Errorf("LinkedIn never measured in 3 rounds: X's %d failing deliveries take the whole batch", measureBatch)
		}
	})

	t.Run("RecordsTheFollowersItWentOutTo", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		li := n.acct["linkedin"]
		if err := n.store.RecordFollowers(t.Context(), li.ID, now.Add(-3*time.Hour), 6000); err != nil {
			t.Fatal(err)
		}
		_, d := n.publishedPost(t, "Post", now.Add(-time.Hour), "linkedin", "facebook")
		n.linkedin.set(d["linkedin"].RemoteID, social.Metrics{Reach: sknown(300)})
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		// A later audience does not replace it.
		if err := n.store.RecordFollowers(t.Context(), li.ID, now.Add(time.Minute), 9000); err != nil {
			t.Fatal(err)
		}
		n.clock.Advance(16 * time.Minute)
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		ms, err := n.store.PublishedBetween(t.Context(), now.Add(-2*time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			want := storage.Count{}
			if m.Network == "linkedin" {
				want = known(6000)
			}
			if m.Followers != want {
				t.Errorf("%s followers at publish = %+v, want %+v", m.Network, m.Followers, want)
			}
		}
	})

	// The reach rate's base is the audience "at posting time" (DESIGN §6),
	// but the first measure takes the latest count at measuring time: a
	// count taken between publication and the first measure (or days later,
	// after the network's metrics failed) is used instead of the one the
	// post went out to.
	t.Run("FollowersAtPublishAreThoseBeforePublication", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		now := n.clock.Now()
		li := n.acct["linkedin"]
		_, d := n.publishedPost(t, "Post", now.Add(-10*time.Minute), "linkedin")
		for _, r := range []struct {
			at time.Time
			n  int64
		}{{now.Add(-20 * time.Hour), 6000}, {now.Add(-5 * time.Minute), 6500}} {
			if err := n.store.RecordFollowers(t.Context(), li.ID, r.at, r.n); err != nil {
				t.Fatal(err)
			}
		}
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		ms, err := n.store.PublishedBetween(t.Context(), d["linkedin"].PublishedAt, now)
		if err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		if ms[0].Followers != known(6000) {
			t.Errorf("followers at publish = %+v, want 6000 (the count before it went out), not the one after", ms[0].Followers)
		}
	})
}

func TestCollectFollowers(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)

	t.Run("DailyNotTwiceWithin23Hours", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		n.linkedin.profile = social.Profile{Followers: sknown(6000)}
		n.x.profile = social.Profile{Followers: sknown(10000)}
		n.facebook.profile = social.Profile{} // followers not given
		li, x := n.acct["linkedin"].ID, n.acct["x"].ID

		if err := n.svc.CollectFollowers(t.Context()); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]int64{li: 6000, x: 10000} {
			if got, ok, err := n.store.Followers(t.Context(), id, start); err != nil || !ok || got != want {
				t.Errorf("followers of account %d = %d, %v, %v; want %d", id, got, ok, err, want)
			}
		}
		if _, ok, _ := n.store.Followers(t.Context(), n.acct["facebook"].ID, start); ok {
			t.Error("an audience stored for a network that gives none")
		}

		n.linkedin.profile = social.Profile{Followers: sknown(6100)}
		for _, step := range []struct {
			advance time.Duration
			calls   int
		}{{time.Hour, 1}, {21 * time.Hour, 1}, {59 * time.Minute, 1}, {time.Minute, 2}, {time.Hour, 2}} {
			n.clock.Advance(step.advance)
			if err := n.svc.CollectFollowers(t.Context()); err != nil {
				t.Fatal(err)
			}
			if got := n.linkedin.profileCalls(); got != step.calls {
				t.Fatalf("%s after the first: %d profile calls, want %d", n.clock.Now().Sub(start), got, step.calls)
			}
		}
		if got, _, _ := n.store.Followers(t.Context(), li, n.clock.Now()); got != 6100 {
			t.Errorf("followers after a day = %d, want 6100", got)
		}
		if last, _ := n.store.LastFollowersAt(t.Context(), li); !last.Equal(start.Add(23 * time.Hour)) {
			t.Errorf("last measured %s, want %s", last, start.Add(23*time.Hour))
		}
		// Facebook gives no count: it is asked every hour, recording nothing.
		if got := n.facebook.profileCalls(); got != 6 {
			t.Errorf("Facebook asked %d times, want 6 (never recorded, so always due)", got)
		}
	})

	t.Run("AFailureIsReportedAndTriedAgain", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, start)
		n.linkedin.profileErr = &social.Error{Network: "linkedin", Class: social.Transient, Status: 500, Message: "oops"}
		n.x.profile = social.Profile{Followers: sknown(10000)}
		if err := n.svc.CollectFollowers(t.Context()); err == nil {
			t.Error("CollectFollowers = nil, want LinkedIn's failure")
		}
		if _, ok, _ := n.store.Followers(t.Context(), n.acct["x"].ID, start); !ok {
			t.Error("X not recorded while LinkedIn failed")
		}
		n.linkedin.profileErr = nil
		n.linkedin.profile = social.Profile{Followers: sknown(6000)}
		n.clock.Advance(time.Hour)
		if err := n.svc.CollectFollowers(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := n.store.Followers(t.Context(), n.acct["linkedin"].ID, n.clock.Now()); !ok || got != 6000 {
			t.Errorf("LinkedIn followers after it came back = %d, %v", got, ok)
		}
		if n.x.profileCalls() != 1 {
			t.Errorf("X asked %d times within 23 h", n.x.profileCalls())
		}
	})
}

// takeOff is a LinkedIn account with three earlier posts whose first-hour
// reach was 90, 100 and 110 (median 100), and a post gone out `age` ago,
// not yet measured.
func takeOff(t *testing.T, age time.Duration) (*numbers, storage.Delivery) {
	t.Helper()
	n := setupNumbers(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	now := n.clock.Now()
	for i, reach := range []int64{90, 110, 100} {
		at := now.Add(-time.Duration(3-i) * 24 * time.Hour)
		_, d := n.publishedPost(t, fmt.Sprintf("Avant n°%d", i), at, "linkedin")
		n.record(t, d["linkedin"], at.Add(20*time.Minute), storage.Figures{Reach: known(reach / 2)})
		n.record(t, d["linkedin"], at.Add(50*time.Minute), storage.Figures{Reach: known(reach)})
		// Later figures do not count: the comparison is at the same age.
		n.record(t, d["linkedin"], at.Add(5*time.Hour), storage.Figures{Reach: known(reach * 10)})
	}
	_, d := n.publishedPost(t, "Celui-ci", now.Add(-age), "linkedin")
	return n, d["linkedin"]
}

func TestTakeOff(t *testing.T) {
	t.Parallel()

	t.Run("AnnouncedOnceAboveTwiceTheMedian", func(t *testing.T) {
		t.Parallel()
		n, d := takeOff(t, 20*time.Minute)
		n.linkedin.set(d.RemoteID, social.Metrics{Impressions: sknown(400), Reach: sknown(250), Likes: sknown(9)})
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		evs := n.notifier.eventsOf(EventTakeOff)
		if len(evs) != 1 {
			t.Fatalf("%d take-off events, want 1", len(evs))
		}
		ev := evs[0]
		if ev.Median != 100 || ev.Figures != (storage.Figures{Impressions: known(400), Reach: known(250), Likes: known(9)}) {
			t.Errorf("take-off median %v, figures %+v; want 100 and what was measured", ev.Median, ev.Figures)
		}
		if ev.Target == nil || ev.Target.Delivery.ID != d.ID || ev.Target.Network != "linkedin" {
			t.Errorf("take-off target = %+v, want delivery %d on LinkedIn", ev.Target, d.ID)
		}
		// 16 minutes later, still in its first hour and higher: once only.
		n.clock.Advance(16 * time.Minute)
		n.linkedin.set(d.RemoteID, social.Metrics{Reach: sknown(400)})
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := len(n.notifier.eventsOf(EventTakeOff)); got != 1 {
			t.Errorf("%d take-off events after a second collection, want 1", got)
		}
	})

	for _, tt := range []struct {
		name  string
		age   time.Duration
		reach int64
	}{
		{"NotAt150", 20 * time.Minute, 150},
		{"NotAtExactlyTwiceTheMedian", 20 * time.Minute, 200},
		{"NotAfterItsFirstHour", 61 * time.Minute, 250},
		{"NotAtZero", 20 * time.Minute, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, d := takeOff(t, tt.age)
			n.linkedin.set(d.RemoteID, social.Metrics{Reach: sknown(tt.reach)})
			if err := n.svc.CollectMetrics(t.Context()); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(n.linkedin.askedFor(), d.RemoteID) {
				t.Fatal("the post was not measured")
			}
			if evs := n.notifier.eventsOf(EventTakeOff); len(evs) != 0 {
				t.Errorf("take-off announced at reach %d, age %v: %+v", tt.reach, tt.age, evs)
			}
		})
	}

	t.Run("NotWithoutThreeEarlierPosts", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
		now := n.clock.Now()
		for i := range 2 {
			at := now.Add(-time.Duration(i+1) * 24 * time.Hour)
			_, d := n.publishedPost(t, "Avant", at, "linkedin")
			n.record(t, d["linkedin"], at.Add(30*time.Minute), storage.Figures{Reach: known(10)})
		}
		_, d := n.publishedPost(t, "Celui-ci", now.Add(-10*time.Minute), "linkedin")
		n.linkedin.set(d["linkedin"].RemoteID, social.Metrics{Reach: sknown(1000)})
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		if evs := n.notifier.eventsOf(EventTakeOff); len(evs) != 0 {
			t.Errorf("take-off judged against 2 posts: %+v", evs)
		}
	})

	t.Run("ByEngagementsWhereTheNetworkGivesNoReach", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
		now := n.clock.Now()
		for i, likes := range []int64{10, 12, 14} {
			at := now.Add(-time.Duration(i+1) * 24 * time.Hour)
			_, d := n.publishedPost(t, "Avant", at, "x")
			n.record(t, d["x"], at.Add(30*time.Minute), storage.Figures{Impressions: known(5000), Likes: known(likes)})
		}
		_, d := n.publishedPost(t, "Celui-ci", now.Add(-10*time.Minute), "x")
		n.x.set(d["x"].RemoteID, social.Metrics{Impressions: sknown(100), Likes: sknown(20), Reposts: sknown(5)})
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		if evs := n.notifier.eventsOf(EventTakeOff); len(evs) != 1 || evs[0].Median != 12 {
			t.Errorf("take-off events %+v, want one against a median of 12 engagements (25 > 24)", evs)
		}
	})

	// The current post is scored with Engagements (saves included, as
	// DESIGN §6 says), its history by storage.FirstHourScores (saves left
	// out): on X, where bookmarks are given, an ordinary post "takes off".
	t.Run("SavesCountTheSameInTheHistory", func(t *testing.T) {
		t.Parallel()
		n := setupNumbers(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
		now := n.clock.Now()
		for i := range 3 {
			at := now.Add(-time.Duration(i+1) * 24 * time.Hour)
			_, d := n.publishedPost(t, "Avant", at, "x")
			n.record(t, d["x"], at.Add(30*time.Minute), storage.Figures{Likes: known(60), Saves: known(40)}) // 100 each
		}
		_, d := n.publishedPost(t, "Celui-ci", now.Add(-10*time.Minute), "x")
		n.x.set(d["x"].RemoteID, social.Metrics{Likes: sknown(70), Saves: sknown(60)}) // 130: not twice 100
		if err := n.svc.CollectMetrics(t.Context()); err != nil {
			t.Fatal(err)
		}
		if evs := n.notifier.eventsOf(EventTakeOff); len(evs) != 0 {
			t.Errorf("take-off announced for 130 engagements against posts of 100 each (median seen: %v)", evs[0].Median)
		}
	})
}
