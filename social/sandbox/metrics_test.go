package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"catweete/social"
)

// clock is a settable clock for the metrics tests.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = t
}

// setupClock returns a sandbox on a clock the test moves.
func setupClock(t *testing.T) (*Network, *clock) {
	t.Helper()
	n := New(Config{BaseURL: "https://play.example/sandbox"})
	c := &clock{at: time.Date(2024, 6, 3, 9, 30, 0, 0, time.UTC)}
	n.nowFunc = c.now
	return n, c
}

// fields lists a Metrics' counts, for checks that apply to every figure.
func fields(m social.Metrics) map[string]social.Count {
	return map[string]social.Count{
		"Impressions": m.Impressions, "Reach": m.Reach, "Likes": m.Likes, "Reposts": m.Reposts,
		"Replies": m.Replies, "Quotes": m.Quotes, "Clicks": m.Clicks, "Saves": m.Saves,
	}
}

func TestMetricsGrowOverTheFirstDayThenFlatten(t *testing.T) {
	t.Parallel()
	n, clk := setupClock(t)
	ctx := context.Background()
	published := clk.now()
	p, err := n.Publish(ctx, social.Post{Text: "Ça tweete !", IdempotencyKey: "delivery-1"})
	if err != nil {
		t.Fatal(err)
	}

	var prev social.Metrics
	var plateau social.Metrics
	for _, age := range []time.Duration{0, time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		23 * time.Hour, 24 * time.Hour, 25 * time.Hour, 72 * time.Hour, 30 * 24 * time.Hour} {
		clk.set(published.Add(age))
		m, err := n.Metrics(ctx, p.ID)
		if err != nil {
			t.Fatalf("Metrics at %v: %v", age, err)
		}
		for name, c := range fields(m) {
			if !c.Known || c.Value < 0 {
				t.Errorf("at %v: %s = %+v, want a known figure", age, name, c)
			}
			if c.Value < fields(prev)[name].Value {
				t.Errorf("at %v: %s fell from %d to %d", age, name, fields(prev)[name].Value, c.Value)
			}
		}
		if m.Reach.Value > m.Impressions.Value {
			t.Errorf("at %v: Reach %d > Impressions %d", age, m.Reach.Value, m.Impressions.Value)
		}
		switch {
		case age == 0:
			if m.Impressions.Value != 0 || m.Likes.Value != 0 {
				t.Errorf("at publication: %+v, want zeros", m)
			}
		case age == 24*time.Hour:
			plateau = m
		case age > 24*time.Hour:
			if m != plateau {
				t.Errorf("at %v: %+v, want the figures of day one %+v", age, m, plateau)
			}
		}
		prev = m
	}
	if plateau.Impressions.Value < 300 || plateau.Impressions.Value > 2999 {
		t.Errorf("final Impressions = %d, want 300 to 2,999", plateau.Impressions.Value)
	}
}

func TestMetricsAreDeterministic(t *testing.T) {
	t.Parallel()
	// Pinned: a change of formula shows here, not in someone's demo.
	want := social.Metrics{
		Impressions: social.Known(1442), Reach: social.Known(980), Likes: social.Known(36), Reposts: social.Known(12),
		Replies: social.Known(1), Quotes: social.Known(0), Clicks: social.Known(14), Saves: social.Known(10),
	}
	for run := range 2 {
		n, clk := setupClock(t)
		start := clk.now()
		p, err := n.Publish(context.Background(), social.Post{Text: fmt.Sprint("run ", run), IdempotencyKey: "delivery-1"})
		if err != nil {
			t.Fatal(err)
		}
		clk.set(start.Add(36 * time.Hour))
		got, err := n.Metrics(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("run %d: Metrics = %+v, want %+v", run, got, want)
		}
	}
	if got := syntheticMetrics(postID("delivery-1"), 3*time.Hour).Impressions.Value; got != 475 {
		t.Errorf("Impressions after 3 hours = %d, want 475", got)
	}
}

