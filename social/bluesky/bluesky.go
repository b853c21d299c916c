// Package bluesky publishes to one Bluesky account through the AT Protocol's
// XRPC API: com.atproto.server.createSession to log in with an app password,
// com.atproto.repo.createRecord to write an app.bsky.feed.post record, and
// the AppView's app.bsky.feed.getPosts and app.bsky.actor.getProfile to read
// a post's counts and the account's followers (https://atproto.com/specs/xrpc,
// https://docs.bsky.app/docs/advanced-guides/api-directory).
//
// Every failure is returned as a *social.Error (wrapped with the operation
// that failed), so that catweete's dispatcher can tell a rate limit or a
// timeout, which it retries, from a refused post, which a person must fix.
//
// Retrying Publish is safe: the delivery's idempotency key, a TID, is the
// post's record key, so a second attempt can only ever write to the record
// the first one wrote. The PDS refuses to create a record that already
// exists (today with a bare 500, see Publish), and Publish then reads the
// record back and reports it as a social.Duplicate naming the post.
//
// createSession is tightly rate-limited (30 per 5 minutes and 300 a day per
// account, https://docs.bsky.app/docs/advanced-guides/rate-limits; Bluesky's
// entryway has been seen to allow only 100 a day), so the client logs in
// once, keeps the session in memory, renews it with
// com.atproto.server.refreshSession and logs in again only when the refresh
// token is refused. Given a SessionStore, it also keeps the session across
// restarts: a restart restores it instead of logging in.
package bluesky

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"catweete/social"
)

// Defaults for the zero Config.
const (
	// DefaultPDSURL is Bluesky's own PDS entryway, where accounts created on
	// bsky.app live.
	DefaultPDSURL = "https://bsky.social"
	// DefaultAppViewURL is Bluesky's public, unauthenticated AppView, which
	// serves the app.bsky.* reads.
	DefaultAppViewURL = "https://public.api.bsky.app"
)

const (
	// userAgent names catweete to the server's administrators.
	userAgent = "catweete (Bluesky client)"
	// maxRedirects is how many redirects a GET follows on the default client.
	maxRedirects = 10
)

// Config says which account the client speaks for.
type Config struct {
	// PDSURL is the account's PDS (BLUESKY_PDS_URL). If empty,
	// DefaultPDSURL. Absolute http or https, without credentials, query or
	// fragment; a trailing slash is tolerated and a path prefix is kept.
	PDSURL string
	// AppViewURL is where the app.bsky.* reads go (getPosts, getProfile). If
	// empty, DefaultAppViewURL. Same rules as PDSURL.
	AppViewURL string
	// Handle is the account's handle (BLUESKY_HANDLE), e.g.
	// brand.bsky.social; a leading @ is dropped. Required.
	Handle string
	// AppPassword is an app password of the account (BLUESKY_APP_PASSWORD).
	// Required. It is sent only in the createSession request body and never
	// appears in an error, a log line or a social.Error Message.
	AppPassword string
	// HTTPClient sends the requests. If nil, a client with a 30 s timeout
	// that follows no redirect for a POST (see New).
	HTTPClient *http.Client
	// Sessions keeps the session across restarts (see SessionStore). If
	// nil, the session lives in memory only, and every start logs in.
	Sessions SessionStore
	// Logger reports a SessionStore that fails (the client goes on with the
	// session in memory). If nil, nothing is logged.
	Logger *slog.Logger
}

// Client publishes to one Bluesky account. It is safe for concurrent use.
type Client struct {
	pds      string // PDSURL without its trailing slash
	appView  string // AppViewURL without its trailing slash
	handle   string
	password string
	http     *http.Client
	// nowFunc is the clock that token expiry, createdAt and rate-limit
	// resets are measured against; tests replace it.
	nowFunc func() time.Time

	mu sync.Mutex
	// sess is the current session, nil before the first login and after
	// the PDS refused its refresh token. Guarded by mu.
	sess *session
	// renewing is the login or refresh under way, nil when there is none:
	// every caller that needs a new session waits for that one. Guarded by mu.
	renewing *renewal
	// loginRetryAt is when createSession may be tried again after it
	// answered 429; zero when it may be tried now. Guarded by mu.
	loginRetryAt time.Time

	// store keeps the session across restarts; nil keeps it in memory.
	store SessionStore
	log   *slog.Logger
	// restoreTried is set once the store was looked in: a session is
	// restored at most once, at the start. Guarded by mu.
	restoreTried bool
}

// New checks cfg and returns a client. It makes no request: the first
// Publish logs in.
//
// The default HTTP client follows no redirect for a POST: Go would turn a
// redirected POST into a GET (publishing nothing), so a redirect is reported
// as a permanent failure that names where the server points, which is what
// BLUESKY_PDS_URL should say instead.
func New(cfg Config) (*Client, error) {
	pds, err := social.BaseURL(cfg.PDSURL, social.URLSetting{
		Network: social.NetworkBluesky,
		Name:    "the PDS URL (BLUESKY_PDS_URL)",
		Default: DefaultPDSURL,
	})
	if err != nil {
		return nil, err
	}
	appView, err := social.BaseURL(cfg.AppViewURL, social.URLSetting{
		Network: social.NetworkBluesky,
		Name:    "the AppView URL",
		Default: DefaultAppViewURL,
	})
	if err != nil {
		return nil, err
	}
	handle, err := social.CheckToken(cfg.Handle, social.NetworkBluesky, "the handle (BLUESKY_HANDLE)")
	if err != nil {
		return nil, err
	}
	if handle = strings.TrimPrefix(handle, "@"); handle == "" {
		return nil, errors.New("bluesky: the handle (BLUESKY_HANDLE) is required")
	}
	password, err := social.CheckToken(cfg.AppPassword, social.NetworkBluesky, "the app password (BLUESKY_APP_PASSWORD)")
	if err != nil {
		return nil, err
	}
	// Not social.DefaultHTTPClient: the AppView's reads may be redirected
	// (a GET loses nothing on the way), only a POST must not be.
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{
			Timeout: social.DefaultTimeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if via[0].Method != http.MethodGet {
					return http.ErrUseLastResponse
				}
				if len(via) >= maxRedirects {
					return errors.New("stopped after 10 redirects")
				}
				return nil
			},
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		pds:      pds,
		appView:  appView,
		handle:   handle,
		password: password,
		http:     hc,
		nowFunc:  time.Now,
		store:    cfg.Sessions,
		log:      log,
	}, nil
}

// Network returns social.NetworkBluesky.
func (c *Client) Network() string { return social.NetworkBluesky }

// Idempotent reports true: the record key is chosen by catweete (the
// delivery's idempotency key), so a delivery interrupted mid-call may be
// sent again: the PDS cannot hold two records under one key, and Publish
// turns "already there" into a social.Duplicate naming the post.
func (c *Client) Idempotent() bool { return true }
