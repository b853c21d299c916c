package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"catweete/social"
)

// setup returns a sandbox whose clock starts at a fixed instant and moves one
// minute at each publication, so PublishedAt is predictable.
func setup(t *testing.T, cfg Config) *Network {
	t.Helper()
	n := New(cfg)
	var mu sync.Mutex
	at := time.Date(2024, 6, 3, 11, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	n.nowFunc = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(time.Minute)
		return at
	}
	return n
}

func TestPublish(t *testing.T) {
	t.Parallel()
	n := setup(t, Config{BaseURL: "https://play.example/sandbox/"})

	got, err := n.Publish(context.Background(), social.Post{Text: "Ça tweete !", IdempotencyKey: "delivery-1"})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := social.Published{ID: postID("delivery-1"), URL: "https://play.example/sandbox/posts/" + postID("delivery-1")}
	if got != want {
		t.Errorf("Publish = %+v, want %+v", got, want)
	}
	if len(got.ID) != 16 {
		t.Errorf("ID = %q, want 16 hex digits", got.ID)
	}
	posts := n.Posts()
	wantPost := Post{ID: want.ID, URL: want.URL, Text: "Ça tweete !", PublishedAt: time.Date(2024, 6, 3, 9, 31, 0, 0, time.UTC)}
	if len(posts) != 1 || posts[0] != wantPost {
		t.Errorf("Posts = %+v, want [%+v]", posts, wantPost)
	}
}

func TestPublishIDIsDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := New(Config{}).Publish(context.Background(), social.Post{Text: "un", IdempotencyKey: "k"})
	b, _ := New(Config{}).Publish(context.Background(), social.Post{Text: "un", IdempotencyKey: "k"})
	c, _ := New(Config{}).Publish(context.Background(), social.Post{Text: "un", IdempotencyKey: "k2"})
	if a != b {
		t.Errorf("same key in two sandboxes: %+v and %+v, want the same", a, b)
	}
	if a.ID == c.ID {
		t.Errorf("keys k and k2 both gave ID %q", a.ID)
	}
	if want := DefaultBaseURL + "/posts/" + a.ID; a.URL != want {
		t.Errorf("URL = %q, want %q", a.URL, want)
	}
}

func TestPublishIsIdempotent(t *testing.T) {
	t.Parallel()
	n := setup(t, Config{})
	ctx := context.Background()

	first, err := n.Publish(ctx, social.Post{Text: "Premier", IdempotencyKey: "same"})
	if err != nil {
		t.Fatal(err)
	}
	// A retry carries the same key; even a changed text gets the first post,
	// as Mastodon does with a repeated Idempotency-Key.
	for _, text := range []string{"Premier", "Autre texte", strings.Repeat("x", 1000)} {
		again, err := n.Publish(ctx, social.Post{Text: text, IdempotencyKey: "same"})
		if err != nil {
			t.Fatalf("retry with text %.10q: %v", text, err)
		}
		if again != first {
			t.Errorf("retry = %+v, want %+v", again, first)
		}
	}
	posts := n.Posts()
	if len(posts) != 1 || posts[0].Text != "Premier" {
		t.Errorf("Posts = %+v, want the first post only", posts)
	}
}

func TestPublishFailures(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()

	tests := []struct {
		name    string
		ctx     context.Context
		post    social.Post
		class   social.Class
		wantIs  error
		message string
	}{
		{"CanceledContext", canceled, social.Post{Text: "a", IdempotencyKey: "k"}, social.Transient, context.Canceled, "the request was canceled"},
		{"ExpiredContext", expired, social.Post{Text: "a", IdempotencyKey: "k"}, social.Transient, context.DeadlineExceeded, "the request was canceled"},
		{"EmptyKey", context.Background(), social.Post{Text: "a"}, social.Permanent, nil, "the post has no idempotency key, so a retry could publish it twice"},
		{"EmptyText", context.Background(), social.Post{Text: " \n\t", IdempotencyKey: "k"}, social.Permanent, nil, "the text is empty"},
		{"TooLong", context.Background(), social.Post{Text: strings.Repeat("é", 11), IdempotencyKey: "k"}, social.Permanent, nil, "the text is 11 characters long, over the limit of 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := setup(t, Config{Limit: 10})
			got, err := n.Publish(tt.ctx, tt.post)
			var se *social.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *social.Error", err)
			}
			if se.Class != tt.class || se.Network != social.NetworkSandbox || se.Message != tt.message {
				t.Errorf("err = %+v, want class %v, message %q", se, tt.class, tt.message)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.wantIs)
			}
			if got != (social.Published{}) {
				t.Errorf("Publish returned %+v with an error", got)
			}
			if posts := n.Posts(); len(posts) != 0 {
				t.Errorf("Posts = %+v after a failure, want none", posts)
			}
		})
	}
}

