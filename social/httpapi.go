package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits every client applies to what networks send back.
const (
	// MaxBodyBytes caps what is read of any answer: a post or an error is a
	// few KiB, and a misbehaving server must not make catweete hold memory.
	MaxBodyBytes = 1 << 20
	// MaxMessageRunes keeps Error.Message short enough to show in Slack.
	MaxMessageRunes = 300
)

// ReadBody reads at most MaxBodyBytes of an answer.
func ReadBody(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
}

// Send sends req with hc and reads the answer's body (at most MaxBodyBytes),
// then closes it. It returns the answer whatever its status: a non-2xx is
// for the caller to classify by its network's rules (see StatusError).
//
// err is a *Error when the exchange itself failed: NoAnswer's when the
// request got no answer, joined with the Go error (so that
// errors.Is(err, context.DeadlineExceeded) still works), or ReadAnswer's.
func Send(hc *http.Client, req *http.Request, network string) (*http.Response, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", NoAnswer(req.Context(), network, err), err)
	}
	body, err := ReadAnswer(resp, network)
	return resp, body, err
}

// ReadAnswer reads resp's body (at most MaxBodyBytes) and closes it. A 2xx
// whose body could not be read in full is a Transient *Error, joined with
// the read error: the call may have done what it asked, and only a retry
// (or a person) can find out. For any other status what could be read is
// returned without error: the status already says the call failed, and the
// start of an error body still has the network's words.
func ReadAnswer(resp *http.Response, network string) ([]byte, error) {
	defer resp.Body.Close()
	body, err := ReadBody(resp)
	if err != nil && Success(resp.StatusCode) {
		return body, fmt.Errorf("%w: %w", &Error{
			Network: network,
			Class:   Transient,
			Status:  resp.StatusCode,
			Message: "the answer was cut short",
		}, err)
	}
	return body, nil
}

// Success reports whether an HTTP status is a 2xx.
func Success(status int) bool { return status >= 200 && status <= 299 }

// DecodeJSON decodes a 2xx answer's body into out. A body that is not the
// JSON documented by documentedBy ("Mastodon", "the Graph API") is a
// Transient *Error, joined with the decoding error: a 2xx that is not the
// documented answer (a proxy's page, a truncated body) says nothing certain
// about what the call did.
func DecodeJSON(network string, status int, body []byte, out any, documentedBy string) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%w: %w", &Error{
			Network: network,
			Class:   Transient,
			Status:  status,
			Message: "the answer is not the JSON " + documentedBy + " documents",
		}, err)
	}
	return nil
}

// StatusError classifies a non-2xx answer by its HTTP status alone, as every
// network but Facebook (whose throttling comes as error codes on a 400 or a
// 403) means it; clients then refine the result with their network's own
// signals (a rate-limit reset header, a duplicate post):
//
//   - 429 and 5xx are Transient, with RetryAfter from Retry-After;
//   - a redirect (which DefaultHTTPClient does not follow) is Permanent,
//     and its Message names where the server points, followed by
//     redirectHint (what to set instead) when there is one;
//   - every other status is Permanent.
//
// words are the network's own words about the failure, taken from the body
// by the client; the status text stands in when there are none (see
// Explain). Every Message is cleaned of secrets (see CleanMessage). Retry-After
// dates are measured against now.
func StatusError(resp *http.Response, network, words, redirectHint string, now time.Time, secrets ...string) *Error {
	code := resp.StatusCode
	e := &Error{
		Network: network,
		Class:   Permanent,
		Status:  code,
		Message: CleanMessage(Explain(code, words), secrets...),
	}
	switch {
	case code == http.StatusTooManyRequests || code >= 500:
		e.Class = Transient
		e.RetryAfter = RetryAfter(resp.Header, now)
	case code >= 300 && code < 400:
		if loc := resp.Header.Get("Location"); loc != "" {
			msg := "the server redirects to " + loc
			if redirectHint != "" {
				msg += ": " + redirectHint
			}
			e.Message = CleanMessage(msg, secrets...)
		}
	}
	return e
}

// Explain returns words, the network's own words about a failed call, or
// when it has none the status text: an HTML error page from a proxy is not
// worth showing anyone.
func Explain(status int, words string) string {
	if words != "" {
		return words
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "unexpected answer"
}

// NoAnswer classifies a request that got no answer: always Transient, with
// a short reason. Whether a retry is safe is for the caller to decide (a
// network without idempotency keys must not resend blindly).
func NoAnswer(ctx context.Context, network string, err error) *Error {
	msg := "could not reach the server"
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		msg = "the request was canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		msg = "the server did not answer in time"
	}
	return &Error{Network: network, Class: Transient, Message: msg}
}

// CleanMessage makes a server-supplied text safe and short enough to show
// in Slack: every secret is blanked out first (a proxy that echoes request
// headers must not leak a token, and a cut must not leave part of one),
// whitespace is collapsed onto one line, and the text is cut to
// MaxMessageRunes.
func CleanMessage(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= MaxMessageRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxMessageRunes-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// RetryAfter reads the standard Retry-After header (delay seconds or an
// HTTP date, measured against now). It returns 0 when the header is absent,
// unreadable or already past: the caller's own backoff then applies.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return Seconds(secs)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// Seconds turns a count of seconds from a header into a duration, clamped
// so that a huge or negative value cannot wrap around.
func Seconds(secs int64) time.Duration {
	return time.Duration(min(max(secs, 0), math.MaxInt64/int64(time.Second))) * time.Second
}

// ValidHeaderValue reports whether v can be sent as an HTTP header value
// (RFC 9110: no control characters other than horizontal tab).
func ValidHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}
