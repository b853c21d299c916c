package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"catweete/social"
)

const (
	// postCollection is the NSID of a Bluesky post record.
	postCollection = "app.bsky.feed.post"
	// maxGraphemes is app.bsky.feed.post's text limit in grapheme clusters
	// (maxGraphemes in the lexicon).
	maxGraphemes = 300
	// maxTextBytes is its other limit, in UTF-8 bytes (maxLength): 300
	// family emoji are 300 graphemes but 7,500 bytes.
	maxTextBytes = 3000
	// createdAtLayout is RFC 3339 in UTC with milliseconds, as Bluesky's
	// own clients write createdAt.
	createdAtLayout = "2006-01-02T15:04:05.000Z"
	// webURL is where bsky.app shows profiles and posts.
	webURL = "https://bsky.app/profile/"
	// invalidHandle is what the PDS reports as the handle of an account
	// whose handle no longer resolves; links then use the DID.
	invalidHandle = "handle.invalid"
)

// postRecord is the app.bsky.feed.post record catweete writes
// (lexicons/app/bsky/feed/post.json: text and createdAt required, facets for
// rich text).
type postRecord struct {
	Type      string  `json:"$type"`
	Text      string  `json:"text"`
	CreatedAt string  `json:"createdAt"`
	Facets    []facet `json:"facets,omitempty"`
}

// createRecordInput is com.atproto.repo.createRecord's input.
type createRecordInput struct {
	Repo       string     `json:"repo"`
	Collection string     `json:"collection"`
	Rkey       string     `json:"rkey"`
	Record     postRecord `json:"record"`
}

// Publish posts p.Text as a public post (com.atproto.repo.createRecord in
// app.bsky.feed.post) whose record key is p.IdempotencyKey, with a link
// facet for every http(s) URL in the text. It returns the post's AT URI
// (at://did/app.bsky.feed.post/rkey) as ID and its bsky.app page as URL.
//
// p.IdempotencyKey must be a TID (13 characters of base32-sortable): posts
// are keyed by TIDs, and a key that is not one is refused permanently
// without a request. So are an empty text, one that is not valid UTF-8, and
// one over Bluesky's limits (300 grapheme clusters, 3,000 bytes).
//
// Because the key is the record key, an attempt after a lost answer cannot
// publish twice. The PDS refuses to create a record that exists: the
// reference PDS answers 500 InternalServerError for it today
// (bluesky-social/atproto#3718; a named error is proposed in #4728), other
// servers 409 or an "already exists" error. On such an answer, and on any
// 5xx, Publish reads the record back (com.atproto.repo.getRecord): if it
// holds the same text it returns a *social.Error of class Duplicate whose
// Existing is the post; if it holds another text, a Permanent one (a person
// must look: nothing is overwritten).
//
// Other failures are *social.Error: no answer, 5xx and 429 are Transient (a
// 429 carries RetryAfter from Retry-After, else ratelimit-reset); 400
// InvalidRequest, 401, 403 and every other 4xx are Permanent, with the
// server's own message. An expired access token is refreshed and the call
// made once more.
func (c *Client) Publish(ctx context.Context, p social.Post) (social.Published, error) {
	rkey := p.IdempotencyKey
	if err := c.checkPost(p.Text, rkey); err != nil {
		return social.Published{}, fmt.Errorf("publish: %w", err)
	}
	rec := postRecord{
		Type:      postCollection,
		Text:      p.Text,
		CreatedAt: c.nowFunc().UTC().Format(createdAtLayout),
		Facets:    linkFacets(p.Text),
	}
	var out struct {
		URI string `json:"uri"`
	}
	s, name, err := c.authed(ctx, func(s *session) (string, error) {
		in := createRecordInput{Repo: s.did, Collection: postCollection, Rkey: rkey, Record: rec}
		return c.call(ctx, request{base: c.pds, method: http.MethodPost, nsid: "com.atproto.repo.createRecord", body: in, token: s.accessJwt}, &out)
	})
	if err != nil {
		if s != nil && mayExist(name, err) {
			return social.Published{}, fmt.Errorf("publish: %w", c.existing(ctx, s, rkey, p.Text, name, err))
		}
		return social.Published{}, fmt.Errorf("publish: %w", err)
	}
	// The URI is known before the answer (the DID and the record key are
	// ours), so an answer without one still names the post.
	uri := out.URI
	if uri == "" {
		uri = atURI(s.did, rkey)
	}
	return social.Published{ID: uri, URL: postURL(s, rkey)}, nil
}

