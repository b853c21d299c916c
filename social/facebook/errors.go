package facebook

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"catweete/social"
)

// Graph API error codes catweete acts on
// (https://developers.facebook.com/docs/graph-api/guides/error-handling,
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
const (
	codeUnknown          = 1   // API Unknown: possibly downtime, retry
	codeService          = 2   // API Service: downtime, retry
	codeTooManyCalls     = 4   // application-level throttling
	codePermissionDenied = 10  // permission not granted or removed
	codeUserTooManyCalls = 17  // account-level throttling
	codePageTooManyCalls = 32  // Page-level throttling
	codeInvalidParameter = 100 // e.g. "(#100) The value must be a valid insights metric"
	codeSession          = 102 // session expired
	codeAccessToken      = 190 // token invalid, expired or revoked
	codeAppLimit         = 341 // application limit reached: throttling
	codePolicyBlock      = 368 // temporarily blocked for policy violations
	codeDuplicatePost    = 506 // duplicate status message
	codeCustomThrottle   = 613 // custom-level throttling
)

// errorBody is the Graph API's error answer:
//
//	{"error":{"message":"(#506) Duplicate status message","type":"OAuthException",
//	 "code":506,"error_subcode":1455006,"is_transient":false,"fbtrace_id":"AbCd"}}
type errorBody struct {
	Error *struct {
		Message     string `json:"message"`
		Code        int    `json:"code"`
		IsTransient bool   `json:"is_transient"`
		UserMessage string `json:"error_user_msg"`
	} `json:"error"`
}

// isThrottling reports whether a Graph error code means "too many calls,
// wait": the platform codes 4, 17, 32, 341 and 613, and the business use case
// codes 80000–80014 (80001 for Pages), which Meta sends with HTTP 400 or 403.
func isThrottling(code int) bool {
	switch code {
	case codeTooManyCalls, codeUserTooManyCalls, codePageTooManyCalls, codeAppLimit, codeCustomThrottle:
		return true
	}
	return code >= 80000 && code <= 80014
}

// statusError classifies a non-2xx answer, and returns the Graph error code
// (0 when the answer is not a Graph error).
func (c *Client) statusError(resp *http.Response, body []byte) (*social.Error, int) {
	status := resp.StatusCode
	var eb errorBody
	code := 0
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
		code = eb.Error.Code
	}
	e := &social.Error{
		Network: social.NetworkFacebook,
		Class:   social.Permanent,
		Status:  status,
		Message: c.message(status, eb),
	}
	switch {
	case isThrottling(code) || status == http.StatusTooManyRequests:
		e.Class = social.Transient
		e.RetryAfter = c.throttleWait(resp.Header)
	case code == codeDuplicatePost:
		e.Class = social.Duplicate
	case code == codeUnknown || code == codeService || status >= 500:
		e.Class = social.Transient
		e.RetryAfter = social.RetryAfter(resp.Header, c.nowFunc())
	case code == codeAccessToken || code == codeSession || code == codePermissionDenied ||
		(code >= 200 && code <= 299) || code == codePolicyBlock:
		// A person must renew the token, grant the permission or deal with
		// the block: retrying on a timer would not help.
		e.TokenRejected = code == codeAccessToken || code == codeSession
	case eb.Error != nil && eb.Error.IsTransient:
		e.Class = social.Transient
		e.RetryAfter = social.RetryAfter(resp.Header, c.nowFunc())
	case status >= 300 && status < 400:
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Message = c.clean("the server redirects to " + loc + ": check FACEBOOK_GRAPH_URL")
		}
	}
	return e, code
}

// message returns Meta's own words about a failure, "(#code) message" (with
// the end-user message when Meta gives one and the developer message is
// empty), else the status text.
func (c *Client) message(status int, eb errorBody) string {
	msg := ""
	if eb.Error != nil {
		msg = strings.TrimSpace(eb.Error.Message)
		if msg == "" {
			msg = strings.TrimSpace(eb.Error.UserMessage)
		}
		if eb.Error.Code != 0 && !strings.HasPrefix(msg, "(#") {
			msg = strings.TrimSpace(fmt.Sprintf("(#%d) %s", eb.Error.Code, msg))
		}
	}
	return c.clean(social.Explain(status, msg))
}

// clean makes a server-supplied text safe and short enough for Slack.
func (c *Client) clean(s string) string {
	return social.CleanMessage(s, c.token)
}

// throttleWait returns how long Meta asked to wait: the standard Retry-After
// when present, else the longest estimated_time_to_regain_access (minutes)
// in the usage headers: X-Business-Use-Case-Usage (what Page tokens are
// counted against) and, should they carry one, X-App-Usage and X-Page-Usage.
// 0 when none says: the caller's own backoff applies.
func (c *Client) throttleWait(h http.Header) time.Duration {
	if d := social.RetryAfter(h, c.nowFunc()); d > 0 || h.Get("Retry-After") != "" {
		return d
	}
	minutes := 0.0
	// {"<business-object-id>":[{"type":"pages","call_count":100,…,"estimated_time_to_regain_access":19}]}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var buc map[string][]usage
		if json.Unmarshal([]byte(v), &buc) == nil {
			for _, entries := range buc {
				for _, u := range entries {
					minutes = math.Max(minutes, u.EstimatedTimeToRegainAccess)
				}
			}
		}
	}
	// {"call_count":100,"total_cputime":10,"total_time":10}
	for _, name := range []string{"X-App-Usage", "X-Page-Usage"} {
		if v := h.Get(name); v != "" {
			var u usage
			if json.Unmarshal([]byte(v), &u) == nil {
				minutes = math.Max(minutes, u.EstimatedTimeToRegainAccess)
			}
		}
	}
	if minutes <= 0 || math.IsNaN(minutes) {
		return 0
	}
	return social.Seconds(int64(math.Ceil(math.Min(minutes, 1e6) * 60)))
}

// usage is one entry of Meta's rate-limit usage headers.
type usage struct {
	EstimatedTimeToRegainAccess float64 `json:"estimated_time_to_regain_access"`
}
