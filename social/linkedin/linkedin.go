// Package linkedin publishes to one LinkedIn member or organization through
// LinkedIn's versioned REST API (the Posts API,
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api).
//
// Every failure is returned as a *social.Error (wrapped with the operation
// that failed). LinkedIn has no idempotency key: Idempotent reports false, so
// catweete's dispatcher must not resend a post whose outcome it does not
// know. LinkedIn does refuse an exact duplicate of a recent post (422
// DUPLICATE_POST, naming the existing post), which Publish reports as a
// social.Duplicate error carrying that post.
package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"catweete/social"
)

const (
	// DefaultAPIURL is LinkedIn's API host.
	DefaultAPIURL = "https://api.linkedin.com"
	// DefaultVersion is the LinkedIn-Version sent when Config.Version is
	// empty. LinkedIn supports each monthly version for about a year, then
	// answers 426 NONEXISTENT_VERSION: raise it at least once a year.
	DefaultVersion = "202610"
	// MaxCharacters is the longest commentary LinkedIn accepts ("The maximum
	// length of the text of a UGC Post is 3,000 characters").
	MaxCharacters = 3000

	// userAgent names catweete in LinkedIn's logs.
	userAgent = "catweete (LinkedIn client)"
	// restliProtocolVersion is required on every /rest call.
	restliProtocolVersion = "2.0.0"
)

// Config says which member or organization the client speaks for.
type Config struct {
	// APIURL is LinkedIn's API host (LINKEDIN_API_URL). If empty,
	// DefaultAPIURL; tests point it at a local server.
	APIURL string
	// Token is the OAuth 2.0 access token (LINKEDIN_ACCESS_TOKEN). Required.
	// It needs w_member_social (a member) or w_organization_social (an
	// organization) to publish, and, for Metrics and Profile,
	// rw_organization_admin (an organization) or openid and profile (a
	// member). It is sent only in the Authorization header and never appears
	// in an error, a log line or a social.Error Message.
	Token string
	// AuthorURN is who posts (LINKEDIN_AUTHOR_URN):
	// urn:li:person:<id> or urn:li:organization:<id>. Required.
	AuthorURN string
	// Version is the LinkedIn-Version header, YYYYMM (LINKEDIN_VERSION). If
	// empty, DefaultVersion.
	Version string
	// HTTPClient sends the requests. If nil, a client with a 30 s timeout
	// that does not follow redirects.
	HTTPClient *http.Client
}

// Client publishes as one LinkedIn author. It is safe for concurrent use.
type Client struct {
	base    string // APIURL without its trailing slash
	token   string
	author  string // the author's URN
	org     bool   // the author is an organization
	id      string // the author URN's id part
	version string
	http    *http.Client
	// nowFunc is the clock that Retry-After dates are measured against;
	// tests replace it.
	nowFunc func() time.Time
}

var (
	authorRE  = regexp.MustCompile(`^urn:li:(person|organization):([A-Za-z0-9_-]+)$`)
	versionRE = regexp.MustCompile(`^[0-9]{6}(\.[0-9]{2})?$`)
	// postURNRE is what Publish accepts back and Metrics accepts as a post.
	postURNRE = regexp.MustCompile(`^urn:li:(share|ugcPost|activity):[0-9]+$`)
)

// New checks cfg and returns a client. It makes no request: call Profile to
// check the token.
//
// The default HTTP client (social.DefaultHTTPClient) does not follow
// redirects: a redirect is reported as a permanent failure.
func New(cfg Config) (*Client, error) {
	base, err := social.BaseURL(cfg.APIURL, social.URLSetting{
		Network:       social.NetworkLinkedIn,
		Name:          "the API URL (LINKEDIN_API_URL)",
		Default:       DefaultAPIURL,
		SecretSetting: "LINKEDIN_ACCESS_TOKEN",
	})
	if err != nil {
		return nil, err
	}
	token, err := social.CheckToken(cfg.Token, social.NetworkLinkedIn, "the access token (LINKEDIN_ACCESS_TOKEN)")
	if err != nil {
		return nil, err
	}
	author := strings.TrimSpace(cfg.AuthorURN)
	m := authorRE.FindStringSubmatch(author)
	if m == nil {
		return nil, errors.New("linkedin: the author (LINKEDIN_AUTHOR_URN) must be urn:li:person:<id> or urn:li:organization:<id>")
	}
	version := strings.TrimSpace(cfg.Version)
	if version == "" {
		version = DefaultVersion
	}
	if !versionRE.MatchString(version) {
		return nil, errors.New("linkedin: the API version (LINKEDIN_VERSION) must be YYYYMM, such as " + DefaultVersion)
	}
	return &Client{
		base:    base,
		token:   token,
		author:  author,
		org:     m[1] == "organization",
		id:      m[2],
		version: version,
		http:    social.DefaultHTTPClient(cfg.HTTPClient),
		nowFunc: time.Now,
	}, nil
}

// Network returns social.NetworkLinkedIn.
func (c *Client) Network() string { return social.NetworkLinkedIn }

// Idempotent reports false: LinkedIn takes no idempotency key, so a post
// whose request got no answer may or may not exist, and must not be sent
// again blindly.
func (c *Client) Idempotent() bool { return false }