// checkPost refuses, without a request, what the PDS would refuse or what
// could publish twice.
func (c *Client) checkPost(text, rkey string) error {
	permanent := func(msg string) error {
		return &social.Error{Network: social.NetworkBluesky, Class: social.Permanent, Message: c.clean(msg, "")}
	}
	if !validTID(rkey) {
		return permanent(fmt.Sprintf("the idempotency key %q is not a TID, so it cannot be the post's record key", rkey))
	}
	if !utf8.ValidString(text) {
		// Encoding would replace the bad bytes, moving every facet.
		return permanent("the text is not valid UTF-8")
	}
	if strings.TrimSpace(text) == "" {
		return permanent("the text is empty")
	}
	if count, limit := c.Length(text); count > limit {
		return permanent(fmt.Sprintf("the text is %d characters long, over Bluesky's limit of %d", count, limit))
	}
	if len(text) > maxTextBytes {
		return permanent(fmt.Sprintf("the text is %d bytes long, over Bluesky's limit of %d bytes (an emoji can take up to 35)", len(text), maxTextBytes))
	}
	return nil
}

// mayExist reports whether a failed createRecord may mean that the record
// is already there: an answer that says so (409, an error named …Exists…, a
// message saying "already exists"), or a 5xx, which is how the reference
// PDS says it today.
func mayExist(name string, err error) bool {
	var se *social.Error
	if !errors.As(err, &se) || se.Status == 0 {
		return false
	}
	return se.Status >= 500 || claimsExists(name, se)
}

// claimsExists reports whether an answer says in so many words that the
// record exists.
func claimsExists(name string, se *social.Error) bool {
	return se.Status == http.StatusConflict ||
		strings.Contains(strings.ToLower(name), "exist") ||
		strings.Contains(strings.ToLower(se.Message), "already exist")
}

// existing reads back the record under rkey after createErr, createRecord's
// failure with XRPC error name, and says what happened: Duplicate when the
// record holds text, Permanent when it holds another post, createErr itself
// when the record is not there, Transient when it cannot be read.
func (c *Client) existing(ctx context.Context, s *session, rkey, text, name string, createErr error) error {
	var se *social.Error
	errors.As(createErr, &se)
	claimed := claimsExists(name, se)

	var rec struct {
		URI   string `json:"uri"`
		Value struct {
			Type string `json:"$type"`
			Text string `json:"text"`
		} `json:"value"`
	}
	q := url.Values{"repo": {s.did}, "collection": {postCollection}, "rkey": {rkey}}
	getName, err := c.call(ctx, request{base: c.pds, method: http.MethodGet, nsid: "com.atproto.repo.getRecord", query: q}, &rec)
	switch {
	case err == nil && rec.Value.Text == text:
		uri := rec.URI
		if uri == "" {
			uri = atURI(s.did, rkey)
		}
		return &social.Error{
			Network:  social.NetworkBluesky,
			Class:    social.Duplicate,
			Status:   se.Status,
			Message:  c.clean(fmt.Sprintf("the post was already published under record key %s", rkey), ""),
			Existing: social.Published{ID: uri, URL: postURL(s, rkey)},
		}
	case err == nil:
		return &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Permanent,
			Status:  se.Status,
			Message: c.clean(fmt.Sprintf("record key %s already holds another post (%s): nothing was published", rkey, postURL(s, rkey)), ""),
		}
	case getName == "RecordNotFound" && !claimed:
		// A plain server error: the record is not there, the retry will
		// create it.
		return createErr
	case claimed:
		return fmt.Errorf("%w: %w", &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Transient,
			Status:  se.Status,
			Message: "the server says the post exists, but it could not be read back",
		}, err)
	default:
		return createErr
	}
}

// atURI is the AT URI of the post under rkey in did's repository.
func atURI(did, rkey string) string {
	return "at://" + did + "/" + postCollection + "/" + rkey
}

// postURL is the bsky.app page of the post under rkey.
func postURL(s *session, rkey string) string {
	return profileURL(s.handle, s.did) + "/post/" + url.PathEscape(rkey)
}

// profileURL is the bsky.app page of an account: by handle, or by DID when
// the handle is unknown or no longer resolves.
func profileURL(handle, did string) string {
	if handle == "" || handle == invalidHandle {
		handle = did
	}
	return webURL + url.PathEscape(handle)
}
