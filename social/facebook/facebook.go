// Package facebook publishes to one Facebook Page through Meta's Graph API
// (the Page feed, https://developers.facebook.com/docs/pages-api/posts).
//
// Every failure is returned as a *social.Error (wrapped with the operation
// that failed). Meta signals throttling with its own error codes, usually on
// HTTP 400 or 403 rather than 429; they are classified Transient all the
// same. The Graph API takes no idempotency key: Idempotent reports false, so
// catweete's dispatcher must not resend a post whose outcome it does not
// know. Meta does refuse a repeat of the Page's previous post (error 506),
// which Publish reports as social.Duplicate, without naming the existing
// post (Meta does not).
package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"catweete/social"
)

const (
	// DefaultGraphURL is Meta's Graph API host.
	DefaultGraphURL = "https://graph.facebook.com"
	// DefaultVersion is the Graph API version used when Config.Version is
	// empty: the latest when this client was written (v26.0, July 2026).
	// Meta keeps each version for about two years.
	DefaultVersion = "v26.0"
	// MaxCharacters is the longest message a Page post may carry.
	MaxCharacters = 63206

	// userAgent names catweete in Meta's logs.
	userAgent = "catweete (Facebook Page client)"
)

// Config says which Page the client speaks for.
type Config struct {
	// GraphURL is the Graph API host (FACEBOOK_GRAPH_URL). If empty,
	// DefaultGraphURL; tests point it at a local server.
	GraphURL string
	// Version is the Graph API version, such as "v26.0"
	// (FACEBOOK_GRAPH_VERSION). If empty, DefaultVersion.
	Version string
	// PageID is the Page's numeric id (FACEBOOK_PAGE_ID). Required.
	PageID string
	// PageToken is a Page access token (FACEBOOK_PAGE_TOKEN) with
	// pages_manage_posts to publish, and pages_read_engagement and
	// read_insights for Metrics and Profile. Required. It is sent in the
	// request body (publishing) or the Authorization header (reading), never
	// in a URL, and never appears in an error, a log line or a social.Error
	// Message.
	PageToken string
	// HTTPClient sends the requests. If nil, a client with a 30 s timeout
	// that does not follow redirects.
	HTTPClient *http.Client
}

// Client publishes to one Facebook Page. It is safe for concurrent use.
type Client struct {
	base    string // GraphURL without its trailing slash, then "/" + version
	page    string
	token   string
	version string
	http    *http.Client
	// nowFunc is the clock that Retry-After dates are measured against;
	// tests replace it.
	nowFunc func() time.Time
}

var (
	versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	pageIDRE  = regexp.MustCompile(`^[0-9]+$`)
	// postIDRE is a Page post id: <page-id>_<post-id>.
	postIDRE = regexp.MustCompile(`^[0-9]+_[0-9]+$`)
)

// New checks cfg and returns a client. It makes no request: call Profile to
// check the token.
//
// The default HTTP client (social.DefaultHTTPClient) does not follow
// redirects: a redirect is reported as a permanent failure.
func New(cfg Config) (*Client, error) {
	base, err := social.BaseURL(cfg.GraphURL, social.URLSetting{
		Network:       social.NetworkFacebook,
		Name:          "the Graph URL (FACEBOOK_GRAPH_URL)",
		Default:       DefaultGraphURL,
		SecretSetting: "FACEBOOK_PAGE_TOKEN",
	})
	if err != nil {
		return nil, err
	}
	version := strings.TrimSpace(cfg.Version)
	if version == "" {
		version = DefaultVersion
	}
	if !versionRE.MatchString(version) {
		return nil, errors.New("facebook: the Graph API version (FACEBOOK_GRAPH_VERSION) must look like " + DefaultVersion)
	}
	page := strings.TrimSpace(cfg.PageID)
	if !pageIDRE.MatchString(page) {
		return nil, errors.New("facebook: the Page id (FACEBOOK_PAGE_ID) is required and must be the Page's numeric id")
	}
	token, err := social.CheckToken(cfg.PageToken, social.NetworkFacebook, "the Page access token (FACEBOOK_PAGE_TOKEN)")
	if err != nil {
		return nil, err
	}
	return &Client{
		base:    base + "/" + version,
		page:    page,
		token:   token,
		version: version,
		http:    social.DefaultHTTPClient(cfg.HTTPClient),
		nowFunc: time.Now,
	}, nil
}

