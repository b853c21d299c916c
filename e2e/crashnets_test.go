package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// netPost is one publish request that reached a fake network: a Mastodon
// POST /api/v1/statuses or an X POST /2/tweets.
type netPost struct {
	Seq     int
	Network string // "mastodon" or "x"
	Key     string // Mastodon's Idempotency-Key; empty on X
	Text    string
	// ID is the status or post the network holds for this request; empty
	// when the client hung up before the network took the request in.
	ID string
	// Created is true when this request made a new status or post;
	// Repeated when Mastodon returned the one an earlier request with the
	// same key had made.
	Created, Repeated bool
	// Outcome is how the request ended: "answered", "abandoned" (the client
	// left before the network took it in), "answer lost" (the client left
	// after) or "hung" (held until the client gave up).
	Outcome string
}

// slowNets is a fake Mastodon and a fake X whose publish calls are slow
// and sometimes hang, so that a killed bot leaves deliveries in flight. The
// fake Mastodon keeps one status per Idempotency-Key, as Mastodon does; the
// fake X has no idempotency and records every POST, so a second POST of a
// text is a second post.
type slowNets struct {
	masto, x               *httptest.Server
	mastodonToken, xToken  string
	stop                   chan struct{} // closed at the end: hung handlers return
	mu                     sync.Mutex
	rng                    *rand.Rand // guarded by mu
	hangs                  bool       // guarded by mu: some publish calls hang
	open                   int        // guarded by mu: publish calls being served
	posts                  []netPost  // guarded by mu
	byKey                  map[string]string
	mastoCounter, xCounter int
	unexpected             []string
	seq                    int
}

func newSlowNets(t *testing.T, seed uint64, mastodonToken, xToken string) *slowNets {
	n := &slowNets{
		mastodonToken: mastodonToken, xToken: xToken, stop: make(chan struct{}),
		rng: rand.New(rand.NewPCG(seed, 0x5eed)), hangs: true, byKey: map[string]string{},
	}
	masto := http.NewServeMux()
	masto.HandleFunc("POST /api/v1/statuses", n.serveStatus)
	masto.HandleFunc("GET /api/v2/instance", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"domain": "masto.example",
			"configuration": map[string]any{"statuses": map[string]any{"max_characters": 500, "characters_reserved_per_url": 23}}})
	})
	masto.HandleFunc("GET /api/v1/accounts/verify_credentials", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"id": "1", "username": "brand", "acct": "brand",
			"url": "https://masto.example/@brand", "followers_count": 10})
	})
	masto.HandleFunc("/", n.serveUnexpected("mastodon"))
	x := http.NewServeMux()
	x.HandleFunc("POST /2/tweets", n.serveTweet)
	x.HandleFunc("GET /2/users/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+n.xToken {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": "1", "username": "brand",
			"public_metrics": map[string]any{"followers_count": 10}}})
	})
	x.HandleFunc("/", n.serveUnexpected("x"))
	n.masto, n.x = httptest.NewServer(masto), httptest.NewServer(x)
	// Cleanups run last-in first-out: the hung handlers are released
	// before the servers wait for them.
	t.Cleanup(n.masto.Close)
	t.Cleanup(n.x.Close)
	t.Cleanup(func() { close(n.stop) })
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the bot hung up
}

// setHangs turns the hanging calls on or off.
func (n *slowNets) setHangs(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.hangs = on
}

// inFlight is how many publish calls are being served now.
func (n *slowNets) inFlight() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.open
}

// snapshot copies the publish requests recorded so far and the unexpected
// requests.
func (n *slowNets) snapshot() ([]netPost, []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]netPost(nil), n.posts...), append([]string(nil), n.unexpected...)
}

