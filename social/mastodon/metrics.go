package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"catweete/social"
)

// statusCounts is the part of Mastodon's Status entity that Metrics reads
// (https://docs.joinmastodon.org/entities/Status/). quotes_count only exists
// on servers with quote posts (Mastodon 4.5 and later).
type statusCounts struct {
	ID              string `json:"id"`
	FavouritesCount *int64 `json:"favourites_count"`
	ReblogsCount    *int64 `json:"reblogs_count"`
	RepliesCount    *int64 `json:"replies_count"`
	QuotesCount     *int64 `json:"quotes_count"`
}

// Metrics returns the counts Mastodon shows on the status remoteID
// (GET /api/v1/statuses/:id): favourites (Likes), boosts (Reposts), replies
// and, where the server has quote posts, quotes. Mastodon counts no
// impressions, reach or clicks: they stay unknown.
//
// The counts are the instance's view: interactions from other servers are
// included only as far as they have reached it. Failures are *social.Error,
// classified as Publish's are (a deleted status is a Permanent 404).
func (c *Client) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	if remoteID == "" {
		return social.Metrics{}, fmt.Errorf("metrics: %w", &social.Error{
			Network: social.NetworkMastodon,
			Class:   social.Permanent,
			Message: "the status id is empty",
		})
	}
	var st statusCounts
	if err := c.call(ctx, http.MethodGet, "/api/v1/statuses/"+url.PathEscape(remoteID), nil, "", &st); err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: %w", err)
	}
	return social.Metrics{
		Likes:   count(st.FavouritesCount),
		Reposts: count(st.ReblogsCount),
		Replies: count(st.RepliesCount),
		Quotes:  count(st.QuotesCount),
	}, nil
}

// count turns a figure Mastodon may leave out into a social.Count.
func count(v *int64) social.Count {
	if v == nil {
		return social.Count{}
	}
	return social.Known(*v)
}

// Profile returns the account as Mastodon shows it, from VerifyCredentials:
// the handle @acct@instance, the profile page and the follower count. An
// invalid or revoked token is a Permanent *social.Error with status 401.
func (c *Client) Profile(ctx context.Context) (social.Profile, error) {
	a, err := c.VerifyCredentials(ctx)
	if err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	acct := a.Acct
	if acct == "" {
		acct = a.Username
	}
	handle := "@" + acct
	if !strings.Contains(acct, "@") {
		if u, err := url.Parse(c.base); err == nil && u.Host != "" {
			handle += "@" + u.Host
		}
	}
	return social.Profile{Handle: handle, URL: a.URL, Followers: social.Known(int64(a.FollowersCount))}, nil
}