// Network returns social.NetworkFacebook.
func (c *Client) Network() string { return social.NetworkFacebook }

// Idempotent reports false: the Graph API takes no idempotency key, so a post
// whose request got no answer may or may not exist, and must not be sent
// again blindly.
func (c *Client) Idempotent() bool { return false }

// Length returns the number of Unicode code points in text and the limit of
// a Page post, 63,206 characters. Links and mentions count as typed.
func (c *Client) Length(text string) (count, limit int) {
	return utf8.RuneCountInString(text), MaxCharacters
}

// Publish posts p.Text on the Page's feed (POST /{version}/{page-id}/feed,
// form fields message and access_token). p.IdempotencyKey is not sent: the
// Graph API has none.
//
// The answer {"id":"<page-id>_<post-id>"} gives the post's ID; its link is
// https://www.facebook.com/<id>.
//
// Failures are *social.Error: an empty text or one over the limit is
// Permanent without a request; no answer, 5xx, 429 and Meta's throttling
// codes (4, 17, 32, 341, 613, 80000–80014, whatever the HTTP status) are
// Transient, with RetryAfter from Retry-After or the usage headers'
// estimated_time_to_regain_access; an invalid or expired token (190) and
// missing permissions (10, 200–299) are Permanent; a repeat of the previous
// post (506) is Duplicate, without Existing.
func (c *Client) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	if strings.TrimSpace(p.Text) == "" {
		return social.Published{}, fmt.Errorf("publish: %w", c.refuse("the text is empty"))
	}
	if count, limit := c.Length(p.Text); count > limit {
		return social.Published{}, fmt.Errorf("publish: %w",
			c.refuse(fmt.Sprintf("the text is %d characters long, over Facebook's limit of %d", count, limit)))
	}
	form := url.Values{"message": {p.Text}, "access_token": {c.token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+c.page+"/feed", strings.NewReader(form.Encode()))
	if err != nil {
		return social.Published{}, fmt.Errorf("publish: facebook: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out struct {
		ID string `json:"id"`
	}
	status, _, err := c.send(req, &out)
	if err != nil {
		return social.Published{}, fmt.Errorf("publish: %w", err)
	}
	if !postIDRE.MatchString(out.ID) {
		// The post probably exists: only a person can tell.
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkFacebook,
			Class:   social.Transient,
			Status:  status,
			Message: "the answer does not name the new post",
		})
	}
	return social.Published{ID: out.ID, URL: "https://www.facebook.com/" + out.ID}, nil
}

// refuse returns a Permanent failure for a call that was not made.
func (c *Client) refuse(msg string) *social.Error {
	return &social.Error{Network: social.NetworkFacebook, Class: social.Permanent, Message: msg}
}

// get reads path (below the version, with its query) with the token in the
// Authorization header, and decodes the JSON answer into out. It returns the
// Graph error code of a failure, 0 when there is none.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) (int, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("facebook: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	_, code, err := c.send(req, out)
	return code, err
}

// send sends req and decodes a 2xx JSON answer into out. It returns the HTTP
// status and, for a Graph error, its code. Every failure is a *social.Error,
// joined with the underlying Go error when there is one. Unlike
// social.Send, it keeps the request URL out of a transport error (see
// withoutURL).
func (c *Client) send(req *http.Request, out any) (status, graphCode int, err error) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %w", social.NoAnswer(req.Context(), social.NetworkFacebook, err), withoutURL(err))
	}
	data, err := social.ReadAnswer(resp, social.NetworkFacebook)
	if err != nil {
		return resp.StatusCode, 0, err
	}
	if !social.Success(resp.StatusCode) {
		se, code := c.statusError(resp, data)
		return resp.StatusCode, code, se
	}
	return resp.StatusCode, 0, social.DecodeJSON(social.NetworkFacebook, resp.StatusCode, data, out, "the Graph API")
}

// withoutURL returns the cause of a transport error without the request URL
// that *url.Error adds to its text: none of catweete's Graph URLs holds the
// token, but a log line has no use for them either, and this keeps it so if
// one ever does.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
