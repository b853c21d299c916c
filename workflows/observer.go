package workflows

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"catweete/social"
)

// PublishObserver is told how publishing goes, for monitoring; package
// telemetry fills it. Its methods are called from the dispatcher's
// goroutines, at once.
type PublishObserver interface {
	// Published: a delivery went out on network, d after the dispatcher
	// claimed it.
	Published(network string, d time.Duration)
	// NetworkError: a publish call to network failed; class is one of
	// ErrorClasses.
	NetworkError(network, class string)
}

// The classes of a failed publish call, as PublishObserver.NetworkError is
// told them.
const (
	// ErrorRateLimited: the network asked to slow down (429, or Meta's
	// throttling codes on a 400 or 403). Retried after its wait.
	ErrorRateLimited = "rate_limited"
	// ErrorAuth: the network refused the account's token (401, or a token
	// it says expired). A person must renew it.
	ErrorAuth = "auth"
	// ErrorRejected: the network refused the post for good (403, 422, too
	// long, a duplicate it does not name). A person decides.
	ErrorRejected = "rejected"
	// ErrorServer: the network failed (5xx). Retried.
	ErrorServer = "server"
	// ErrorTimeout: no answer in time, on a network that takes idempotency
	// keys. Retried with the same key.
	ErrorTimeout = "timeout"
	// ErrorTransient: any other failure worth retrying: the network could
	// not be reached, or answered what its documentation does not say.
	ErrorTransient = "transient"
	// ErrorUnknownOutcome: no answer from a network without idempotency
	// keys: the post may be out, and a person is asked. It takes
	// precedence over timeout and transient, because it is what someone
	// must act on.
	ErrorUnknownOutcome = "unknown_outcome"
)

// ErrorClasses are every class NetworkError may be told.
func ErrorClasses() []string {
	return []string{ErrorRateLimited, ErrorAuth, ErrorRejected, ErrorServer, ErrorTimeout, ErrorTransient,
		ErrorUnknownOutcome}
}

// errorClass classifies a failed publish call from what the clients in
// social/ already say of it (see social.StatusError and each client's own
// rules): the class that decides retrying, refined by the HTTP status.
// ErrorUnknownOutcome is for the dispatcher to decide, not the error.
func errorClass(err error) string {
	var netErr *social.Error
	isNetErr := errors.As(err, &netErr)
	switch {
	case social.Rejected(err):
		return ErrorAuth
	case social.ClassOf(err) != social.Transient:
		return ErrorRejected
	case isNetErr && netErr.Status >= 500:
		return ErrorServer
	case isNetErr && netErr.Status >= http.StatusBadRequest:
		// The clients call a 4xx transient when the network asks to slow
		// down: 429 everywhere, Meta's throttling codes on a 400 or 403.
		// (Meta's few other temporary 4xx, rarer, are counted here too.)
		return ErrorRateLimited
	case timedOut(err):
		return ErrorTimeout
	}
	return ErrorTransient
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// unobserved measures nothing: the Service's observer when none is given.
type unobserved struct{}

func (unobserved) Published(string, time.Duration) {}
func (unobserved) NetworkError(string, string)     {}
