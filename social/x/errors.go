package x

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"catweete/social"
)

// problem is an X API v2 error body. X answers failures in two shapes, and
// sometimes both at once:
//
//   - an RFC 7807 problem: {"title","detail","type","status"}, e.g. 403
//     {"detail":"You are not allowed to create a Tweet with duplicate
//     content.","type":"about:blank","title":"Forbidden","status":403};
//   - a list of errors: {"errors":[{"message",...}]}, e.g. 400
//     {"errors":[{"parameters":{},"message":"Requests with bodies must have
//     content-type of application/json."}],"title":"Invalid Request",
//     "detail":"One or more parameters to your request was invalid.",
//     "type":"https://api.twitter.com/2/problems/invalid-request"}.
//
// A 200 answer can carry "errors" too (partial errors, such as a field the
// token may not read): see Metrics. OAuth failures may come as
// {"error","error_description"}.
type problem struct {
	Title  string      `json:"title"`
	Detail string      `json:"detail"`
	Type   string      `json:"type"`
	Errors []errorItem `json:"errors"`
	// OAuth 2.0 error answers.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// errorItem is one entry of "errors": the v1.1-style {"code","message"} or a
// v2 partial error {"title","detail","type","field","resource_id",...}.
type errorItem struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Title   string `json:"title"`
	Detail  string `json:"detail"`
	Type    string `json:"type"`
	Field   string `json:"field"`
}

// text is what the item says, in X's own words.
func (e errorItem) text() string {
	if m := strings.TrimSpace(e.Message); m != "" {
		return m
	}
	if d := strings.TrimSpace(e.Detail); d != "" {
		return d
	}
	return strings.TrimSpace(e.Title)
}

// words returns X's own words about a failure: the messages of "errors" when
// there are any (they are the precise ones: "detail" of an invalid-request
// only says that a parameter was invalid), else "detail", else "title", as
// tweepy does; else the OAuth description. Empty when the body says nothing.
func (p problem) words() string {
	var msgs []string
	seen := map[string]bool{}
	for _, e := range p.Errors {
		if t := e.text(); t != "" && !seen[t] {
			seen[t] = true
			msgs = append(msgs, t)
		}
	}
	if len(msgs) > 0 {
		return strings.Join(msgs, "; ")
	}
	for _, s := range []string{p.Detail, p.Title, p.ErrorDescription, p.Error} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// duplicate reports whether the problem is X's refusal of a text already
// posted by the account: v2's "You are not allowed to create a Tweet with
// duplicate content." or v1.1's code 187 "Status is a duplicate.".
func (p problem) duplicate() bool {
	has := func(s string) bool {
		s = strings.ToLower(s)
		return strings.Contains(s, "duplicate content") || strings.Contains(s, "status is a duplicate")
	}
	if has(p.Detail) || has(p.Title) {
		return true
	}
	for _, e := range p.Errors {
		if e.Code == 187 || has(e.Message) || has(e.Detail) {
			return true
		}
	}
	return false
}

// statusError classifies a non-2xx answer as social.StatusError does, with
// X's own signals: a 403 for duplicate content is Duplicate (Publish then
// looks for the existing post), and a 429 waits as rateLimitWait says.
// x-rate-limit-reset comes with every answer, so only an explicit
// Retry-After says how long to wait after a server error.
func (c *Client) statusError(resp *http.Response, body []byte) *social.Error {
	var p problem
	_ = json.Unmarshal(body, &p) // an HTML page or a cut body says nothing: the status text stands in
	e := social.StatusError(resp, social.NetworkX, p.words(),
		"set X_API_URL to the API's own address", c.nowFunc(), c.token)
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		e.RetryAfter = c.rateLimitWait(resp.Header)
	case code == http.StatusForbidden && p.duplicate():
		e.Class = social.Duplicate
	}
	return e
}

// clean makes a server-supplied text safe and short enough for Slack.
func (c *Client) clean(s string) string {
	return social.CleanMessage(s, c.token)
}

// rateLimitWait returns how long to wait after a 429
// (https://docs.x.com/x-api/fundamentals/rate-limits). X's reset headers
// are Unix times in seconds, measured against c.nowFunc:
//
//   - when a 24-hour cap is spent (x-user-limit-24hour-remaining or
//     x-app-limit-24hour-remaining is 0, as on POST /2/tweets), its reset:
//     retrying at the end of the 15-minute window would only fail again;
//   - else x-rate-limit-reset, the end of the current window;
//   - else the standard Retry-After.
//
// A time already past or a header that does not parse means 0: the caller's
// own backoff applies.
func (c *Client) rateLimitWait(h http.Header) time.Duration {
	now := c.nowFunc()
	for _, cap := range []string{"x-user-limit-24hour", "x-app-limit-24hour"} {
		if strings.TrimSpace(h.Get(cap+"-remaining")) == "0" {
			if d, ok := untilEpoch(h.Get(cap+"-reset"), now); ok {
				return d
			}
		}
	}
	if d, ok := untilEpoch(h.Get("x-rate-limit-reset"), now); ok {
		return d
	}
	return social.RetryAfter(h, now)
}

// untilEpoch reads a Unix time in seconds and returns how long until then,
// 0 if it is past. ok is false when v is absent or not a number.
func untilEpoch(v string, now time.Time) (time.Duration, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false
	}
	if diff := secs - now.Unix(); diff > 1<<32 || diff < -(1<<32) {
		// Far beyond any rate-limit window: clamp rather than let
		// time.Unix wrap around.
		return social.Seconds(diff), true
	}
	return max(time.Unix(secs, 0).Sub(now), 0), true
}
