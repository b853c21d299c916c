package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"catweete/social"
)

// networkError classifies a request that got no answer: Transient, and
// Publish's idempotency key makes the retry harmless.
func (c *Client) networkError(ctx context.Context, err error) *social.Error {
	return social.NoAnswer(ctx, social.NetworkMastodon, err)
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

// clean makes a server-supplied text safe and short enough for Slack.
func (c *Client) clean(s string) string {
	return social.CleanMessage(s, c.token)
}

// retryAfter returns how long the server asked to wait: Retry-After (delay
// seconds or an HTTP date), else, when useReset is set, Mastodon's
// X-RateLimit-Reset (an ISO 8601 time, https://docs.joinmastodon.org/api/rate-limits/).
// Times are measured against c.nowFunc; a time already past, or a header that
// does not parse, means 0: the caller's own backoff applies.
func (c *Client) retryAfter(h http.Header, useReset bool) time.Duration {
	if d := social.RetryAfter(h, c.nowFunc()); d > 0 || h.Get("Retry-After") != "" {
		return d
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
