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

	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %w", social.NoAnswer(ctx, social.NetworkBluesky, err), err)
	}
	defer resp.Body.Close()
	data, readErr := social.ReadBody(resp)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(resp, data, r)
	}
	if readErr != nil {
		return "", fmt.Errorf("%w: %w", &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Transient,
			Status:  resp.StatusCode,
			Message: "the answer was cut short",
		}, readErr)
	}
	if out == nil {
		return "", nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		// A 2xx that is not the documented JSON (a proxy's page, a truncated
		// body) says nothing certain: Transient, and the record key makes a
		// retried createRecord safe.
		return "", fmt.Errorf("%w: %w", &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Transient,
			Status:  resp.StatusCode,
			Message: "the answer is not the JSON the server documents",
		}, err)
	}
	return "", nil
}

// statusError classifies a non-2xx answer and returns its XRPC error name:
// 429 and 5xx are Transient (a 429 with RetryAfter from Retry-After or
// ratelimit-reset); every other status (400 InvalidRequest, 401, 403, 404,
// 413, a redirect…) is Permanent. Callers that know better for a name (an
// expired token, a record that already exists) act on it before reporting.
func (c *Client) statusError(resp *http.Response, body []byte, r request) (string, error) {
	code := resp.StatusCode
	var eb xrpcError
	_ = json.Unmarshal(body, &eb)
	name := strings.TrimSpace(eb.Error)
	e := &social.Error{
		Network: social.NetworkBluesky,
		Class:   social.Permanent,
		Status:  code,
		Message: c.message(code, eb, r.token),
	}
	switch {
	case code == http.StatusTooManyRequests:
		e.Class = social.Transient
		e.RetryAfter = c.retryAfter(resp.Header, true)
	case code >= 500:
		// The PDS sends ratelimit-* headers on every answer, so only an
		// explicit Retry-After (a 503 during maintenance) says how long to
		// wait after a server error.
		e.Class = social.Transient
		e.RetryAfter = c.retryAfter(resp.Header, false)
	case code >= 300 && code < 400:
		if loc := resp.Header.Get("Location"); loc != "" {
			msg := fmt.Sprintf("the server redirects to %s", loc)
			if r.base == c.pds {
				msg += ": set BLUESKY_PDS_URL to the server's own address"
			}
			e.Message = c.clean(msg, r.token)
		}
	}
	return name, e
}

// message returns the server's own words about a failure: the "message" of
// the XRPC error body, else its "error" name, else the status text, since an
// HTML error page from a proxy is not worth showing anyone.
func (c *Client) message(code int, eb xrpcError, token string) string {
	msg := strings.TrimSpace(eb.Message)
	if msg == "" {
		msg = strings.TrimSpace(eb.Error)
	}
	if msg == "" {
		msg = http.StatusText(code)
	}
	if msg == "" {
		msg = "unexpected answer"
	}
	return c.clean(msg, token)
}

// clean makes a server-supplied text safe and short enough for Slack: the
// app password, the token of the call and those of the current session are
// blanked out.
func (c *Client) clean(s, token string) string {
	secrets := []string{c.password, token}
	c.mu.Lock()
	if c.sess != nil {
		secrets = append(secrets, c.sess.accessJwt, c.sess.refreshJwt)
	}
	c.mu.Unlock()
	return social.CleanMessage(s, secrets...)
}

// resetEpochThreshold separates the two readings of a ratelimit-reset
// value: Bluesky sends the reset time in Unix seconds
// (e.g. ratelimit-reset: 1726684000 with ratelimit-policy: 100;w=86400),
// while the IETF draft it follows defines a number of seconds to wait. A
// value below this (September 2001) cannot be a time catweete runs at, so it
// is read as a delay.
const resetEpochThreshold = 1_000_000_000

// retryAfter returns how long the server asked to wait: Retry-After (delay
// seconds or an HTTP date), else, when useReset is set, ratelimit-reset.
// Times are measured against c.nowFunc; a time already past, or a header
// that does not parse, means 0: the caller's own backoff applies.
func (c *Client) retryAfter(h http.Header, useReset bool) time.Duration {
	now := c.nowFunc()
	if d := social.RetryAfter(h, now); d > 0 || h.Get("Retry-After") != "" {
		return d
	}
	if !useReset {
		return 0
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
