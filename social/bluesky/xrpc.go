package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"catweete/social"
)

// request is one XRPC call (https://atproto.com/specs/xrpc): a query is a
// GET with parameters, a procedure a POST with a JSON body.
type request struct {
	base   string     // c.pds or c.appView
	method string     // http.MethodGet for a query, http.MethodPost for a procedure
	nsid   string     // the method, e.g. "com.atproto.repo.createRecord"
	query  url.Values // a query's parameters
	body   any        // a procedure's input; nil sends no body
	token  string     // the bearer token, "" for none
}

// xrpcError is the body of every XRPC error answer: a machine-readable name
// ("ExpiredToken", "RecordNotFound"…) and a sentence.
type xrpcError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// call sends r and decodes a 2xx JSON answer into out (nil skips it). Every
// failure is a *social.Error, joined with the underlying Go error when there
// is one (so errors.Is(err, context.DeadlineExceeded) still works); name is
// the XRPC error name of a non-2xx answer, "" when it has none. Callers only
// add which operation failed.
func (c *Client) call(ctx context.Context, r request, out any) (name string, err error) {
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return "", fmt.Errorf("bluesky: encode %s: %w", r.nsid, err)
		}
		body = bytes.NewReader(b)
	}
	target := r.base + "/xrpc/" + r.nsid
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return "", fmt.Errorf("bluesky: build %s request: %w", r.nsid, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}

	// No answer, an answer cut short or one that is not the documented JSON
	// are Transient: the record key makes a retried createRecord safe.
	resp, data, err := social.Send(c.http, req, social.NetworkBluesky)
	if err != nil {
		return "", err
	}
	if !social.Success(resp.StatusCode) {
		return c.statusError(resp, data, r)
	}
	if out == nil {
		return "", nil
	}
	return "", social.DecodeJSON(social.NetworkBluesky, resp.StatusCode, data, out, "the server")
}

// statusError classifies a non-2xx answer as social.StatusError does and
// returns its XRPC error name: 429 and 5xx are Transient (a 429 with
// RetryAfter from Retry-After or ratelimit-reset); every other status (400
// InvalidRequest, 401, 403, 404, 413, a redirect…) is Permanent. Callers that
// know better for a name (an expired token, a record that already exists)
// act on it before reporting. The PDS sends ratelimit-* headers on every
// answer, so only an explicit Retry-After (a 503 during maintenance) says
// how long to wait after a server error.
func (c *Client) statusError(resp *http.Response, body []byte, r request) (string, error) {
	var eb xrpcError
	_ = json.Unmarshal(body, &eb)
	hint := ""
	if r.base == c.pds {
		hint = "set BLUESKY_PDS_URL to the server's own address"
	}
	e := social.StatusError(resp, social.NetworkBluesky, eb.words(), hint, c.nowFunc(), c.secrets(r.token)...)
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = c.retryAfter(resp.Header)
	}
	return strings.TrimSpace(eb.Error), e
}

// words returns the server's own words about a failure: the "message" of
// the XRPC error body, else its "error" name; "" when the body is not
// XRPC's error JSON (an HTML error page from a proxy).
func (eb xrpcError) words() string {
	if msg := strings.TrimSpace(eb.Message); msg != "" {
		return msg
	}
	return strings.TrimSpace(eb.Error)
}

// clean makes a server-supplied text safe and short enough for Slack (see
// secrets).
func (c *Client) clean(s, token string) string {
	return social.CleanMessage(s, c.secrets(token)...)
}

// secrets are what no message may show: the app password, the token of the
// call and those of the current session.
func (c *Client) secrets(token string) []string {
	secrets := []string{c.password, token}
	c.mu.Lock()
	if c.sess != nil {
		secrets = append(secrets, c.sess.accessJwt, c.sess.refreshJwt)
	}
	c.mu.Unlock()
	return secrets
}

// resetEpochThreshold separates the two readings of a ratelimit-reset
// value: Bluesky sends the reset time in Unix seconds
// (e.g. ratelimit-reset: 1726684000 with ratelimit-policy: 100;w=86400),
// while the IETF draft it follows defines a number of seconds to wait. A
// value below this (September 2001) cannot be a time catweete runs at, so it
// is read as a delay.
const resetEpochThreshold = 1_000_000_000

// retryAfter returns how long the server asked to wait after a 429:
// Retry-After (delay seconds or an HTTP date), else ratelimit-reset. Times
// are measured against c.nowFunc; a time already past, or a header that does
// not parse, means 0: the caller's own backoff applies.
func (c *Client) retryAfter(h http.Header) time.Duration {
	now := c.nowFunc()
	if d := social.RetryAfter(h, now); d > 0 || h.Get("Retry-After") != "" {
		return d
	}
	v := strings.TrimSpace(h.Get("Ratelimit-Reset"))
	if v == "" {
		return 0
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs <= 0 {
		return 0
	}
	if secs < resetEpochThreshold {
		return social.Seconds(secs)
	}
	return max(time.Unix(secs, 0).Sub(now), 0)
}
