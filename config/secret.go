package config

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what a set Secret shows everywhere in place of its value.
const redacted = "[redacted]"

// Secret holds a token or password. It never prints its value: String,
// GoString, every fmt verb, JSON, text marshalling and slog all show
// "[redacted]" when the secret is set and "" when it is not. Showing "" for an
// unset secret, rather than "[redacted]" for both, lets a log line say whether
// a token is configured (the first question when the bot starts in the wrong
// mode) without ever saying what it is.
//
// The value sits behind a pointer so that even reflection-based printing that
// cannot call these methods (fmt reaching a Config through an unexported
// struct field, for instance) finds only an address, never the text.
// Because of that pointer, compare secrets with Reveal, not with ==.
//
// The zero Secret is unset.
type Secret struct {
	value *string
}

// NewSecret wraps a value, for tests and for callers that build a Config
// without Load. An empty value gives an unset Secret.
func NewSecret(value string) Secret {
	if value == "" {
		return Secret{}
	}
	return Secret{value: &value}
}

// Reveal returns the secret's value, or "" when it is unset. Call it only at
// the one place that hands the value to the service it is for (an HTTP
// header, an HMAC key), never to build a message or a log line.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return *s.value
}

// IsSet reports whether the secret holds a value. It is how the rest of the
// program asks "is this configured?" without touching the value.
func (s Secret) IsSet() bool {
	return s.value != nil && *s.value != ""
}

// String returns "[redacted]" when the secret is set and "" when it is not.
func (s Secret) String() string {
	if s.IsSet() {
		return redacted
	}
	return ""
}

// GoString returns the same text as String, so %#v, which Go programmers
// reach for to see "everything", shows no more than %v.
func (s Secret) GoString() string {
	return s.String()
}

// Format implements fmt.Formatter so that no verb, flag or width can reach
// the value: %v, %+v, %#v and %s write String's text, %q quotes it, and any
// other verb (%x, %d…) reports a bad verb around the same text, as fmt does
// for a string.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = io.WriteString(f, s.GoString())
			return
		}
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), s.String())
	case 's', 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(config.Secret=%s)", verb, s.String())
	}
}

// MarshalJSON writes String's text as a JSON string, so dumping a Config as
// JSON (a debug endpoint, a log handler) shows which secrets are set and
// nothing more.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.IsSet() {
		return []byte(`"` + redacted + `"`), nil
	}
	return []byte(`""`), nil
}

// MarshalText writes String's text, for encoders that use
// encoding.TextMarshaler (slog's TextHandler, YAML and TOML libraries).
func (s Secret) MarshalText() ([]byte, error) {
	return []byte(s.String()), nil
}

// LogValue implements slog.LogValuer, so a Secret passed to slog is replaced
// by String's text before any handler sees it.
func (s Secret) LogValue() slog.Value {
	return slog.StringValue(s.String())
}
