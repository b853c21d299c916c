package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"catweete/social"
)

const (
	// expiryMargin renews an access token this long before its exp, so that
	// a call does not leave with a token that expires on the way, and a
	// clock a little behind the server's does not matter.
	expiryMargin = 2 * time.Minute
	// renewTimeout bounds a login or refresh, which runs on its own (see
	// session) and so outlives the caller that started it.
	renewTimeout = 30 * time.Second
	// maxExp is the largest exp claim taken seriously, in Unix seconds.
	maxExp = 1e12
)

// XRPC error names the client acts on.
const (
	// errExpiredToken is what the PDS answers (400) for an access token past
	// its exp, and for a refresh token that expired or was revoked.
	errExpiredToken = "ExpiredToken"
	// errInvalidToken is what it answers for a token it cannot verify, e.g.
	// after it rotated its signing key.
	errInvalidToken = "InvalidToken"
)

// session is a logged-in session. It is never modified once built: a
// renewal replaces the whole value, so a caller can compare pointers to
// know whether the session it used is still the current one.
type session struct {
	did, handle           string
	accessJwt, refreshJwt string
	// accessExp and refreshExp are the tokens' exp claims, zero when a
	// token does not say (then only an ExpiredToken answer renews it).
	accessExp, refreshExp time.Time
}

// renewal is a login or refresh under way, shared by every caller that needs
// a new session meanwhile.
type renewal struct {
	done chan struct{} // closed when sess and err are set
	sess *session
	err  error
}

// sessionOutput is what createSession and refreshSession answer
// (https://docs.bsky.app/docs/api/com-atproto-server-create-session).
type sessionOutput struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
	// Active is false for a deactivated, suspended or taken-down account,
	// and Status then says which.
	Active *bool  `json:"active"`
	Status string `json:"status"`
}

// session returns a session whose access token is not known to have expired.
// stale, when not nil, is a session whose access token the PDS just refused:
// it is renewed unless another caller already replaced it.
//
// At most one login or refresh runs at a time: concurrent callers wait for
// the same one, so ten publishes due at once cost one createSession. That
// renewal runs on its own, bounded by renewTimeout, so that one caller's
// canceled context does not fail the others; a caller whose context ends
// stops waiting.
func (c *Client) session(ctx context.Context, stale *session) (*session, error) {
	c.mu.Lock()
	if s := c.sess; s != nil && s != stale && !c.expiring(s.accessExp) {
		c.mu.Unlock()
		return s, nil
	}
	r := c.renewing
	if r == nil {
		r = &renewal{done: make(chan struct{})}
		c.renewing = r
		go c.renew(context.WithoutCancel(ctx), r, c.sess)
	}
	c.mu.Unlock()

	select {
	case <-r.done:
		return r.sess, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", social.NoAnswer(ctx, social.NetworkBluesky, ctx.Err()), ctx.Err())
	}
}

// current returns the session if there is one whose access token is not
// known to have expired, without any request.
func (c *Client) current() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil && !c.expiring(c.sess.accessExp) {
		return c.sess
	}
	return nil
}

// expiring reports whether a token with this exp should be renewed now.
func (c *Client) expiring(exp time.Time) bool {
	return !exp.IsZero() && !c.nowFunc().Before(exp.Add(-expiryMargin))
}

// renew gets a new session for r, replacing old: by refreshSession when old
// has a refresh token that may still be good, by createSession otherwise or
// when the PDS refuses the refresh token. The first time, with no session
// yet, it looks in the SessionStore: a kept session whose access token is
// still good is used as it is, without a request; one whose access token
// expired is refreshed. Every new session is saved to the store before
// anyone uses it, while no other renewal can start, so the store always
// ends with the latest.
func (c *Client) renew(ctx context.Context, r *renewal, old *session) {
	ctx, cancel := context.WithTimeout(ctx, renewTimeout)
	defer cancel()

	if old == nil {
		if kept := c.restore(ctx); kept != nil {
			c.mu.Lock()
			// From here on the kept tokens are the current session's:
			// secrets() redacts them from every message.
			c.sess = kept
			if !c.expiring(kept.accessExp) {
				c.renewing = nil
				r.sess = kept
				c.mu.Unlock()
				close(r.done)
				return
			}
			c.mu.Unlock()
			old = kept
		}
	}

	var s *session
	var err error
	dropOld := old == nil
	if old != nil && old.refreshJwt != "" && (old.refreshExp.IsZero() || c.nowFunc().Before(old.refreshExp)) {
		s, err = c.refreshSession(ctx, old)
		// Only a refused refresh token (expired, revoked, unknown) calls
		// for a new login; a refresh that got no answer or a 5xx would most
		// likely fail to log in too, and would spend the scarce
		// createSession quota for nothing.
		if err != nil && social.ClassOf(err) == social.Permanent {
			dropOld = true
			s, err = c.createSession(ctx)
		}
	} else {
		dropOld = true
		s, err = c.createSession(ctx)
	}
	c.keep(ctx, old, s, err, dropOld)

	c.mu.Lock()
	switch {
	case err == nil:
		c.sess = s
	case dropOld:
		c.sess = nil
	}
	c.renewing = nil
	r.sess, r.err = s, err
	c.mu.Unlock()
	close(r.done)
}

