package mastodon

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"catweete/social"
)

// statusError classifies a non-2xx answer as social.StatusError does, with
// Mastodon's X-RateLimit-Reset telling how long to wait after a 429 that
// has no Retry-After. Mastodon sends X-RateLimit-Reset on every
// authenticated answer, so only an explicit Retry-After (a 503 during
// maintenance) says how long to wait after a server error.
func (c *Client) statusError(resp *http.Response, body []byte) *social.Error {
	e := social.StatusError(resp, social.NetworkMastodon, words(body),
		"set MASTODON_URL to the instance's own address", c.nowFunc(), c.token)
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = c.retryAfter(resp.Header)
	}
	return e
}

// words returns Mastodon's own words about a failure: the "error" field of
// its JSON error body (https://docs.joinmastodon.org/entities/Error/), with
// "error_description" where OAuth errors add one; "" when the body is not
// such JSON (an HTML error page from a proxy).
func words(body []byte) string {
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
	return msg
}

// retryAfter returns how long the server asked to wait after a 429:
// Retry-After (delay seconds or an HTTP date), else Mastodon's
// X-RateLimit-Reset (an ISO 8601 time, https://docs.joinmastodon.org/api/rate-limits/).
// Times are measured against c.nowFunc; a time already past, or a header that
// does not parse, means 0: the caller's own backoff applies.
func (c *Client) retryAfter(h http.Header) time.Duration {
	if d := social.RetryAfter(h, c.nowFunc()); d > 0 || h.Get("Retry-After") != "" {
		return d
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return max(t.Sub(c.nowFunc()), 0)
		}
	}
	return 0
}