// Length returns the length of text as checked against LinkedIn's limit, and
// that limit (3,000).
//
// It counts Unicode code points of the text as approved, before the little
// escaping: LinkedIn measures the commentary it stores, in which an escape
// is one character and a hashtag template is the hashtag. LinkedIn's
// documentation says "characters" without naming the unit; its Java backend
// may count UTF-16 code units, in which an emoji outside the Basic
// Multilingual Plane counts 2, so a text within a few characters of the
// limit and full of such emoji may still be refused at publication (a
// Permanent error).
func (c *Client) Length(text string) (count, limit int) {
	return utf8.RuneCountInString(text), MaxCharacters
}

// postBody is the Posts API's create request, text only.
type postBody struct {
	Author                    string       `json:"author"`
	Commentary                string       `json:"commentary"`
	Visibility                string       `json:"visibility"`
	Distribution              distribution `json:"distribution"`
	LifecycleState            string       `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool         `json:"isReshareDisabledByAuthor"`
}

type distribution struct {
	FeedDistribution               string   `json:"feedDistribution"`
	TargetEntities                 []string `json:"targetEntities"`
	ThirdPartyDistributionChannels []string `json:"thirdPartyDistributionChannels"`
}

// Publish posts p.Text publicly on the author's main feed
// (POST /rest/posts). The text is escaped into LinkedIn's little format
// first, so that it is published exactly as approved, hashtags kept
// clickable. p.IdempotencyKey is not sent: LinkedIn has none.
//
// On success (201) the post's URN comes from the x-restli-id header and its
// link is https://www.linkedin.com/feed/update/<urn>/.
//
// Failures are *social.Error: an empty text or one over 3,000 characters is
// Permanent without a request; no answer, 5xx and 429 (with Retry-After when
// LinkedIn sends one) are Transient; 401, 403, 422 and other 4xx are
// Permanent, with LinkedIn's message; an exact duplicate of a recent post
// (422 DUPLICATE_POST) is Duplicate, with Existing set to the post LinkedIn
// names.
func (c *Client) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	if strings.TrimSpace(p.Text) == "" {
		return social.Published{}, fmt.Errorf("publish: %w", c.refuse("the text is empty"))
	}
	if count, limit := c.Length(p.Text); count > limit {
		return social.Published{}, fmt.Errorf("publish: %w",
			c.refuse(fmt.Sprintf("the text is %d characters long, over LinkedIn's limit of %d", count, limit)))
	}
	body := postBody{
		Author:     c.author,
		Commentary: littleText(p.Text),
		Visibility: "PUBLIC",
		Distribution: distribution{
			FeedDistribution:               "MAIN_FEED",
			TargetEntities:                 []string{},
			ThirdPartyDistributionChannels: []string{},
		},
		LifecycleState: "PUBLISHED",
	}
	resp, err := c.do(ctx, http.MethodPost, "/rest/posts", body)
	if err != nil {
		return social.Published{}, fmt.Errorf("publish: %w", err)
	}
	urn := strings.TrimSpace(resp.header.Get("X-Restli-Id"))
	if !postURNRE.MatchString(urn) {
		// The post probably exists: only a person, or LinkedIn's duplicate
		// check on a resend, can tell.
		return social.Published{}, fmt.Errorf("publish: %w", &social.Error{
			Network: social.NetworkLinkedIn,
			Class:   social.Transient,
			Status:  resp.status,
			Message: "the answer does not name the new post (no x-restli-id header)",
		})
	}
	return published(urn), nil
}

// published returns the post with the given URN and its public link.
func published(urn string) social.Published {
	return social.Published{ID: urn, URL: "https://www.linkedin.com/feed/update/" + urn + "/"}
}

// refuse returns a Permanent failure for a call that was not made.
func (c *Client) refuse(msg string) *social.Error {
	return &social.Error{Network: social.NetworkLinkedIn, Class: social.Permanent, Message: msg}
}

// response is a 2xx answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one authenticated request, in JSON when in is not nil, and returns
// the 2xx answer. Paths under /rest get the versioning headers. Every failure
// is a *social.Error, joined with the underlying Go error when there is one.
func (c *Client) do(ctx context.Context, method, path string, in any) (response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return response{}, fmt.Errorf("linkedin: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return response{}, fmt.Errorf("linkedin: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if strings.HasPrefix(path, "/rest/") {
		req.Header.Set("LinkedIn-Version", c.version)
		req.Header.Set("X-Restli-Protocol-Version", restliProtocolVersion)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, data, err := social.Send(c.http, req, social.NetworkLinkedIn)
	if err != nil {
		return response{}, err
	}
	if !social.Success(resp.StatusCode) {
		return response{}, c.statusError(resp, data)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// get sends a GET and decodes its JSON answer into out.
func (c *Client) get(ctx context.Context, path string, out any) error {
	resp, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	return social.DecodeJSON(social.NetworkLinkedIn, resp.status, resp.body, out, "LinkedIn")
}

// escapeURN encodes a URN for a path segment or a Rest.li query value, as
// Rest.li 2.0 requires (urn%3Ali%3Ashare%3A123).
func escapeURN(urn string) string {
	return url.QueryEscape(urn)
}
