package mastodon

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"catweete/social"
)

// TestPublishRefusedWhenSentAgainIsNoClearAnswer: Go's transport sends a
// request with an Idempotency-Key again by itself when its connection drops
// before the answer. When Mastodon took the first sending in and refused
// the second (a 429), Publish said 429, and a delivery out of attempts was
// marked failed while its status was out. The refusal of a second sending
// is no clear answer: Status 0, Transient, with the wait Mastodon asked
// for.
func TestPublishRefusedWhenSentAgainIsNoClearAnswer(t *testing.T) {
	t.Parallel()
	var posts atomic.Int32
	c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			reply(http.StatusOK, `{"domain":"mastodon.example","configuration":{"statuses":{"max_characters":500}}}`)(w, r)
			return
		}
		if posts.Add(1) == 1 {
			// Taken in, then the connection drops before the answer.
			panic(http.ErrAbortHandler)
		}
		reply(http.StatusTooManyRequests, `{"error":"Too many requests"}`, "X-RateLimit-Limit", "300",
			"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2024-06-03T09:30:02.000000Z")(w, r)
	})
	// A kept-alive connection: the transport sends again only on a
	// connection that served a request before. With one connection at a
	// time, the POST waits for the GET's to be free, and takes it.
	c.http = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	if err := c.LoadInstance(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
	checkError(t, err, social.Transient, 0, 2*time.Second)
	var se *social.Error
	if errors.As(err, &se) && !strings.Contains(se.Message, "sending it again got 429") {
		t.Errorf("Message = %q, want it to say the second sending was refused", se.Message)
	}
	var keys []string
	for _, r := range srv.seen() {
		if r.Method == http.MethodPost {
			keys = append(keys, r.IdempotencyKey)
		}
	}
	if len(keys) != 2 || keys[0] != "k1" || keys[1] != "k1" {
		t.Fatalf("POSTs with keys %q, want the transport to have sent k1 twice (the case under test)", keys)
	}
}

// TestPublishRefusedOnceKeepsItsStatus: a refusal of the only sending is a
// clear answer, and keeps its HTTP status.
func TestPublishRefusedOnceKeepsItsStatus(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, reply(http.StatusTooManyRequests, `{"error":"Too many requests"}`, "X-RateLimit-Limit", "300",
		"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2024-06-03T09:30:02.000000Z"))
	_, err := c.Publish(context.Background(), social.Post{Text: "Bonjour", IdempotencyKey: "k1"})
	checkError(t, err, social.Transient, http.StatusTooManyRequests, 2*time.Second)
}
