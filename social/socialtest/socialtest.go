// Package socialtest holds what the tests of every network client check
// alike. It is imported by tests only.
package socialtest

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"catweete/social"
)

// CheckError asserts that err is, or wraps, a *social.Error of network with
// the given class, HTTP status and wait, whose Message is fit to show in
// Slack (not empty, at most social.MaxMessageRunes), and in which, as in
// err's whole text, none of secrets appears. It returns that *social.Error
// for further checks.
//
// Every client promises this of every failure, so its tests check it in one
// place, the same way.
func CheckError(t testing.TB, err error, network string, class social.Class, status int, retryAfter time.Duration, secrets ...string) *social.Error {
	t.Helper()
	if err == nil {
		t.Fatal("err = nil, want an error")
	}
	var se *social.Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want a *social.Error", err, err)
	}
	if se.Network != network {
		t.Errorf("Network = %q, want %q", se.Network, network)
	}
	if se.Class != class || social.ClassOf(err) != class {
		t.Errorf("Class = %v, want %v (err: %v)", se.Class, class, err)
	}
	if se.Status != status {
		t.Errorf("Status = %d, want %d", se.Status, status)
	}
	if se.RetryAfter != retryAfter {
		t.Errorf("RetryAfter = %v, want %v", se.RetryAfter, retryAfter)
	}
	if se.Message == "" {
		t.Error("Message is empty")
	}
	if n := utf8.RuneCountInString(se.Message); n > social.MaxMessageRunes {
		t.Errorf("Message has %d characters, want at most %d", n, social.MaxMessageRunes)
	}
	for _, secret := range secrets {
		if secret != "" && (strings.Contains(err.Error(), secret) || strings.Contains(se.Message, secret)) {
			t.Errorf("a secret leaked into the error: %v", err)
		}
	}
	return se
}