// createSession logs in with the handle and app password
// (com.atproto.server.createSession). After a 429 it refuses, without a
// request, to log in again before the time the PDS gave: every further try
// would count against the same daily quota.
func (c *Client) createSession(ctx context.Context) (*session, error) {
	c.mu.Lock()
	retryAt := c.loginRetryAt
	c.mu.Unlock()
	if wait := retryAt.Sub(c.nowFunc()); wait > 0 {
		return nil, fmt.Errorf("create session: %w", &social.Error{
			Network:    social.NetworkBluesky,
			Class:      social.Transient,
			Status:     http.StatusTooManyRequests,
			RetryAfter: wait,
			Message:    "too many logins: Bluesky refuses a new session for now",
		})
	}

	in := struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}{c.handle, c.password}
	var out sessionOutput
	_, err := c.call(ctx, request{base: c.pds, method: http.MethodPost, nsid: "com.atproto.server.createSession", body: in}, &out)
	if err != nil {
		var se *social.Error
		if errors.As(err, &se) {
			switch {
			case se.Status == http.StatusTooManyRequests && se.RetryAfter > 0:
				c.mu.Lock()
				c.loginRetryAt = c.nowFunc().Add(se.RetryAfter)
				c.mu.Unlock()
			case se.Status == http.StatusUnauthorized:
				se.Message = c.clean(se.Message+" (check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD)", "")
			}
		}
		return nil, fmt.Errorf("create session: %w", err)
	}
	s, err := c.newSession(out)
	if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

// refreshSession trades old's refresh token for new tokens
// (com.atproto.server.refreshSession, with the refresh token as bearer).
func (c *Client) refreshSession(ctx context.Context, old *session) (*session, error) {
	var out sessionOutput
	_, err := c.call(ctx, request{base: c.pds, method: http.MethodPost, nsid: "com.atproto.server.refreshSession", token: old.refreshJwt}, &out)
	if err != nil {
		return nil, fmt.Errorf("refresh session: %w", err)
	}
	s, err := c.newSession(out)
	if err != nil {
		return nil, fmt.Errorf("refresh session: %w", err)
	}
	return s, nil
}

// newSession checks a createSession or refreshSession answer.
func (c *Client) newSession(out sessionOutput) (*session, error) {
	if out.AccessJwt == "" || out.RefreshJwt == "" || !strings.HasPrefix(out.DID, "did:") {
		return nil, &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Transient,
			Status:  http.StatusOK,
			Message: "the answer holds no session",
		}
	}
	if out.Active != nil && !*out.Active {
		status := out.Status
		if status == "" {
			status = "inactive"
		}
		return nil, &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Permanent,
			Status:  http.StatusOK,
			Message: c.clean(fmt.Sprintf("the account is %s: it cannot publish", status), ""),
		}
	}
	return &session{
		did:        out.DID,
		handle:     out.Handle,
		accessJwt:  out.AccessJwt,
		refreshJwt: out.RefreshJwt,
		accessExp:  jwtExpiry(out.AccessJwt),
		refreshExp: jwtExpiry(out.RefreshJwt),
	}, nil
}

// jwtExpiry reads the exp claim of a JWT without verifying it: it only
// decides when to refresh, and the PDS remains the judge. It returns the
// zero time when the token is not a JWT or has no exp.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}
	}
	exp, err := claims.Exp.Float64()
	// Beyond maxExp (year 33658) a value is nonsense, and would overflow
	// time arithmetic.
	if err != nil || exp <= 0 || exp > maxExp {
		return time.Time{}
	}
	return time.Unix(int64(exp), 0)
}

// authed runs fn with a session, and once more with a renewed one if the
// PDS says the access token expired or cannot be verified: such a call was
// refused before it did anything, so repeating it is safe. It returns the
// session the last call used (nil when none could be had) and fn's answer.
func (c *Client) authed(ctx context.Context, fn func(s *session) (name string, err error)) (*session, string, error) {
	s, err := c.session(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	name, err := fn(s)
	if err != nil && tokenRefused(name) {
		if s, err = c.session(ctx, s); err != nil {
			return nil, "", err
		}
		name, err = fn(s)
	}
	return s, name, err
}

// tokenRefused reports whether an XRPC error name means that the token, not
// the request, was refused.
func tokenRefused(name string) bool {
	return name == errExpiredToken || name == errInvalidToken
}
