package bluesky

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"catweete/social"
)

// SessionStore keeps the client's session across restarts, so that a
// restart does not cost a createSession (30 per 5 minutes and 300 a day per
// account). The session's tokens are secrets: a store must never write them
// in clear text (catweete's seals them under CATWEETE_SECRET_KEY).
//
// The client calls Load once, before it first needs a session; Save after
// every createSession and refreshSession (a refresh token works once, so the
// kept one must follow); Clear when the PDS refused the session for good.
// Calls come one at a time.
type SessionStore interface {
	// Load returns the session kept, and ok false when there is none.
	Load(ctx context.Context) (s Session, ok bool, err error)
	// Save keeps s in place of whatever was kept.
	Save(ctx context.Context, s Session) error
	// Clear forgets the session kept; with none kept, it does nothing.
	Clear(ctx context.Context) error
}

// Session is a logged-in session as a SessionStore keeps it. fmt and slog
// show whose session it is, never its tokens; encoding/json, which a store
// uses before it seals the result, sees every field.
type Session struct {
	// PDS is the server the session was opened on, and Account the
	// identifier it was opened with (BLUESKY_HANDLE). A client restores
	// only a session of its own PDS and account: its tokens never go to
	// another server, and a changed BLUESKY_HANDLE logs in afresh.
	PDS     string `json:"pds"`
	Account string `json:"account"`
	// DID and Handle are the account as the PDS named it.
	DID    string `json:"did"`
	Handle string `json:"handle"`
	// AccessJwt and RefreshJwt are the session's tokens.
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
}

// String names the session without its tokens.
func (s Session) String() string {
	return "bluesky session of " + s.Account + " on " + s.PDS
}

// GoString is String, so %#v shows no more than %v.
func (s Session) GoString() string { return s.String() }

// Format writes String's text for every verb, so that no verb or flag
// reaches the tokens.
func (s Session) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, s.String())
}

// LogValue implements slog.LogValuer with String's text.
func (s Session) LogValue() slog.Value { return slog.StringValue(s.String()) }

// stored returns sess as a SessionStore keeps it.
func (c *Client) stored(sess *session) Session {
	return Session{
		PDS: c.pds, Account: c.handle, DID: sess.did, Handle: sess.handle,
		AccessJwt: sess.accessJwt, RefreshJwt: sess.refreshJwt,
	}
}

// restore loads the kept session, once per client: the first time a
// session is needed. It returns nil when there is no store, nothing kept,
// or what is kept cannot serve this client (unreadable, or of another PDS
// or account); a new login then replaces it.
func (c *Client) restore(ctx context.Context) *session {
	c.mu.Lock()
	tried := c.restoreTried
	c.restoreTried = true
	c.mu.Unlock()
	if c.store == nil || tried {
		return nil
	}
	kept, ok, err := c.store.Load(ctx)
	switch {
	case err != nil:
		c.log.Warn("bluesky: the kept session cannot be read; logging in again", "account", c.handle, "err", err)
		return nil
	case !ok:
		return nil
	case kept.PDS != c.pds || !strings.EqualFold(kept.Account, c.handle):
		c.log.Info("bluesky: the kept session is of another account or server; logging in again", "account", c.handle)
		return nil
	case kept.AccessJwt == "" || kept.RefreshJwt == "" || !strings.HasPrefix(kept.DID, "did:"):
		c.log.Warn("bluesky: the kept session is incomplete; logging in again", "account", c.handle)
		return nil
	}
	return &session{
		did:        kept.DID,
		handle:     kept.Handle,
		accessJwt:  kept.AccessJwt,
		refreshJwt: kept.RefreshJwt,
		accessExp:  jwtExpiry(kept.AccessJwt),
		refreshExp: jwtExpiry(kept.RefreshJwt),
	}
}

// keep brings the store in line with a renewal's outcome: it saves a new
// session, and clears the kept one when the PDS refused it for good (its
// refresh token refused or expired, old dropped) or refused the login
// itself. A store that fails is logged, not returned: the session in memory
// still serves, and the next renewal saves again.
func (c *Client) keep(ctx context.Context, old, s *session, err error, dropOld bool) {
	if c.store == nil {
		return
	}
	switch {
	case err == nil:
		if serr := c.store.Save(ctx, c.stored(s)); serr != nil {
			c.log.Warn("bluesky: the session could not be kept; a restart will log in again", "account", c.handle, "err", serr)
		}
	case dropOld && (old != nil || social.ClassOf(err) == social.Permanent):
		if cerr := c.store.Clear(ctx); cerr != nil {
			c.log.Warn("bluesky: the refused session could not be forgotten", "account", c.handle, "err", cerr)
		}
	}
}