func TestMetricsArePlausibleForManyPosts(t *testing.T) {
	t.Parallel()
	distinct := map[int64]bool{}
	for i := range 500 {
		m := syntheticMetrics(postID(fmt.Sprint("key-", i)), 48*time.Hour)
		imp := m.Impressions.Value
		distinct[imp] = true
		checks := []struct {
			name   string
			v      int64
			lo, hi int64 // per thousand impressions, before rounding down
		}{
			{"Reach", m.Reach.Value, 550, 850},
			{"Likes", m.Likes.Value, 15, 60},
			{"Reposts", m.Reposts.Value, 2, 12},
			{"Replies", m.Replies.Value, 1, 8},
			{"Quotes", m.Quotes.Value, 0, 3},
			{"Clicks", m.Clicks.Value, 5, 30},
			{"Saves", m.Saves.Value, 1, 10},
		}
		for _, c := range checks {
			// The figure is rounded down: it may be up to one short.
			if (c.v+1)*1000 <= c.lo*imp || c.v*1000 > c.hi*imp {
				t.Errorf("key-%d: %s = %d for %d impressions, want %d‰ to %d‰", i, c.name, c.v, imp, c.lo, c.hi)
			}
		}
	}
	if len(distinct) < 300 {
		t.Errorf("500 posts got only %d distinct impression counts", len(distinct))
	}
}

func TestGrowth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		age  time.Duration
		want uint64
	}{
		{-time.Hour, 0},
		{0, 0},
		{6 * time.Hour, 578125},
		{12 * time.Hour, 875000},
		{18 * time.Hour, 984375},
		{24 * time.Hour, growthScale},
		{1000 * time.Hour, growthScale},
	}
	for _, tt := range tests {
		if got := growth(tt.age); got != tt.want {
			t.Errorf("growth(%v) = %d, want %d", tt.age, got, tt.want)
		}
	}
}

func TestMetricsFailures(t *testing.T) {
	t.Parallel()
	n, _ := setupClock(t)
	if _, err := n.Publish(context.Background(), social.Post{Text: "x", IdempotencyKey: "k"}); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		id     string
		class  social.Class
		wantIs error
	}{
		{"UnknownPost", context.Background(), postID("never published"), social.Permanent, nil},
		{"EmptyID", context.Background(), "", social.Permanent, nil},
		{"CanceledContext", canceled, postID("k"), social.Transient, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := n.Metrics(tt.ctx, tt.id)
			var se *social.Error
			if !errors.As(err, &se) || se.Class != tt.class || se.Network != social.NetworkSandbox || se.Message == "" {
				t.Fatalf("err = %v, want a %v *social.Error", err, tt.class)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.wantIs)
			}
			if got != (social.Metrics{}) {
				t.Errorf("Metrics returned %+v with an error", got)
			}
		})
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	n, _ := setupClock(t)
	got, err := n.Profile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := social.Profile{Handle: "catweete (sandbox)", URL: "https://play.example/sandbox", Followers: social.Known(1240)}
	if got != want {
		t.Errorf("Profile = %+v, want %+v", got, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := n.Profile(ctx); social.ClassOf(err) != social.Transient || !errors.Is(err, context.Canceled) {
		t.Errorf("Profile with a canceled context: %v, want a Transient error", err)
	}
}

func TestMetricsConcurrentWithPublish(t *testing.T) {
	t.Parallel()
	n := New(Config{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := n.Publish(context.Background(), social.Post{Text: "x", IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			n.Metrics(context.Background(), postID(fmt.Sprint("k", i))) // published or not yet: both fine
			n.Profile(context.Background())
		}()
	}
	wg.Wait()
}

// The methods every network client offers catweete's workflows.
var _ interface {
	Network() string
	Idempotent() bool
	Publish(context.Context, social.Post) (social.Published, error)
	Length(text string) (count, limit int)
	Metrics(ctx context.Context, remoteID string) (social.Metrics, error)
	Profile(context.Context) (social.Profile, error)
} = (*Network)(nil)
