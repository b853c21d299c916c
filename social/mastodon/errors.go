package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"catweete/social"
)

// networkError classifies a request that got no answer. All such failures are
// Transient: the server may never have seen the request, and if it did,
// Publish's idempotency key makes the retry harmless.
func (c *Client) networkError(ctx context.Context, err error) *social.Error {
	msg := "could not reach the server"
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		msg = "the request was canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = "the server did not answer in time"
	}
	return &social.Error{Network: social.NetworkMastodon, Class: social.Transient, Message: msg}
}

// statusError classifies a non-2xx answer.
func (c *Client) statusError(resp *http.Response, body []byte) *social.Error {
	code := resp.StatusCode
	e := &social.Error{
		Network: social.NetworkMastodon,
		Class:   social.Permanent,
		Status:  code,
		Message: c.message(code, body),
	}
	switch {
	case code == http.StatusTooManyRequests:
		e.Class = social.Transient
		e.RetryAfter = c.retryAfter(resp.Header, true)
	case code >= 500:
		// Mastodon sends X-RateLimit-Reset on every authenticated answer,
		// so only an explicit Retry-After (a 503 during maintenance) says
		// how long to wait after a server error.
		e.Class = social.Transient
		e.RetryAfter = c.retryAfter(resp.Header, false)
	case code >= 300 && code < 400:
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Message = c.clean(fmt.Sprintf("the server redirects to %s: set MASTODON_URL to the instance's own address", loc))
		}
	}
	return e
}

// message returns Mastodon's own words about a failure: the "error" field of
// its JSON error body (https://docs.joinmastodon.org/entities/Error/), with
// "error_description" where OAuth errors add one; otherwise the status text,
// since an HTML error page from a proxy is not worth showing anyone.
func (c *Client) message(code int, body []byte) string {
	var eb struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	msg := ""
	if json.Unmarshal(body, &eb) == nil {
		msg = strings.TrimSpace(eb.Error)
		if d := strings.TrimSpace(eb.ErrorDescription); d != "" && d != msg {
			if msg != "" {
				msg += ": "
			}
			msg += d
		}
	}
	if msg == "" {
		msg = http.StatusText(code)
	}
	if msg == "" {
		msg = "unexpected answer"
	}
	return c.clean(msg)
}

// clean makes a server-supplied text safe and short enough to show in Slack:
// the token is blanked out (a proxy that echoes request headers must not leak
// it), whitespace is collapsed onto one line, and the text is cut to about
// 300 characters. The token goes first so that a cut cannot leave part of it.
func (c *Client) clean(s string) string {
	s = strings.ReplaceAll(s, c.token, "[redacted]")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxMessageRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxMessageRunes-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// retryAfter returns how long the server asked to wait: Retry-After (delay
// seconds or an HTTP date), else, when useReset is set, Mastodon's
// X-RateLimit-Reset (an ISO 8601 time, https://docs.joinmastodon.org/api/rate-limits/).
// Times are measured against c.nowFunc; a time already past, or a header that
// does not parse, means 0: the caller's own backoff applies.
func (c *Client) retryAfter(h http.Header, useReset bool) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
			// Clamp before multiplying: a huge value must not wrap around.
			return time.Duration(min(max(secs, 0), math.MaxInt64/int64(time.Second))) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(c.nowFunc()), 0)
		}
	}
	if useReset {
		if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return max(t.Sub(c.nowFunc()), 0)
			}
		}
	}
	return 0
}
