// Package sandbox is an in-process, deterministic stand-in for a social
// network. It is catweete's account when no real network is configured, and
// what the playground publishes to, so that the whole path from draft to
// published link can be tried without credentials or a network connection.
//
// It behaves like the networks catweete really talks to where that matters
// to the code calling it: publishing is idempotent on the delivery's key (as
// Mastodon's Idempotency-Key is), text over the limit is refused as a
// Permanent *social.Error, and a canceled context is a Transient one.
package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"catweete/social"
)

// Defaults for the zero Config.
const (
	// DefaultBaseURL is where the playground serves the sandbox's posts.
	DefaultBaseURL = "http://localhost:3000/sandbox"
	// DefaultLimit is Mastodon's usual limit, so drafts tried in the
	// playground meet a familiar rule.
	DefaultLimit = 500
)

// Config shapes the sandbox network.
type Config struct {
	// BaseURL prefixes the public links: a post's URL is
	// BaseURL + "/posts/" + ID. If empty, DefaultBaseURL. A trailing slash
	// is dropped.
	BaseURL string
	// Limit is the length limit in characters (Unicode code points). If zero
	// or negative, DefaultLimit.
	Limit int
	// NowFunc is the clock that stamps posts and ages their figures; if
	// nil, time.Now. The playground passes its sped-up clock, so that a
	// demo sees a day's numbers grow in minutes.
	NowFunc func() time.Time
}

// Post is one post the sandbox published.
type Post struct {
	// ID is derived from the delivery's idempotency key, so it is the same
	// from one run to the next.
	ID string
	// URL is BaseURL + "/posts/" + ID.
	URL string
	// Text is the text as published.
	Text string
	// PublishedAt is when it was first published, in UTC.
	PublishedAt time.Time
}

// Network is the sandbox network, holding what was published in memory. It
// is safe for concurrent use.
type Network struct {
	baseURL string
	limit   int
	// nowFunc stamps PublishedAt; tests replace it.
	nowFunc func() time.Time

	mu    sync.Mutex
	posts []Post         // oldest first
	byKey map[string]int // idempotency key → index in posts
}

// New returns an empty sandbox network.
func New(cfg Config) *Network {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	limit := cfg.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	return &Network{
		baseURL: base,
		limit:   limit,
		nowFunc: cfg.NowFunc,
		byKey:   make(map[string]int),
	}
}

// Network returns social.NetworkSandbox.
func (n *Network) Network() string { return social.NetworkSandbox }

// Idempotent reports true: Publish stores a post once per idempotency key,
// for as long as the Network lives.
func (n *Network) Idempotent() bool { return true }

// Publish publishes p.Text and returns its ID and link.
//
// It is idempotent on p.IdempotencyKey, which is required: the same key
// returns the same Published and stores the post once, even if the text
// differs (as Mastodon answers a repeated Idempotency-Key with the status it
// first created). The key is looked up before the text is checked, for the
// same reason.
//
// Failures are *social.Error: a canceled or expired ctx is Transient; an
// empty key, an empty text or a text over the limit is Permanent.
func (n *Network) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	if err := canceled(ctx, "publish"); err != nil {
		return social.Published{}, err
	}
	if p.IdempotencyKey == "" {
		return social.Published{}, n.permanent("the post has no idempotency key, so a retry could publish it twice")
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	if i, ok := n.byKey[p.IdempotencyKey]; ok {
		return published(n.posts[i]), nil
	}
	if strings.TrimSpace(p.Text) == "" {
		return social.Published{}, n.permanent("the text is empty")
	}
	if count, limit := n.Length(p.Text); count > limit {
		return social.Published{}, n.permanent(fmt.Sprintf("the text is %d characters long, over the limit of %d", count, limit))
	}

	id := postID(p.IdempotencyKey)
	post := Post{
		ID:          id,
		URL:         n.baseURL + "/posts/" + id,
		Text:        p.Text,
		PublishedAt: n.nowFunc().UTC(),
	}
	n.byKey[p.IdempotencyKey] = len(n.posts)
	n.posts = append(n.posts, post)
	return published(post), nil
}

// Length returns the number of Unicode code points in text and the limit.
// Unlike real networks the sandbox gives URLs and mentions no special
// treatment: the rule is meant to be obvious in the playground.
func (n *Network) Length(text string) (count, limit int) {
	return utf8.RuneCountInString(text), n.limit
}

// Posts returns what was published, oldest first. The slice is a copy.
func (n *Network) Posts() []Post {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Post(nil), n.posts...)
}

// permanent returns a Permanent failure, wrapped like every Publish error.
func (n *Network) permanent(msg string) error {
	return fmt.Errorf("publish: %w", &social.Error{
		Network: social.NetworkSandbox,
		Class:   social.Permanent,
		Message: msg,
	})
}

// canceled returns the failure of the operation op called with a canceled
// or expired ctx, nil while ctx is live: Transient, as a real network's
// would be, and joined with ctx.Err(). The sandbox answers at once, so
// whether ctx was canceled or ran out of time, it is the caller that gave up.
func canceled(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", op, &social.Error{
			Network: social.NetworkSandbox,
			Class:   social.Transient,
			Message: "the request was canceled",
		}, err)
	}
	return nil
}

// postID derives a post's ID from its idempotency key: 16 hex digits of its
// SHA-256, short enough for a link yet with collisions out of reach (2^64).
func postID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

func published(p Post) social.Published {
	return social.Published{ID: p.ID, URL: p.URL}
}
