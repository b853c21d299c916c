package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"catweete/social"
)

// Fields asked of GET /2/tweets. Non-public metrics need a user token for a
// post of that user, and X keeps them only 30 days after posting
// (https://docs.x.com/x-api/fundamentals/metrics).
const (
	allMetrics        = "public_metrics,non_public_metrics"
	publicMetricsOnly = "public_metrics"
)

// publicMetrics is a post's public_metrics. Pointers tell a figure X gave
// from one it left out: catweete never turns a missing figure into 0.
type publicMetrics struct {
	RetweetCount    *int64 `json:"retweet_count"`
	ReplyCount      *int64 `json:"reply_count"`
	LikeCount       *int64 `json:"like_count"`
	QuoteCount      *int64 `json:"quote_count"`
	BookmarkCount   *int64 `json:"bookmark_count"`
	ImpressionCount *int64 `json:"impression_count"`
}

// nonPublicMetrics is a post's non_public_metrics, seen only by its author.
type nonPublicMetrics struct {
	ImpressionCount   *int64 `json:"impression_count"`
	URLLinkClicks     *int64 `json:"url_link_clicks"`
	UserProfileClicks *int64 `json:"user_profile_clicks"`
}

// Metrics returns what X says of the post remoteID now
// (GET /2/tweets?ids=<id>&tweet.fields=public_metrics,non_public_metrics):
// Impressions (impression_count), Likes, Reposts (retweet_count), Replies,
// Quotes, Saves (bookmark_count) and Clicks (non-public url_link_clicks).
// Each figure is Known only when X gave it. Reach is never Known: X gives no
// count of unique accounts.
//
// X refuses non-public metrics for a post older than 30 days with a 200
// answer that holds no post, only a "not-authorized-for-field" error per
// field; Metrics then asks again for the public metrics alone, and Clicks is
// left unknown.
//
// Failures are *social.Error, classified as for Publish; a post X does not
// find (deleted, or not the account's) is Permanent, with X's words.
func (c *Client) Metrics(ctx context.Context, remoteID string) (social.Metrics, error) {
	if remoteID == "" || strings.Trim(remoteID, "0123456789") != "" {
		return social.Metrics{}, fmt.Errorf("metrics: %w", &social.Error{
			Network: social.NetworkX,
			Class:   social.Permanent,
			Message: "the post id is not an X post id",
		})
	}
	p, refused, err := c.lookupPost(ctx, remoteID, allMetrics)
	if err == nil && refused {
		p, _, err = c.lookupPost(ctx, remoteID, publicMetricsOnly)
	}
	if err != nil {
		return social.Metrics{}, fmt.Errorf("metrics: post %s: %w", remoteID, err)
	}
	return metricsOf(p), nil
}

// lookupPost reads one post with the given tweet.fields. refused reports
// that X answered without the post because the token may not read some of
// those fields; the caller may ask again with fewer.
func (c *Client) lookupPost(ctx context.Context, id, fields string) (p post, refused bool, err error) {
	var out struct {
		Data   []post      `json:"data"`
		Errors []errorItem `json:"errors"`
	}
	status, err := c.call(ctx, http.MethodGet, "/2/tweets?ids="+url.QueryEscape(id)+"&tweet.fields="+fields, nil, &out)
	if err != nil {
		// Some gateways answer a refused field with a 4xx rather than a
		// partial error: treat it the same way.
		var se *social.Error
		if fields != publicMetricsOnly && errors.As(err, &se) && se.Class == social.Permanent &&
			(se.Status == http.StatusBadRequest || se.Status == http.StatusForbidden) &&
			strings.Contains(se.Message, "non_public_metrics") {
			return post{}, true, nil
		}
		return post{}, false, err
	}
	for _, d := range out.Data {
		if d.ID == id {
			return d, false, nil
		}
	}
	for _, e := range out.Errors {
		if fields != publicMetricsOnly &&
			(strings.HasSuffix(e.Type, "/not-authorized-for-field") || strings.HasPrefix(e.Field, "non_public_metrics")) {
			return post{}, true, nil
		}
	}
	msg := problem{Errors: out.Errors}.words()
	if msg == "" {
		msg = "X did not return the post"
	}
	return post{}, false, &social.Error{
		Network: social.NetworkX,
		Class:   social.Permanent,
		Status:  status,
		Message: c.clean(msg),
	}
}

// metricsOf turns X's figures into catweete's, leaving out what X did not
// give.
func metricsOf(p post) social.Metrics {
	var m social.Metrics
	known := func(v *int64) social.Count {
		if v == nil {
			return social.Count{}
		}
		return social.Known(*v)
	}
	if pm := p.PublicMetrics; pm != nil {
		m.Impressions = known(pm.ImpressionCount)
		m.Likes = known(pm.LikeCount)
		m.Reposts = known(pm.RetweetCount)
		m.Replies = known(pm.ReplyCount)
		m.Quotes = known(pm.QuoteCount)
		m.Saves = known(pm.BookmarkCount)
	}
	if npm := p.NonPublicMetrics; npm != nil {
		if !m.Impressions.Known {
			m.Impressions = known(npm.ImpressionCount)
		}
		m.Clicks = known(npm.URLLinkClicks)
	}
	return m
}

// Profile returns the account the token speaks for
// (GET /2/users/me?user.fields=public_metrics): @username, its page on
// x.com and its followers_count. It also proves that the token works: an
// invalid or revoked token is a Permanent *social.Error with status 401.
func (c *Client) Profile(ctx context.Context) (social.Profile, error) {
	u, err := c.fetchMe(ctx)
	if err != nil {
		return social.Profile{}, fmt.Errorf("profile: %w", err)
	}
	p := social.Profile{
		Handle: "@" + u.Username,
		URL:    webURL + "/" + url.PathEscape(u.Username),
	}
	if u.PublicMetrics != nil && u.PublicMetrics.FollowersCount != nil {
		p.Followers = social.Known(*u.PublicMetrics.FollowersCount)
	}
	return p, nil
}
