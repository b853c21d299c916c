// Package mastodon publishes to one Mastodon account through Mastodon's
// documented REST API (https://docs.joinmastodon.org/methods/statuses/).
//
// Every failure is returned as a *social.Error (wrapped with the operation
// that failed), so that catweete's dispatcher can tell a rate limit or a
// timeout, which it retries, from a refused post, which a person must fix.
// Retrying Publish is safe: each call carries the delivery's Idempotency-Key,
// and Mastodon answers a repeated key (kept about an hour) with the status it
// already created instead of creating a second one.
package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"catweete/social"
)

// userAgent names catweete to the instance's administrators.
const userAgent = "catweete (Mastodon client)"

// Config says which account the client speaks for.
type Config struct {
	// BaseURL is the instance, e.g. https://mastodon.social (MASTODON_URL).
	// Required; absolute http or https, without credentials, query or
	// fragment; a trailing slash is tolerated and a path prefix is kept.
	BaseURL string
	// Token is the account's bearer access token (MASTODON_TOKEN). Required.
	// It is sent only in the Authorization header and never appears in an
	// error, a log line or a social.Error Message.
	Token string
	// HTTPClient sends the requests. If nil, a client with a 30 s timeout
	// that does not follow redirects (see New).
	HTTPClient *http.Client
}

// Client publishes to one Mastodon account. It is safe for concurrent use.
type Client struct {
	base  string // BaseURL without its trailing slash
	token string
	http  *http.Client
	// nowFunc is the clock that Retry-After dates and X-RateLimit-Reset times are
	// measured against; tests replace it to get exact waits.
	nowFunc func() time.Time

	mu     sync.RWMutex
	limits limits // guarded by mu: LoadInstance writes while Length reads
}

// limits is how the instance counts a status.
type limits struct {
	maxCharacters    int
	charactersPerURL int
}

// New checks cfg and returns a client. It makes no request: call
// VerifyCredentials to check the token and LoadInstance to learn the
// instance's length limit.
//
// The default HTTP client (social.DefaultHTTPClient) does not follow
// redirects: a redirect is reported as a permanent failure that names where
// the server points, which is what MASTODON_URL should say instead.
func New(cfg Config) (*Client, error) {
	base, err := social.BaseURL(cfg.BaseURL, social.URLSetting{
		Network:       social.NetworkMastodon,
		Name:          "the instance URL (MASTODON_URL)",
		Example:       "https://mastodon.social",
		SecretSetting: "MASTODON_TOKEN",
	})
	if err != nil {
		return nil, err
	}
	token, err := social.CheckToken(cfg.Token, social.NetworkMastodon, "the access token (MASTODON_TOKEN)")
	if err != nil {
		return nil, err
	}
	return &Client{
		base:    base,
		token:   token,
		http:    social.DefaultHTTPClient(cfg.HTTPClient),
		nowFunc: time.Now,
		limits:  limits{maxCharacters: defaultMaxCharacters, charactersPerURL: defaultCharactersPerURL},
	}, nil
}

// Network returns social.NetworkMastodon.
func (c *Client) Network() string { return social.NetworkMastodon }

// Idempotent reports true: Publish sends the delivery's Idempotency-Key, and
// Mastodon answers a repeated key with the status it already created, so a
// delivery interrupted mid-call may be sent again (within the hour or so
// Mastodon keeps the key).
func (c *Client) Idempotent() bool { return true }

// status is the part of Mastodon's Status entity that catweete keeps.
type status struct {
	ID  string `json:"id"`
	URL string `json:"url"` // null for some statuses: then URI is the link
	URI string `json:"uri"`
}

// Publish posts p.Text as a public status
// (POST /api/v1/statuses, https://docs.joinmastodon.org/methods/statuses/#create).
//
// p.IdempotencyKey is required and sent as the Idempotency-Key header: without
// it a retry after a timeout could publish the post twice, so Publish refuses
// (permanently, without a request) rather than risk it. A retry with the same
// key within about an hour gets the status created the first time, as a
// success.
//
// Failures are *social.Error: no answer, 5xx and 429 are Transient (a 429
// carries RetryAfter from Retry-After, else from X-RateLimit-Reset); 401,
// 403, 404, 422 and every other 4xx are Permanent, with Mastodon's own
// message, e.g. "Validation failed: Text character limit of 500 exceeded".
func (c *Client) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	if p.IdempotencyKey == "" {
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkMastodon,
			Class:   social.Permanent,
			Message: "the post has no idempotency key, so a retry could publish it twice",
		})
	}
	if !social.ValidHeaderValue(p.IdempotencyKey) {
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkMastodon,
			Class:   social.Permanent,
			Message: "the idempotency key cannot be sent in an HTTP header",
		})
	}
	body := struct {
		Status     string `json:"status"`
		Visibility string `json:"visibility"`
	}{Status: p.Text, Visibility: "public"}
	var st status
	if err := c.call(ctx, http.MethodPost, "/api/v1/statuses", body, p.IdempotencyKey, &st); err != nil {
		return social.Published{}, fmt.Errorf("publish: %w", err)
	}
	if st.ID == "" {
		// The request may have created a status: only a retry with the same
		// key can find out safely, so this is Transient, not Permanent.
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkMastodon,
			Class:   social.Transient,
			Status:  http.StatusOK,
			Message: "the answer has no status id",
		})
	}
	link := st.URL
	if link == "" {
		link = st.URI
	}
	return social.Published{ID: st.ID, URL: link}, nil
}