func TestPublishAtTheLimit(t *testing.T) {
	t.Parallel()
	n := setup(t, Config{Limit: 10})
	if _, err := n.Publish(context.Background(), social.Post{Text: strings.Repeat("é", 10), IdempotencyKey: "k"}); err != nil {
		t.Errorf("text of exactly the limit: %v", err)
	}
}

func TestLength(t *testing.T) {
	t.Parallel()
	n := New(Config{})
	tests := []struct {
		name string
		text string
		want int
	}{
		{"Empty", "", 0},
		{"ASCII", "Bonjour", 7},
		{"PrecomposedAccents", "Café crème", 10},
		{"DecomposedAccentIsTwoCodePoints", "Cafe\u0301", 5},
		{"EmojiOutsideBMP", "🎉", 1},
		{"ZWJFamilyIsSevenCodePoints", "👨\u200d👩\u200d👧\u200d👦", 7},
		{"URLCountsAsTyped", "https://example.com/a", 21},
		{"MentionCountsAsTyped", "@alice@mastodon.social", 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, limit := n.Length(tt.text)
			if got != tt.want || limit != DefaultLimit {
				t.Errorf("Length(%q) = %d, %d; want %d, %d", tt.text, got, limit, tt.want, DefaultLimit)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cfg       Config
		wantBase  string
		wantLimit int
	}{
		{"Defaults", Config{}, DefaultBaseURL, DefaultLimit},
		{"Configured", Config{BaseURL: "http://x.test/s//", Limit: 280}, "http://x.test/s", 280},
		{"NegativeLimit", Config{Limit: -1}, DefaultBaseURL, DefaultLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := New(tt.cfg)
			if n.baseURL != tt.wantBase || n.limit != tt.wantLimit || n.Network() != social.NetworkSandbox {
				t.Errorf("New(%+v) = base %q, limit %d, network %q", tt.cfg, n.baseURL, n.limit, n.Network())
			}
		})
	}
}

func TestPostsIsOldestFirstAndACopy(t *testing.T) {
	t.Parallel()
	n := setup(t, Config{})
	for i := range 3 {
		if _, err := n.Publish(context.Background(), social.Post{Text: fmt.Sprint(i), IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
			t.Fatal(err)
		}
	}
	posts := n.Posts()
	for i, p := range posts {
		if p.Text != fmt.Sprint(i) {
			t.Errorf("Posts[%d].Text = %q, want %q", i, p.Text, fmt.Sprint(i))
		}
		if i > 0 && !p.PublishedAt.After(posts[i-1].PublishedAt) {
			t.Errorf("Posts[%d] published at %v, not after %v", i, p.PublishedAt, posts[i-1].PublishedAt)
		}
	}
	posts[0].Text = "changed"
	if n.Posts()[0].Text != "0" {
		t.Error("changing the returned slice changed the sandbox")
	}
}

func TestConcurrentPublish(t *testing.T) {
	t.Parallel()
	n := New(Config{})
	const keys, retries = 20, 10

	results := make([][]social.Published, keys)
	for k := range results {
		results[k] = make([]social.Published, retries)
	}
	var wg sync.WaitGroup
	for k := range keys {
		for r := range retries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := n.Publish(context.Background(), social.Post{Text: fmt.Sprint("post ", k), IdempotencyKey: fmt.Sprint("key-", k)})
				if err != nil {
					t.Error(err)
				}
				results[k][r] = p
				n.Posts()
				n.Length("lecture concurrente")
			}()
		}
	}
	wg.Wait()

	if got := len(n.Posts()); got != keys {
		t.Errorf("%d posts stored, want %d (one per key)", got, keys)
	}
	for k, rs := range results {
		for r, p := range rs {
			if p != rs[0] {
				t.Errorf("key %d attempt %d got %+v, attempt 0 got %+v", k, r, p, rs[0])
			}
		}
	}
}

func TestConfiguredClockStampsPosts(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	n := New(Config{NowFunc: func() time.Time { return at }})
	if _, err := n.Publish(t.Context(), social.Post{Text: "Bonjour", IdempotencyKey: "3kabcdefghij2"}); err != nil {
		t.Fatal(err)
	}
	if got := n.Posts()[0].PublishedAt; !got.Equal(at) {
		t.Fatalf("PublishedAt = %v, want the configured clock's %v", got, at)
	}
}
