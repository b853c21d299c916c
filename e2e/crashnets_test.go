package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	// after), "hung" (held until the client gave up), or one of the faults
	// a planner injects: "server error" and "rate limited" (refused before
	// the network took anything in), "dropped" (taken in, then the
	// connection was closed without an answer).
	Outcome string
}

// Outcomes of a publish request at the fakes (netPost.Outcome).
const (
	outcomeAnswered    = "answered"
	outcomeAbandoned   = "abandoned"
	outcomeAnswerLost  = "answer lost"
	outcomeHung        = "hung"
	outcomeServerError = "server error"
	outcomeRateLimited = "rate limited"
	outcomeDropped     = "dropped"
)

// refused reports whether the network said no before taking the request
// in: the one outcome after which sending the post again is safe on a
// network without idempotency keys.
func (p netPost) refused() bool {
	return p.Outcome == outcomeServerError || p.Outcome == outcomeRateLimited
}

// fault is what a fake network does with one publish request, besides
// being slow.
type fault int

const (
	faultNone fault = iota // takes the post in and answers as documented
	// faultServerError answers 503 with a short Retry-After before taking
	// anything in.
	faultServerError
	// faultRateLimit answers 429 with the network's own rate-limit headers
	// (a reset 1 to 2 s away) before taking anything in.
	faultRateLimit
	// faultHang takes the post in, then holds the request until the client
	// gives up (its timeout, or its death).
	faultHang
	// faultDrop takes the post in, then closes the connection without an
	// answer: the client cannot know that the post exists.
	faultDrop
)

// callPlan is how one publish call goes: a wait before the network takes
// the request in, a wait before it answers, and what goes wrong.
type callPlan struct {
	before, after time.Duration
	fault         fault
}

// planner draws the plan of one publish call from the fakes' seeded
// random source (it runs under their lock).
type planner func(rng *rand.Rand) callPlan

// crashPlanner is the crash test's plan: every call slow (50 to 500 ms in
// all), and with hangs on, one in six held until the client gives up.
func crashPlanner(hangs bool) planner {
	return func(rng *rand.Rand) callPlan {
		p := callPlan{
			before: time.Duration(rng.Int64N(int64(250 * time.Millisecond))),
			after:  50*time.Millisecond + time.Duration(rng.Int64N(int64(200*time.Millisecond))),
		}
		if hangs && rng.IntN(6) == 0 {
			p.fault = faultHang
		}
		return p
	}
}

// slowNets is a fake Mastodon and a fake X whose publish calls are slow
// and go wrong as a planner says (hang, fail, rate limit, lose their
// answer), so that a killed bot leaves deliveries in flight. The fake
// Mastodon keeps one status per Idempotency-Key, as Mastodon does; the fake
// X has no idempotency and records every POST, so a second POST of a text
// that X took in is a second post.
type slowNets struct {
	masto, x               *httptest.Server
	mastodonToken, xToken  string
	stop                   chan struct{} // closed at the end: hung handlers return
	mu                     sync.Mutex
	rng                    *rand.Rand // guarded by mu
	planner                planner    // guarded by mu
	open                   int        // guarded by mu: publish calls being served
	posts                  []netPost  // guarded by mu
	byKey                  map[string]string
	mastoCounter, xCounter int
	unexpected             []string
	seq                    int
}

func newSlowNets(t *testing.T, seed uint64, plan planner, mastodonToken, xToken string) *slowNets {
	n := &slowNets{
		mastodonToken: mastodonToken, xToken: xToken, stop: make(chan struct{}),
		rng: rand.New(rand.NewPCG(seed, 0x5eed)), planner: plan, byKey: map[string]string{},
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

// setPlanner changes how the next publish calls go.
func (n *slowNets) setPlanner(p planner) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.planner = p
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

// plan draws how one publish call behaves, and counts it as open.
func (n *slowNets) plan() callPlan {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.open++
	return n.planner(n.rng)
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
	plan := n.plan()
	defer n.done()
	if !n.wait(r.Context(), plan.before) {
		n.mu.Lock()
		p.Outcome = outcomeAbandoned
		n.record(p)
		n.mu.Unlock()
		return
	}
	switch plan.fault {
	case faultServerError, faultRateLimit:
		n.mu.Lock()
		p.Outcome = outcomeServerError
		if plan.fault == faultRateLimit {
			p.Outcome = outcomeRateLimited
		}
		n.record(p)
		n.mu.Unlock()
		refuse(w, p.Network, plan.fault, time.Now())
		return
	}
	n.mu.Lock()
	status, answer := create(&p)
	i := n.record(p)
	n.mu.Unlock()
	switch plan.fault {
	case faultHang:
		select {
		case <-r.Context().Done():
		case <-n.stop:
		}
		n.setOutcome(i, outcomeHung)
		return
	case faultDrop:
		n.setOutcome(i, outcomeDropped)
		// The documented way to end a handler without an answer: the
		// server closes the connection, and the client sees it cut.
		panic(http.ErrAbortHandler)
	}
	if !n.wait(r.Context(), plan.after) {
		n.setOutcome(i, outcomeAnswerLost)
		return
	}
	n.setOutcome(i, outcomeAnswered)
	writeJSON(w, status, answer)
}

// refuse answers a publish request with a server error or a rate limit, as
// each network words them. A 503 carries a Retry-After of one second (what
// a server in maintenance says); a 429 carries the network's own rate-limit
// headers, the window ending 1 to 2 s from now: Mastodon's X-RateLimit-Reset
// is an ISO 8601 time (https://docs.joinmastodon.org/api/rate-limits/), X's
// x-rate-limit-reset Unix seconds (https://docs.x.com/fundamentals/rate-limits).
func refuse(w http.ResponseWriter, network string, f fault, now time.Time) {
	h := w.Header()
	if f == faultServerError {
		h.Set("Retry-After", "1")
		if network == "mastodon" {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "Service Unavailable"})
			return
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"title": "Service Unavailable", "type": "about:blank",
			"status": 503, "detail": "Service Unavailable"})
		return
	}
	if network == "mastodon" {
		h.Set("X-RateLimit-Limit", "300")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", now.Add(1500*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000Z"))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "Too many requests"})
		return
	}
	h.Set("x-rate-limit-limit", "100")
	h.Set("x-rate-limit-remaining", "0")
	h.Set("x-rate-limit-reset", strconv.FormatInt(now.Unix()+2, 10))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []any{map[string]any{"code": 88, "message": "Rate limit exceeded"}}})
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
