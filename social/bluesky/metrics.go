package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"catweete/social"
)

// ErrNotFound is wrapped in the error Metrics returns when the AppView does
// not know the post: it was deleted, or is not indexed yet.
var ErrNotFound = errors.New("bluesky: not found")

// postView is the part of app.bsky.feed.defs#postView that catweete keeps.
// Every count is optional in the lexicon: an absent one is unknown, not 0.
type postView struct {
	URI         string `json:"uri"`
	LikeCount   *int64 `json:"likeCount"`
	RepostCount *int64 `json:"repostCount"`
	ReplyCount  *int64 `json:"replyCount"`
	QuoteCount  *int64 `json:"quoteCount"`
	// BookmarkCount is recent; older AppViews do not send it.
	BookmarkCount *int64 `json:"bookmarkCount"`
}

// Metrics returns the counts Bluesky gives for the post whose AT URI is
// remoteID (Publish's ID), read from the AppView (app.bsky.feed.getPosts):
// likes, reposts, replies, quotes, and saves where the AppView counts
// bookmarks. Bluesky gives no impressions, reach or clicks: they stay
// unknown.
//
// A remoteID that is not the AT URI of a post is refused permanently without
// a request; a post the AppView does not know (deleted, or not indexed yet)
// is a Permanent *social.Error that wraps ErrNotFound.
func (c *Client) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	if !isPostURI(remoteID) {
		return social.Metrics{}, fmt.Errorf("metrics: %w", &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Permanent,
			Message: c.clean(fmt.Sprintf("%q is not the AT URI of a post", remoteID), ""),
		})
	}
	var out struct {
		Posts []postView `json:"posts"`
	}
	if err := c.read(ctx, "app.bsky.feed.getPosts", url.Values{"uris": {remoteID}}, &out); err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	for _, p := range out.Posts {
		if p.URI != remoteID {
			continue
		}
		return social.Metrics{
			Likes:   count(p.LikeCount),
			Reposts: count(p.RepostCount),
			Replies: count(p.ReplyCount),
			Quotes:  count(p.QuoteCount),
			Saves:   count(p.BookmarkCount),
		}, nil
	}
	return social.Metrics{}, fmt.Errorf("metrics: %w: %w", &social.Error{
		Network: social.NetworkBluesky,
		Class:   social.Permanent,
		Status:  http.StatusOK,
		Message: "the AppView does not know this post: it was deleted, or is not indexed yet",
	}, ErrNotFound)
}

// Profile returns the account as Bluesky shows it (app.bsky.actor.getProfile
// on the AppView): its handle, its bsky.app page and its followers. It asks
// by DID once a session exists (a handle can change), by the configured
// handle before.
func (c *Client) Profile(ctx context.Context) (social.Profile, error) {
	actor := c.handle
	if s := c.current(); s != nil {
		actor = s.did
	}
	var out struct {
		DID            string `json:"did"`
		Handle         string `json:"handle"`
		FollowersCount *int64 `json:"followersCount"`
	}
	if err := c.read(ctx, "app.bsky.actor.getProfile", url.Values{"actor": {actor}}, &out); err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	if out.Handle == "" && out.DID == "" {
		return social.Profile{}, fmt.Errorf("profile: %w", &social.Error{
			Network: social.NetworkBluesky,
			Class:   social.Transient,
			Status:  http.StatusOK,
			Message: "the answer names no account",
		})
	}
	handle := out.Handle
	if handle == "" || handle == invalidHandle {
		handle = out.DID
	}
	return social.Profile{
		Handle:    handle,
		URL:       profileURL(out.Handle, out.DID),
		Followers: count(out.FollowersCount),
	}, nil
}

// read sends an app.bsky.* query to the AppView. The data is public and
// needs no session, so read never logs in. It sends the session's access
// token only when the AppView is the PDS itself (which then forwards the
// query with the account's credentials): a PDS token is meant for its PDS
// alone, and Bluesky's public AppView has no use for it. If the PDS refuses
// the token, the query is sent again without it.
func (c *Client) read(ctx context.Context, nsid string, q url.Values, out any) error {
	token := ""
	if c.appView == c.pds {
		if s := c.current(); s != nil {
			token = s.accessJwt
		}
	}
	r := request{base: c.appView, method: http.MethodGet, nsid: nsid, query: q, token: token}
	name, err := c.call(ctx, r, out)
	if err != nil && token != "" && tokenRefused(name) {
		r.token = ""
		_, err = c.call(ctx, r, out)
	}
	return err
}

// count turns an optional count into a social.Count: absent is unknown.
func count(v *int64) social.Count {
	if v == nil {
		return social.Count{}
	}
	return social.Known(*v)
}

// isPostURI reports whether s looks like the AT URI of a post:
// at://<did or handle>/app.bsky.feed.post/<rkey>.
func isPostURI(s string) bool {
	rest, ok := strings.CutPrefix(s, "at://")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "/")
	return len(parts) == 3 && parts[0] != "" && parts[1] == postCollection && parts[2] != "" &&
		!social.HasSpaceOrControl(s)
}
