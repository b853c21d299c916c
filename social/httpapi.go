package social

import (
	"context"
	"errors"
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
