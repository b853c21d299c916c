package workflows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"catweete/social"
	"catweete/storage"
)

func TestErrorClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"TooManyRequests", &social.Error{Network: "mastodon", Class: social.Transient, Status: 429}, ErrorRateLimited},
		{"MetaThrottlingOn400", &social.Error{Network: "facebook", Class: social.Transient, Status: 400, Message: "(#4) Application request limit reached"}, ErrorRateLimited},
		{"TokenRefused", &social.Error{Network: "x", Class: social.Permanent, Status: 401}, ErrorAuth},
		{"TokenExpiredOn400", &social.Error{Network: "facebook", Class: social.Permanent, Status: 400, TokenRejected: true}, ErrorAuth},
		{"Forbidden", &social.Error{Network: "x", Class: social.Permanent, Status: 403}, ErrorRejected},
		{"Unprocessable", &social.Error{Network: "mastodon", Class: social.Permanent, Status: 422}, ErrorRejected},
		{"DuplicateNotNamed", &social.Error{Network: "x", Class: social.Duplicate, Status: 403}, ErrorRejected},
		{"ServerError", &social.Error{Network: "bluesky", Class: social.Transient, Status: 502}, ErrorServer},
		{"NoAnswerInTime", fmt.Errorf("%w: %w", &social.Error{Network: "mastodon", Class: social.Transient}, context.DeadlineExceeded), ErrorTimeout},
		{"NotReached", fmt.Errorf("%w: %w", &social.Error{Network: "mastodon", Class: social.Transient}, errors.New("connection refused")), ErrorTransient},
		{"AnswerNotAsDocumented", &social.Error{Network: "linkedin", Class: social.Transient, Status: 201}, ErrorTransient},
		{"NotANetworkError", errors.New("something else"), ErrorTransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := errorClass(tc.err)
			if got != tc.want {
				t.Errorf("errorClass(%v) = %q, want %q", tc.err, got, tc.want)
			}
			if !slices.Contains(ErrorClasses(), got) {
				t.Errorf("errorClass(%v) = %q, not among ErrorClasses %v", tc.err, got, ErrorClasses())
			}
		})
	}
}

// recordingObserver keeps what the dispatcher told it.
type recordingObserver struct {
	mu        sync.Mutex
	published []string // networks
	errors    []string // "network class"
}

func (r *recordingObserver) Published(network string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d < 0 {
		network += " (negative latency)"
	}
	r.published = append(r.published, network)
}

func (r *recordingObserver) NetworkError(network, class string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, network+" "+class)
}

func (r *recordingObserver) seen() (published, errs []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.published), slices.Clone(r.errors)
}

func TestDispatcherObserves(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		idempotent    bool
		errs          []error
		wantPublished []string
		wantErrors    []string
		wantStatus    string
	}{
		{
			name: "APublication", idempotent: true,
			wantPublished: []string{"mastodon"}, wantStatus: storage.DeliveryPublished,
		},
		{
			name: "ARateLimitThenAPublication", idempotent: true,
			errs:          []error{&social.Error{Network: "mastodon", Class: social.Transient, Status: http.StatusTooManyRequests, Message: "Too many requests"}},
			wantPublished: []string{"mastodon"}, wantErrors: []string{"mastodon rate_limited"}, wantStatus: storage.DeliveryPublished,
		},
		{
			name: "ARefusedToken", idempotent: true,
			errs:       []error{&social.Error{Network: "mastodon", Class: social.Permanent, Status: http.StatusUnauthorized, Message: "The access token is invalid"}},
			wantErrors: []string{"mastodon auth"}, wantStatus: storage.DeliveryFailed,
		},
		{
			name: "ALostAnswerWithoutIdempotencyKeys", idempotent: false,
			errs:       []error{fmt.Errorf("%w: %w", &social.Error{Network: "mastodon", Class: social.Transient, Message: "the server did not answer in time"}, context.DeadlineExceeded)},
			wantErrors: []string{"mastodon unknown_outcome"}, wantStatus: storage.DeliveryUnknown,
		},
		{
			name: "ALostAnswerWithIdempotencyKeys", idempotent: true,
			errs:          []error{fmt.Errorf("%w: %w", &social.Error{Network: "mastodon", Class: social.Transient, Message: "the server did not answer in time"}, context.DeadlineExceeded)},
			wantPublished: []string{"mastodon"}, wantErrors: []string{"mastodon timeout"}, wantStatus: storage.DeliveryPublished,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, options{idempotent: tc.idempotent})
			observer := &recordingObserver{}
			f.svc.observer = observer
			f.pub.errs = tc.errs
			p := f.approved(t, "Bonjour")
			f.round(t)
			// A retry, when one was scheduled.
			f.clock.Advance(maxRetryWait)
			f.round(t)
			if got := f.delivery(t, p.ID).Status; got != tc.wantStatus {
				t.Errorf("delivery %s, want %s", got, tc.wantStatus)
			}
			published, errs := observer.seen()
			if !slices.Equal(published, tc.wantPublished) {
				t.Errorf("Published for %q, want %q", published, tc.wantPublished)
			}
			if !slices.Equal(errs, tc.wantErrors) {
				t.Errorf("NetworkError %q, want %q", errs, tc.wantErrors)
			}
		})
	}
}
