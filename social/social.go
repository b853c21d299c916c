// Package social holds what every network client shares: the post handed to a
// network, what the network answered, and how its failures are classified.
// Clients live in sub-packages (social/mastodon, social/sandbox, …); they know
// nothing of Slack or of catweete's storage.
package social

import (
	"errors"
	"fmt"
	"time"
)

// Network names, as stored in the accounts table and shown to people.
const (
	NetworkMastodon = "mastodon"
	NetworkBluesky  = "bluesky"
	NetworkX        = "x"
	NetworkLinkedIn = "linkedin"
	NetworkFacebook = "facebook"
	NetworkSandbox  = "sandbox"
)

// Post is one delivery of a post to one account.
type Post struct {
	// Text is the text to publish, exactly as approved.
	Text string
	// IdempotencyKey is chosen once per delivery and stored before the first
	// attempt, so that a retry after a crash or a timeout carries the same key
	// and the network can refuse to publish it twice (Mastodon's
	// Idempotency-Key header, Bluesky's record key).
	IdempotencyKey string
}

// Published is what a network answers for a published post.
type Published struct {
	// ID is the network's identifier for the post, opaque to catweete.
	ID string
	// URL is the public link to the post.
	URL string
}

// Class says what catweete should do after a failed call.
type Class int

const (
	// Transient failures (timeouts, 5xx, rate limits) are retried with backoff.
	Transient Class = iota + 1
	// Permanent failures (401/403/422, text too long) are not retried: a
	// person has to act.
	Permanent
	// Duplicate means the network already holds this post: catweete records
	// it as published instead of failing.
	Duplicate
)

func (c Class) String() string {
	switch c {
	case Transient:
		return "transient"
	case Permanent:
		return "permanent"
	case Duplicate:
		return "duplicate"
	default:
		return fmt.Sprintf("class(%d)", int(c))
	}
}

// Error is a failed call to a network, classified. Clients return it (wrapped
// or not) for every failure that reached the network or should have.
type Error struct {
	Network string
	Class   Class
	// Status is the HTTP status, 0 when the request got no answer.
	Status int
	// RetryAfter is how long the network asked to wait, 0 when it did not say.
	RetryAfter time.Duration
	// Message is the network's own words about the failure, short enough to
	// show a person in Slack. It never holds a token.
	Message string
	// Existing is the already-published post, for Duplicate errors where the
	// network names it.
	Existing Published
	// TokenRejected is set when the network refused the account's
	// credentials (an expired or revoked token): every post to it will fail
	// until a person renews them.
	TokenRejected bool
}

// Rejected reports whether err says the account's credentials were
// refused: TokenRejected, or an HTTP 401.
func Rejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.TokenRejected || e.Status == 401)
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s (HTTP %d): %s", e.Network, e.Class, e.Status, e.Message)
	}
	return fmt.Sprintf("%s: %s: %s", e.Network, e.Class, e.Message)
}

// ClassOf returns the class of err: the Class of a wrapped *Error, Transient
// for anything else (a failure that cannot be classified is safer retried by
// a client that guards against doubles than dropped).
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return Transient
}

// Count is a figure a network may or may not give. A figure it does not
// give is not zero: catweete never invents one.
type Count struct {
	Value int64
	Known bool
}

// Known is a figure the network gave.
func Known(v int64) Count { return Count{Value: v, Known: true} }

// Metrics is what a network says of one published post, at one moment.
type Metrics struct {
	Impressions Count
	// Reach is the number of unique accounts that saw the post.
	Reach   Count
	Likes   Count
	Reposts Count
	Replies Count
	Quotes  Count
	Clicks  Count
	Saves   Count
}

// Profile is the account as the network shows it: who it is, and its
// audience. Fetching it also proves that the token works.
type Profile struct {
	// Handle is the account's name on the network (@brand@instance,
	// brand.bsky.social, @brand, a page or organization name).
	Handle    string
	URL       string
	Followers Count
}
