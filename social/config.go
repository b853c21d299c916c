package social

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// DefaultTimeout bounds a whole request on a client's default HTTP client
// (see DefaultHTTPClient), so that a server that accepts the connection and
// never answers cannot hold a delivery in "publishing" for ever.
const DefaultTimeout = 30 * time.Second

// DefaultHTTPClient returns hc, or when it is nil the HTTP client every
// network client uses by default: DefaultTimeout, and no redirect followed.
//
// Redirects are not followed because Go would turn a redirected POST into a
// GET (publishing nothing) and may drop the Authorization header on the way:
// the 3xx comes back as the answer, and StatusError reports it as a
// Permanent failure that names where the server points, which is what the
// base URL should say instead. A client whose network has other needs (one
// that must follow a GET's redirects) builds its own, with DefaultTimeout.
func DefaultHTTPClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{
		Timeout: DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// URLSetting is a configured server URL (an instance, an API host), as
// BaseURL checks it and as its errors name it.
type URLSetting struct {
	// Network prefixes every error, as it does all of a client's errors:
	// "mastodon".
	Network string
	// Name is the setting as a person knows it, with its environment
	// variable when it has one: "the instance URL (MASTODON_URL)".
	Name string
	// Default is the URL used when the value is empty. If empty, the
	// setting is required.
	Default string
	// Example is the URL an error about a malformed value gives as an
	// example. If empty, Default.
	Example string
	// SecretSetting is where credentials belong ("MASTODON_TOKEN"), named
	// by the error for a URL that holds some. If empty, the error names
	// none.
	SecretSetting string
}

// BaseURL checks the configured server URL raw against s and returns it
// without its trailing slashes, ready for a path to be appended; a path
// prefix is kept (for tests and proxies). Surrounding spaces are dropped, and
// an empty value means s.Default (an error when there is none).
//
// The URL must be absolute http or https with a host, and have no
// credentials, query or fragment: paths are appended to it as they are.
// The value is never echoed in an error, since a URL with credentials in it
// would otherwise end up in a log line.
func BaseURL(raw string, s URLSetting) (string, error) {
	prefix := s.Network + ": " + s.Name
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if s.Default == "" {
			return "", errors.New(prefix + " is required")
		}
		raw = s.Default
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		example := s.Example
		if example == "" {
			example = s.Default
		}
		return "", errors.New(prefix + " must be an absolute http or https URL, such as " + example)
	}
	if u.User != nil {
		msg := prefix + " must not hold credentials"
		if s.SecretSetting != "" {
			msg += ": put the token in " + s.SecretSetting
		}
		return "", errors.New(msg)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", errors.New(prefix + " must not have a query or a fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// CheckToken checks a configured secret or single-word credential (an
// access token, an app password) and returns it trimmed: one read from a
// file usually ends with a newline, which is no reason to fail. name is the
// setting as a person knows it, with its environment variable: "the access
// token (MASTODON_TOKEN)"; errors start with network.
//
// It refuses an empty value, and one with spaces or control characters
// inside: such a value cannot be sent in an HTTP header (Go would say so
// only at the first request), and is most likely "Bearer …" or two values
// pasted together. The value is never echoed in an error.
func CheckToken(raw, network, name string) (string, error) {
	token := strings.TrimSpace(raw)
	if token == "" {
		return "", errors.New(network + ": " + name + " is required")
	}
	if HasSpaceOrControl(token) {
		return "", errors.New(network + ": " + name + " contains spaces or control characters")
	}
	return token, nil
}

// HasSpaceOrControl reports whether s holds a Unicode space or control
// character.
func HasSpaceOrControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}