// plan draws how one publish call behaves: a wait before the network takes
// the request in, a wait before it answers (50 to 500 ms in all), and
// whether it hangs instead of answering.
func (n *slowNets) plan() (before, after time.Duration, hang bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.open++
	before = time.Duration(n.rng.Int64N(int64(250 * time.Millisecond)))
	after = 50*time.Millisecond + time.Duration(n.rng.Int64N(int64(200*time.Millisecond)))
	hang = n.hangs && n.rng.IntN(6) == 0
	return before, after, hang
}

func (n *slowNets) done() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.open--
}

// wait sleeps d, and reports false if the client hung up first.
func (n *slowNets) wait(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
	case <-n.stop:
	}
	return false
}

// record appends p under mu and returns its index.
func (n *slowNets) record(p netPost) int {
	n.seq++
	p.Seq = n.seq
	n.posts = append(n.posts, p)
	return len(n.posts) - 1
}

func (n *slowNets) setOutcome(i int, outcome string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.posts[i].Outcome = outcome
}

// serve runs one publish call: create (under mu) makes or finds what the
// network holds and returns the answer to send.
func (n *slowNets) serve(w http.ResponseWriter, r *http.Request, p netPost, create func(*netPost) (int, any)) {
	before, after, hang := n.plan()
	defer n.done()
	if !n.wait(r.Context(), before) {
		n.mu.Lock()
		p.Outcome = "abandoned"
		n.record(p)
		n.mu.Unlock()
		return
	}
	n.mu.Lock()
	status, answer := create(&p)
	i := n.record(p)
	n.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
		case <-n.stop:
		}
		n.setOutcome(i, "hung")
		return
	}
	if !n.wait(r.Context(), after) {
		n.setOutcome(i, "answer lost")
		return
	}
	n.setOutcome(i, "answered")
	writeJSON(w, status, answer)
}

// serveStatus is POST /api/v1/statuses: one status per Idempotency-Key.
func (n *slowNets) serveStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	raw, _ := io.ReadAll(r.Body)
	json.Unmarshal(raw, &body) //nolint:errcheck // an empty status is refused below
	if r.Header.Get("Authorization") != "Bearer "+n.mastodonToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "The access token is invalid"})
		return
	}
	if strings.TrimSpace(body.Status) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "Validation failed: Text can't be blank"})
		return
	}
	p := netPost{Network: "mastodon", Key: r.Header.Get("Idempotency-Key"), Text: body.Status}
	n.serve(w, r, p, func(p *netPost) (int, any) {
		id, seen := n.byKey[p.Key]
		if !seen || p.Key == "" {
			n.mastoCounter++
			id = fmt.Sprint(n.mastoCounter)
			if p.Key != "" {
				n.byKey[p.Key] = id
			}
		}
		p.ID, p.Created, p.Repeated = id, !seen, seen
		return http.StatusOK, map[string]any{
			"id": id, "url": statusURL(id), "uri": "https://masto.example/users/brand/statuses/" + id,
			"content": "<p>" + p.Text + "</p>", "visibility": "public", "created_at": time.Now().UTC().Format(time.RFC3339),
		}
	})
}

// serveTweet is POST /2/tweets: every request makes a post.
func (n *slowNets) serveTweet(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	raw, _ := io.ReadAll(r.Body)
	json.Unmarshal(raw, &body) //nolint:errcheck // an empty text is refused below
	if r.Header.Get("Authorization") != "Bearer "+n.xToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
		return
	}
	if strings.TrimSpace(body.Text) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"message": "text must not be empty"}},
			"title": "Invalid Request", "detail": "One or more parameters to your request was invalid."})
		return
	}
	p := netPost{Network: "x", Text: body.Text}
	n.serve(w, r, p, func(p *netPost) (int, any) {
		n.xCounter++
		p.ID, p.Created = fmt.Sprint(1800000000000000000+n.xCounter), true
		return http.StatusCreated, map[string]any{"data": map[string]any{"id": p.ID, "text": p.Text}}
	})
}

func (n *slowNets) serveUnexpected(network string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		n.unexpected = append(n.unexpected, network+": "+r.Method+" "+r.URL.Path)
		n.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Record not found"})
	}
}