// instance is the part of Mastodon's Instance entity (v2, and v1 since
// Mastodon 3.4.2) that says how statuses are counted.
type instance struct {
	Configuration struct {
		Statuses struct {
			MaxCharacters            int `json:"max_characters"`
			CharactersReservedPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
	} `json:"configuration"`
}

// LoadInstance reads the instance's length rules
// (GET /api/v2/instance → configuration.statuses: max_characters and
// characters_reserved_per_url), which Length uses from then on. Missing or
// zero values keep the defaults, 500 and 23. A server too old for
// /api/v2/instance (404) is asked /api/v1/instance instead.
//
// It is safe to call while other goroutines call Length, e.g. to refresh the
// limits periodically.
func (c *Client) LoadInstance(ctx context.Context) error {
	var inst instance
	err := c.call(ctx, http.MethodGet, "/api/v2/instance", nil, "", &inst)
	var se *social.Error
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		err = c.call(ctx, http.MethodGet, "/api/v1/instance", nil, "", &inst)
	}
	if err != nil {
		return fmt.Errorf("load instance: %w", err)
	}
	l := limits{maxCharacters: defaultMaxCharacters, charactersPerURL: defaultCharactersPerURL}
	if n := inst.Configuration.Statuses.MaxCharacters; n > 0 {
		l.maxCharacters = n
	}
	if n := inst.Configuration.Statuses.CharactersReservedPerURL; n > 0 {
		l.charactersPerURL = n
	}
	c.mu.Lock()
	c.limits = l
	c.mu.Unlock()
	return nil
}

// Account is the account the token speaks for, as catweete shows it in
// `/catweete accounts` and records followers for reach rates.
type Account struct {
	// ID is Mastodon's opaque account id.
	ID string `json:"id"`
	// Username is the local part, without the instance ("catweete").
	Username string `json:"username"`
	// Acct is the handle as the instance shows it; for the token's own
	// account that is the bare username.
	Acct string `json:"acct"`
	// URL is the public profile page.
	URL string `json:"url"`
	// FollowersCount is the number of followers now.
	FollowersCount int `json:"followers_count"`
}

// VerifyCredentials checks the token and returns its account
// (GET /api/v1/accounts/verify_credentials). An invalid or revoked token is a
// Permanent *social.Error with status 401.
func (c *Client) VerifyCredentials(ctx context.Context) (Account, error) {
	var a Account
	if err := c.call(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, "", &a); err != nil {
		return Account{}, fmt.Errorf("verify credentials: %w", err)
	}
	return a, nil
}

// call sends one authenticated request and decodes a 2xx JSON answer into out.
// Every failure is a *social.Error, joined with the underlying Go error when
// there is one (so errors.Is(err, context.DeadlineExceeded) still works);
// callers only add which operation failed.
func (c *Client) call(ctx context.Context, method, path string, in any, idempotencyKey string, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("mastodon: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("mastodon: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}

	// Go's transport sends a request that carries an Idempotency-Key again,
	// by itself, when the connection drops before the answer: the answer is
	// then the second sending's. Counted here, so that a refusal of the
	// second does not pass for the fate of the first.
	var sent atomic.Int32
	if idempotencyKey != "" {
		req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(w httptrace.WroteRequestInfo) {
				if w.Err == nil {
					sent.Add(1)
				}
			},
		}))
	}

	// No answer, an answer cut short or one that is not the documented JSON
	// are Transient: Publish's idempotency key makes the retry harmless.
	resp, data, err := social.Send(c.http, req, social.NetworkMastodon)
	if err != nil {
		return err
	}
	if !social.Success(resp.StatusCode) {
		e := c.statusError(resp, data)
		if sent.Load() > 1 && e.Class == social.Transient {
			// The first sending may have made the status, the refused one
			// cannot say: this is no clear answer (Status 0), and the
			// retry under the same key will find out.
			e.Message = social.CleanMessage(fmt.Sprintf("the connection was lost, and sending it again got %d %s", e.Status, e.Message), c.token)
			e.Status = 0
		}
		return e
	}
	return social.DecodeJSON(social.NetworkMastodon, resp.StatusCode, data, out, "Mastodon")
}
