// Package x publishes to one X (formerly Twitter) account through the X API
// v2 (https://docs.x.com/x-api), with an OAuth 2.0 user access token.
//
// Every failure is returned as a *social.Error (wrapped with the operation
// that failed), so that catweete's dispatcher can tell a rate limit or a
// server error, which it retries, from a refused post, which a person must
// fix.
//
// X has no idempotency key: a POST /2/tweets whose answer is lost may or may
// not have created the post, and sending it again could publish it twice.
// The client therefore reports Idempotent() == false and returns failures
// without an answer with Status 0, which the dispatcher turns into an
// "unknown" delivery for a person to settle. X does refuse a text identical
// to a recent post of the same account (403 "duplicate content"); Publish
// turns that refusal into a social.Duplicate error naming the existing post
// when it can find it among the account's latest posts.
package x

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"catweete/social"
)

const (
	// DefaultAPIURL is X's API, used when Config.APIURL is empty.
	DefaultAPIURL = "https://api.x.com"
	// userAgent names catweete in X's logs.
	userAgent = "catweete (X client)"
	// webURL is where people see posts and profiles.
	webURL = "https://x.com"
)

// Config says which account the client speaks for.
type Config struct {
	// APIURL is X's API (X_API_URL). If empty, DefaultAPIURL. Absolute http
	// or https, without credentials, query or fragment; a trailing slash is
	// tolerated and a path prefix is kept (for tests and proxies).
	APIURL string
	// Token is the account's OAuth 2.0 user access token (X_ACCESS_TOKEN),
	// sent as a bearer token. Required. It needs the tweet.read,
	// tweet.write and users.read scopes. It never appears in an error, a log
	// line or a social.Error Message.
	Token string
	// HTTPClient sends the requests. If nil, a client with a 30 s timeout
	// that does not follow redirects (see New).
	HTTPClient *http.Client
}

// Client publishes to one X account and reads its numbers. It is safe for
// concurrent use.
type Client struct {
	base  string // APIURL without its trailing slash
	token string
	http  *http.Client
	// nowFunc is the clock that x-rate-limit-reset times and Retry-After
	// dates are measured against; tests replace it to get exact waits.
	nowFunc func() time.Time

	mu sync.Mutex
	me account // guarded by mu; zero until GET /2/users/me first succeeded
}

// account is who the token speaks for, as GET /2/users/me tells it.
type account struct {
	ID       string
	Username string
}

// New checks cfg and returns a client. It makes no request: call Profile to
// check the token.
//
// The default HTTP client (social.DefaultHTTPClient) does not follow
// redirects: a redirect is reported as a permanent failure that names where
// the server points.
func New(cfg Config) (*Client, error) {
	base, err := social.BaseURL(cfg.APIURL, social.URLSetting{
		Network:       social.NetworkX,
		Name:          "the API URL (X_API_URL)",
		Default:       DefaultAPIURL,
		SecretSetting: "X_ACCESS_TOKEN",
	})
	if err != nil {
		return nil, err
	}
	token, err := social.CheckToken(cfg.Token, social.NetworkX, "the access token (X_ACCESS_TOKEN)")
	if err != nil {
		return nil, err
	}
	return &Client{base: base, token: token, http: social.DefaultHTTPClient(cfg.HTTPClient), nowFunc: time.Now}, nil
}

// Network returns social.NetworkX.
func (c *Client) Network() string { return social.NetworkX }

// Idempotent reports false: X has no idempotency key, so a delivery whose
// answer was lost must not be sent again blindly.
func (c *Client) Idempotent() bool { return false }

// user is the part of X's User object that catweete keeps
// (https://docs.x.com/x-api/users/user-lookup-me).
type user struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	PublicMetrics *struct {
		FollowersCount *int64 `json:"followers_count"`
	} `json:"public_metrics"`
}

// fetchMe asks who the token speaks for (GET /2/users/me) and caches the
// answer for post links and the duplicate search.
func (c *Client) fetchMe(ctx context.Context) (user, error) {
	var body struct {
		Data user `json:"data"`
	}
	if _, err := c.call(ctx, http.MethodGet, "/2/users/me?user.fields=public_metrics", nil, &body); err != nil {
		return user{}, err
	}
	if body.Data.ID == "" || body.Data.Username == "" {
		return user{}, &social.Error{
			Network: social.NetworkX,
			Class:   social.Transient,
			Status:  http.StatusOK,
			Message: "the answer names no account",
		}
	}
	c.mu.Lock()
	c.me = account{ID: body.Data.ID, Username: body.Data.Username}
	c.mu.Unlock()
	return body.Data, nil
}

// account returns the cached account, asking X the first time. A failure is
// not cached: the next call asks again.
func (c *Client) account(ctx context.Context) (account, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me.ID != "" {
		return me, nil
	}
	u, err := c.fetchMe(ctx)
	if err != nil {
		return account{}, err
	}
	return account{ID: u.ID, Username: u.Username}, nil
}

// call sends one authenticated request, decodes a 2xx JSON answer into out
// and returns its status. Every failure is a *social.Error, joined with the underlying Go error
// when there is one (so errors.Is(err, context.DeadlineExceeded) still
// works); callers only add which operation failed.
func (c *Client) call(ctx context.Context, method, path string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("x: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, fmt.Errorf("x: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		// X refuses a body without it: "Requests with bodies must have
		// content-type of application/json."
		req.Header.Set("Content-Type", "application/json")
	}

	resp, data, err := social.Send(c.http, req, social.NetworkX)
	if resp == nil {
		// No answer: Status stays 0, which tells the dispatcher that the
		// post may or may not exist.
		return 0, err
	}
	if err != nil {
		return resp.StatusCode, err
	}
	if !social.Success(resp.StatusCode) {
		return resp.StatusCode, c.statusError(resp, data)
	}
	return resp.StatusCode, social.DecodeJSON(social.NetworkX, resp.StatusCode, data, out, "X")
}
